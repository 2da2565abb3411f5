"""All or nothing: every kind of bad row is reported at its exact sheet, row and column, and nothing at
all is stored; files that are not a bounded .xlsx are refused before parsing."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry import actions
from shangmi.apps.registry.actions.imports import ImportRejected, register_import
from shangmi.apps.registry.models import AccessGrant, Carrier, SecretEvent, SecretPoint, TradeSecret
from shangmi.apps.registry.spreadsheets import reader
from shangmi.apps.registry.spreadsheets.upload import UploadRefused
from shangmi.apps.registry.tests.excel_support import (
    SHA_A,
    SM3_A,
    designate,
    make_workbook,
    point_row,
    secret_row,
)

pytestmark = pytest.mark.django_db


def stored():
    return tuple(
        m.objects.count()
        for m in (TradeSecret, SecretPoint, Carrier, AccessGrant, SecretEvent, Deposit, AuditEvent)
    )


def rejected(member, data: bytes) -> list:
    before = stored()
    with pytest.raises(ImportRejected) as caught:
        register_import(member=member, workbook_bytes=data)
    assert stored() == before
    return caught.value.problems


@pytest.fixture
def existing(members, application):
    """A register that already holds one secret with one carrier."""
    secret = designate(members["officer"], members["manager"], application(members["officer"]))
    carrier = actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name="工艺卡")
    return secret, carrier


def test_every_kind_of_bad_row_is_reported_where_it_is(members, existing):
    officer, employee = members["officer"], members["employee"].user
    secret, carrier = existing
    future = timezone.localdate() + timedelta(days=3)
    digests = {"SHA-256": SHA_A, "SM3": SM3_A, "大小（字节）": 10}
    data = make_workbook(
        secrets=[
            secret_row("S-1"),  # 2: good
            secret_row("S-2", 责任人="查无此人"),  # 3
            secret_row("S-3", 保密期限="2030-13-45"),  # 4
            secret_row("S-4", 类别="机密信息"),  # 5
            secret_row("S-1"),  # 6: the same code twice in the file
            secret_row(secret.code),  # 7: already in the register
            secret_row("S-5", 状态="待审查"),  # 8
            secret_row("S-6", 类别="经营信息", 细类="配方"),  # 9
            secret_row("S-7", 名称="", 定密日期=future),  # 10
            secret_row("S-8", **{"估值（万元）": "很多"}),  # 11
            secret_row("S-9"),  # 12: no points
            secret_row("S-10", 密级="绝密"),  # 13
            secret_row("S-11", **{"估值（万元）": 50}),  # 14: a value without its basis
        ],
        points=[
            *[point_row(code, number=1) for code in ("S-1", "S-2", "S-3", "S-4", "S-5", "S-6", "S-7")],
            *[point_row(code) for code in ("S-8", "S-10", "S-11")],  # rows 2-11 good
            point_row("NOPE"),  # 12
            point_row("S-1", "", description="说明没有密点"),  # 13
            point_row("S-1", "重复的序号", number=1),  # 14
            point_row("S-2", "序号不是数", number="一"),  # 15
        ],
        carriers=[
            {"载体编号": "S-1-C01", "秘密编号": "S-1", "类型": "电子文档", "名称": "文件", **digests},  # 2
            {"秘密编号": "NOPE", "类型": "纸质文件", "名称": "甲"},  # 3
            {"秘密编号": "S-1", "类型": "光盘", "名称": "乙"},  # 4
            {"秘密编号": "S-1", "类型": "纸质文件", "名称": "丙", **digests},  # 5
            {"秘密编号": "S-1", "类型": "电子文档", "名称": "丁", **digests, "SHA-256": "xyz"},  # 6
            {"秘密编号": "S-1", "类型": "电子文档", "名称": "戊", **digests, "大小（字节）": "12KB"},  # 7
            {
                "秘密编号": "S-1",
                "类型": "样品",
                "名称": "己",
                "状态": "已销毁",
                "销毁方式": "粉碎",
                "销毁日期": "2024-01-02",
            },  # 8
            {"载体编号": "S-1-C01", "秘密编号": "S-1", "类型": "纸质文件", "名称": "庚"},  # 9
            {"载体编号": carrier.code, "秘密编号": "S-1", "类型": "纸质文件", "名称": "辛"},  # 10
            {"秘密编号": "S-1", "类型": "纸质文件", "名称": "壬", "保管人": "查无此人"},  # 11
            {"秘密编号": "S-1", "类型": "纸质文件", "名称": "癸", "销毁日期": "2024-01-02"},  # 12
            {"秘密编号": "S-1", "类型": "纸质文件", "名称": "子", "份数": 0},  # 13
        ],
        grants=[
            {"秘密编号": "S-1", "人员": employee.name, "知悉事由": "调试"},  # 2
            {
                "秘密编号": "S-1",
                "人员": members["manager"].user.name,
                "岗位": "工程师",
                "知悉事由": "调试",
            },  # 3
            {"秘密编号": "S-1", "知悉事由": "调试"},  # 4
            {"秘密编号": "S-1", "人员": "查无此人", "知悉事由": "调试"},  # 5
            {"秘密编号": "S-1", "岗位": "质检", "知悉事由": "调试", "有效期至": "明年"},  # 6
            {"秘密编号": "S-1", "岗位": "工程师", "知悉事由": "调试", "确认时间": "2024-01-02 08:00"},  # 7
            {"秘密编号": "S-1", "人员": employee.email, "知悉事由": "又一次"},  # 8: the same person again
            {"秘密编号": "NOPE", "岗位": "工程师", "知悉事由": "调试"},  # 9
            {"秘密编号": "S-1", "岗位": "采购"},  # 10
        ],
    )
    problems = rejected(officer, data)
    assert [(p.sheet, p.row, p.column) for p in problems] == [
        ("商业秘密", 3, "责任人"),
        ("商业秘密", 4, "保密期限"),
        ("商业秘密", 5, "类别"),
        ("商业秘密", 6, "编号"),
        ("商业秘密", 7, "编号"),
        ("商业秘密", 8, "状态"),
        ("商业秘密", 9, "细类"),
        ("商业秘密", 10, "名称"),
        ("商业秘密", 10, "定密日期"),
        ("商业秘密", 11, "估值（万元）"),
        ("商业秘密", 12, "编号"),
        ("商业秘密", 13, "密级"),
        ("商业秘密", 14, "估值依据"),
        ("密点", 12, "秘密编号"),
        ("密点", 13, "密点"),
        ("密点", 14, "序号"),
        ("密点", 15, "序号"),
        ("载体", 3, "秘密编号"),
        ("载体", 4, "类型"),
        ("载体", 5, "SHA-256"),
        ("载体", 6, "SHA-256"),
        ("载体", 7, "大小（字节）"),
        ("载体", 8, "监销人"),
        ("载体", 9, "载体编号"),
        ("载体", 10, "载体编号"),
        ("载体", 11, "保管人"),
        ("载体", 12, "销毁日期"),
        ("载体", 13, "份数"),
        ("知悉范围", 3, "岗位"),
        ("知悉范围", 4, "人员"),
        ("知悉范围", 5, "人员"),
        ("知悉范围", 6, "有效期至"),
        ("知悉范围", 7, "确认时间"),
        ("知悉范围", 8, "人员"),
        ("知悉范围", 9, "秘密编号"),
        ("知悉范围", 10, "知悉事由"),
    ]
    by_place = {(p.sheet, p.row, p.column): p for p in problems}
    assert by_place[("商业秘密", 3, "责任人")].field == "商业秘密!I3 责任人"
    assert (
        by_place[("商业秘密", 3, "责任人")].message
        == "“查无此人”不是本单位的在职成员（按姓名或电子邮箱查找）"
    )
    assert by_place[("商业秘密", 6, "编号")].message == "编号“S-1”与第 2 行重复"
    assert by_place[("商业秘密", 7, "编号")].message == f"编号“{secret.code}”已在台账中"
    assert by_place[("商业秘密", 5, "类别")].message == "“机密信息”不是可选值；应为：技术信息、经营信息"
    assert "YYYY-MM-DD" in by_place[("商业秘密", 4, "保密期限")].message
    assert (
        by_place[("密点", 12, "秘密编号")].message == "找不到编号为“NOPE”的秘密：“商业秘密”表中没有这一编号"
    )
    assert by_place[("密点", 14, "序号")].message == "序号 1 与第 2 行重复"
    assert (
        by_place[("载体", 5, "SHA-256")].message == "只有电子载体（电子文档、图纸、源代码仓库）可以登记摘要"
    )
    assert by_place[("载体", 9, "载体编号")].field == "载体!A9 载体编号"
    assert by_place[("知悉范围", 8, "人员")].message == "已在该秘密的知悉范围内（第 2 行）"


def test_people_with_the_same_name_are_told_apart_by_email(members, make_member):
    officer = members["officer"]
    org = officer.organisation
    first = make_member(org, "employee", name="张三", email="zhang.a@test.example")
    make_member(org, "employee", name="张三", email="zhang.b@test.example")
    good = [secret_row("S-1", 责任人="ZHANG.A@test.example")]
    problems = rejected(
        officer,
        make_workbook(
            secrets=[*good, secret_row("S-2", 责任人="张三")], points=[point_row("S-1"), point_row("S-2")]
        ),
    )
    assert [(p.row, p.column, p.message) for p in problems] == [
        (3, "责任人", "本单位有 2 名成员叫“张三”，请改填其电子邮箱以区分")
    ]
    register_import(member=officer, workbook_bytes=make_workbook(secrets=good, points=[point_row("S-1")]))
    assert TradeSecret.objects.get(code="S-1").responsible == first


def test_missing_sheet_or_column_and_row_limit(members, monkeypatch):
    officer = members["officer"]
    problems = rejected(officer, make_workbook(points=[point_row("S-1")]))
    assert [(p.sheet, p.row, p.column) for p in problems] == [("商业秘密", 1, "编号")]
    assert problems[0].message == "找不到工作表“商业秘密”；请使用本页提供的模板"

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "商业秘密"
    workbook.active.append(["编号", "类别", "细类", "密级", "保密期限", "归属部门"])  # no 名称
    buffer = io.BytesIO()
    workbook.save(buffer)
    problems = rejected(officer, buffer.getvalue())
    assert [(p.sheet, p.row, p.column, p.message) for p in problems] == [
        ("商业秘密", 1, "名称", "缺少列“名称”（表头须在前 10 行内）")
    ]

    monkeypatch.setattr(reader, "MAX_SECRETS", 2)
    rows = [secret_row(f"S-{i}") for i in range(3)]
    problems = rejected(officer, make_workbook(secrets=rows, points=[point_row(f"S-{i}") for i in range(3)]))
    assert [(p.sheet, p.row, p.column, p.message) for p in problems] == [
        ("商业秘密", 4, "编号", "“商业秘密”最多 2 行；请分批导入")
    ]


def test_an_empty_workbook_is_reported(members):
    problems = rejected(members["officer"], make_workbook(secrets=[]))
    assert [(p.sheet, p.row, p.column, p.message) for p in problems] == [
        ("商业秘密", 2, "名称", "“商业秘密”表中没有任何秘密")
    ]


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _docx() -> bytes:
    from docx import Document

    buffer = io.BytesIO()
    Document().save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "文件是空的"),
        ("编号,名称\nS-1,配方\n".encode(), "文件不是 Excel 工作簿（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "这是旧版 Excel（.xls）"),
        (b"PK\x03\x04 not really a zip", "文件已损坏或不是 Excel 工作簿（.xlsx）"),
        (_zip({"hello.txt": b"hi"}), "压缩文件中没有 Excel 工作簿（.xlsx）的内容声明"),
        (_docx(), "这是 .docx 文件，不是 Excel 工作簿（.xlsx）"),
        (
            _zip({"[Content_Types].xml": b"<Types/>", "xl/bomb.xml": b"\0" * (101 * 1024 * 1024)}),
            "工作簿解压后超过 100 MB，已拒绝",
        ),
        (b"PK" + b"\0" * (10 * 1024 * 1024), "文件超过 10 MB 上限"),
    ],
    ids=["empty", "csv", "xls", "broken-zip", "plain-zip", "docx", "zip-bomb", "too-large"],
)
def test_files_that_are_not_a_bounded_xlsx_are_refused(members, data, message):
    before = stored()
    with pytest.raises(UploadRefused) as caught:
        register_import(member=members["officer"], workbook_bytes=data)
    assert caught.value.message_text.startswith(message)
    assert stored() == before


def test_a_declared_xlsx_whose_parts_are_broken_is_refused(members):
    data = _zip(
        {
            "[Content_Types].xml": (
                b'<Types><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
                b'officedocument.spreadsheetml.sheet.main+xml"/></Types>'
            ),
            "xl/workbook.xml": b"<not-xml",
        }
    )
    with pytest.raises(UploadRefused) as caught:
        register_import(member=members["officer"], workbook_bytes=data)
    assert "无法读取该 Excel 工作簿" in caught.value.message_text
