"""The reminder letter (保密义务提醒函): a DOCX that opens, names the person, lists the secrets they knew by
code and name only, the carriers returned and the non-compete decision."""

from __future__ import annotations

import io

import pytest
from docx import Document

from shangmi.apps.people.actions import departures as actions
from shangmi.apps.people.documents.letter import reminder_letter

from .test_departures_actions import item_of, make_employee, make_leaver, resign

pytestmark = pytest.mark.django_db


def text_of(data: bytes) -> str:
    document = Document(io.BytesIO(data))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def test_the_letter_names_the_person_the_secrets_and_the_carriers_without_content(members):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    actions.item_complete(
        member=members["officer"], item=item_of(departure, "carrier"), outcome="returned", note="已交回"
    )
    actions.item_complete(
        member=members["officer"],
        item=item_of(departure, "non_compete"),
        outcome="done",
        decision="enforce",
        note="核心岗位",
    )
    data = reminder_letter(departure)
    assert data[:4] == b"PK\x03\x04"
    text = text_of(data)
    assert "保密义务提醒函" in text
    assert "张三（工号 E001）" in text
    secret = leaver["secret"]
    assert secret.code in text and secret.name in text
    assert "PID 参数整定表的具体数值" not in text  # the description (content) never appears
    assert "分 6 段" not in text  # nor the secret points' descriptions
    assert f"{leaver['carrier'].code} PID 参数整定表（纸质）：已归还" in text
    assert "公司决定履行竞业限制" in text and "2026-12-21" in text and "3000.00" in text
    assert members["officer"].user.name in text  # the contact
    assert "2026-12-20" in text  # the last day


def test_a_letter_for_someone_with_no_register_rows_still_reminds_them(members):
    employee = make_employee(members["officer"].organisation, None, name="李四", number="E002")
    departure = resign(members, employee)
    text = text_of(reminder_letter(departure))
    assert "李四（工号 E002）" in text
    assert "台账中无由您保管的载体" in text
    assert "四、竞业限制" not in text
