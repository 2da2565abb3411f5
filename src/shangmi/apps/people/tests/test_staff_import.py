"""The HR import with real .xlsx files built by openpyxl: a good file, the report of every bad row,
all or nothing, updates of existing numbers, headers in any order, and the template."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import load_workbook

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.people.actions import staff
from shangmi.apps.people.actions.hr_import import HrImportRejected, hr_import, template_bytes
from shangmi.apps.people.models import Department, Employee, PersonEvent, Position
from shangmi.apps.people.tests.test_staff_support import HEADERS, person_row, stored, workbook
from shangmi.apps.registry.spreadsheets.upload import UploadRefused

pytestmark = pytest.mark.django_db


def _problems(member, data: bytes) -> list[tuple[int, str, str]]:
    with pytest.raises(HrImportRejected) as info:
        hr_import(member=member, workbook_bytes=data)
    return [(p.row, p.column, p.message) for p in info.value.problems]


def test_good_file_creates_people_departments_positions(members):
    officer = members["officer"]
    data = workbook(
        [
            person_row("E001", "张三", 关键人员="是"),
            person_row("E002", "李四", 部门="销售部", 岗位="销售经理", 客户岗位="是", 状态="在职"),
            person_row(1003, "王五", 手机号=13900139000, 入职日期="2023/7/15", 电子邮箱=""),
        ]
    )
    result = hr_import(member=officer, workbook_bytes=data)
    assert (result.created, result.updated, result.unchanged) == (3, 0, 0)
    assert (result.departments_created, result.positions_created) == (2, 2)
    org = officer.organisation
    rows = {
        e.number: e
        for e in Employee.objects.filter(organisation=org).select_related("department", "position")
    }
    assert sorted(rows) == ["1003", "E001", "E002"]
    assert rows["E001"].is_key_person and rows["E001"].state == "onboarding"
    assert rows["E002"].customer_facing and rows["E002"].state == "employed"
    assert rows["E002"].department.name == "销售部" and rows["E002"].position.name == "销售经理"
    assert rows["1003"].phone == "13900139000" and rows["1003"].hired_on == date(2023, 7, 15)
    assert rows["1003"].email == ""
    assert sorted(Department.objects.filter(organisation=org).values_list("name", flat=True)) == [
        "研发部",
        "销售部",
    ]
    assert PersonEvent.objects.filter(organisation=org, kind="hire").count() == 3
    hire = json.loads(PersonEvent.objects.get(employee=rows["E001"]).record)
    assert hire["data"]["source"] == f"hr-import {result.workbook_sha256}"
    assert AuditEvent.objects.get(organisation=org, verb="people.hr_import").changes["created"] == 3


def test_existing_numbers_are_updated_and_counted(members):
    officer = members["officer"]
    existing = staff.employee_add(
        officer, number="E001", name="张三", hired_on=date(2020, 1, 1), phone="13700137000"
    )
    same = staff.employee_add(officer, number="E002", name="李四", hired_on=date(2020, 1, 1))
    data = workbook(
        [
            ["E001", "张三", "质量部", "", "", "", None, "是", "", "在职"],
            ["E002", "李四", "", "", "", "", "", "", "", ""],
        ],
        headers=HEADERS,
    )
    result = hr_import(member=officer, workbook_bytes=data)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    existing.refresh_from_db()
    # Blank cells keep what is stored; given cells change it.
    assert existing.phone == "13700137000" and existing.hired_on == date(2020, 1, 1)
    assert existing.department.name == "质量部" and existing.is_key_person and existing.state == "employed"
    kinds = list(PersonEvent.objects.filter(employee=existing).values_list("kind", flat=True))
    assert kinds == ["hire", "change", "employ"]
    assert list(PersonEvent.objects.filter(employee=same).values_list("kind", flat=True)) == ["hire"]


def test_bad_rows_are_all_reported_and_nothing_is_written(members):
    officer = members["officer"]
    staff.employee_add(officer, number="E009", name="赵六", hired_on=date(2020, 1, 1))
    staff.employee_employ(officer, Employee.objects.get(number="E009"))
    data = workbook(
        [
            person_row("E001"),
            person_row("E002", "", 手机号="1234"),
            person_row("E001", "重复", 电子邮箱="bad@"),
            person_row("E003", 入职日期="2024-13-40", 关键人员="也许"),
            person_row("E004", 入职日期=None, 状态="离职"),
            person_row("E009", "赵六", 状态="入职中"),
        ]
    )
    before = stored()
    assert _problems(officer, data) == [
        (3, "姓名", "姓名不能为空"),
        (3, "手机号", "手机号应为 11 位中国大陆手机号码（如 13800138000）"),
        (4, "工号", "工号“E001”与第 2 行重复"),
        (4, "电子邮箱", "电子邮箱格式不正确"),
        (5, "入职日期", "入职日期“2024-13-40”无法识别，应为日期（如 2024-03-01）"),
        (5, "关键人员", "应填“是”或“否”，不能是“也许”"),
        (6, "入职日期", "新登记人员须填写入职日期"),
        (6, "状态", "状态应为“入职中”或“在职”，不能是“离职”"),
        (7, "状态", "工号“E009”当前状态为“在职”，不能通过导入改为“入职中”"),
    ]
    assert stored() == before


def test_headers_any_order_with_hints_and_missing_required_columns(members):
    officer = members["officer"]
    excel_day = datetime(2024, 5, 6, 0, 0)  # noqa: DTZ001 - Excel date cells are naive
    data = workbook(
        [["研发部", "是", excel_day, "孙七", "E100"]],
        headers=["部门", "关键人员（是/否）", "*入职日期", "姓名", "工号"],
    )
    assert hr_import(member=officer, workbook_bytes=data).created == 1
    employee = Employee.objects.get(number="E100")
    assert (
        employee.is_key_person
        and employee.hired_on == date(2024, 5, 6)
        and employee.department.name == "研发部"
    )

    before = stored()
    missing = workbook([["E200", "周八"]], headers=["工号", "姓名", "备注"])
    assert _problems(officer, missing) == [(1, "入职日期", "缺少“入职日期”列")]
    empty = workbook([])
    assert _problems(officer, empty) == [(2, "工号", "工作簿中没有任何人员")]
    assert stored() == before


def test_not_a_workbook_and_roles(members):
    before = stored()
    with pytest.raises(UploadRefused):
        hr_import(member=members["officer"], workbook_bytes=b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old xls")
    with pytest.raises(UploadRefused):
        hr_import(member=members["officer"], workbook_bytes="工号,姓名\n1,张三".encode())
    for role in ("manager", "employee"):
        with pytest.raises(PermissionDenied):
            hr_import(member=members[role], workbook_bytes=workbook([person_row()]))
    assert stored() == before


def test_template_has_the_headers_and_an_example_that_imports(members):
    data = template_bytes()
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[:7] == ["工号", "姓名", "部门", "岗位", "手机号", "电子邮箱", "入职日期"]
    assert headers[7:] == ["关键人员（是/否）", "客户岗位（是/否）", "状态（入职中/在职）"]
    assert [c.value for c in sheet[2]][:2] == ["E0001", "张三"]
    result = hr_import(member=members["officer"], workbook_bytes=data)
    assert result.created == 1
    assert Position.objects.get(organisation=members["officer"].organisation).name == "工艺工程师"
