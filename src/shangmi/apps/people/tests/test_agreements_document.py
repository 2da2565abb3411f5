"""The generated agreements: a DOCX per kind that python-docx opens, with this project's clauses, the
enterprise's and the counterparty's data, the number, the template version and signature blocks."""

from __future__ import annotations

import io
from datetime import date

import docx
import pytest

from shangmi.apps.people.documents.agreements import TEMPLATE_VERSION, chinese_number, render_agreement
from shangmi.apps.people.models.choices import AgreementKind
from shangmi.apps.people.storage import read_document

from .test_agreements_support import draft, employee, party

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    document = docx.Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_chinese_article_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 23)] == ["一", "九", "十", "十一", "二十", "二十三"]


@pytest.mark.parametrize(
    "kind", [AgreementKind.NDA, AgreementKind.CLEAN_HANDS, AgreementKind.DEPARTURE_PLEDGE]
)
def test_employee_documents_hold_both_parties(members, enterprise, kind):
    org = enterprise[0]
    person = employee(org, number="E042", name="王五", phone="13900001111")
    agreement = draft(members["officer"], kind, person, effective_on=date(2026, 1, 5))
    stored = read_document(org.pk, agreement.generated_sha256)
    text = text_of(stored)
    assert text.splitlines()[0] == AgreementKind(kind).label
    for value in (
        "甲公司",
        "王五",
        "E042",
        "研发部",
        "工艺工程师",
        f"编号：{agreement.number}",
        TEMPLATE_VERSION,
    ):
        assert value in text, value
    if kind == AgreementKind.NDA:
        assert "第一条　商业秘密的定义" in text
        assert "不为公众所知悉、具有商业价值并经甲方采取相应保密措施" in text
        assert "本协议自 2026 年 1 月 5 日 起生效" in text
        assert "劳动人事争议仲裁委员会" in text
        assert "载体的归还与删除" in text and "乙方（签字）：" in text and "甲方（盖章）：甲公司" in text
        assert "违约金" not in text  # 劳动合同法第二十五条: no liquidated damages in an employee NDA
    else:
        assert "承诺人（签字）：" in text and "承诺人姓名：王五" in text


def test_non_compete_document_states_the_terms(members, enterprise):
    person = employee(enterprise[0], name="赵六")
    agreement = draft(members["officer"], "non_compete", person, months=18, monthly_compensation="7500.5")
    text = text_of(render_agreement(agreement))
    assert "竞业限制期限为 18 个月，自乙方与甲方解除或者终止劳动合同之次日起计算，且不超过二年。" in text
    assert "每月人民币 7,500.50 元" in text
    assert "不低于乙方在劳动合同解除或者终止前十二个月平均工资的百分之三十" in text
    assert "连续三个月未支付经济补偿的，乙方可以请求解除竞业限制约定" in text
    assert "铝合金压铸件的研发、生产与销售" in text and "浙江省、江苏省、上海市" in text
    assert "赵六" in text
    assert "本协议自双方签字（盖章）之日起生效。" in text


@pytest.mark.parametrize("kind", [AgreementKind.PROCESSING_NDA, AgreementKind.COOPERATION_NDA])
def test_party_documents_hold_the_party(members, enterprise, kind):
    supplier = party(enterprise[0], name="宁波精工模具有限公司", address="宁波市北仑区")
    agreement = draft(members["officer"], kind, None, supplier)
    text = text_of(read_document(enterprise[0].pk, agreement.generated_sha256))
    for value in (
        "甲公司",
        "宁波精工模具有限公司",
        "王经理",
        "0574-88888888",
        "宁波市北仑区",
        "91330200MA2H000001",
    ):
        assert value in text, value
    assert "法定代表人或者授权代表（签字）：" in text
    if kind == AgreementKind.PROCESSING_NDA:
        assert "甲方（委托方）：甲公司" in text and "不得将委托加工的全部或者部分工作转委托" in text
    else:
        assert "乙方（接收方）：宁波精工模具有限公司" in text and "除外情形" in text
