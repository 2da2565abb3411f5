"""Staff actions: departments, positions, employees, linking accounts, onboarding → employed, settings."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.people.actions import staff
from shangmi.apps.people.models import Department, Employee, PeoplePolicy, PersonEvent, Position
from shangmi.apps.people.tests.test_staff_support import stored
from shangmi.apps.registry.actions.validation import TransitionRefused

pytestmark = pytest.mark.django_db
HIRED = date(2024, 3, 1)


def _add(member, **over):
    fields = {"number": "E001", "name": "张三", "hired_on": HIRED}
    fields.update(over)
    return staff.employee_add(member, **fields)


def test_employee_add_writes_hire_event_with_deposit_and_audit(members):
    officer = members["officer"]
    dept = staff.department_add(member=officer, name="研发部")
    pos = staff.position_add(member=officer, name="工艺工程师", sensitivity="core")
    employee = _add(
        officer,
        department=dept.pk,
        position=pos,
        phone="138 0013 8000",
        email="ZS@Example.com",
        is_key_person=True,
    )
    assert employee.state == "onboarding"
    assert employee.phone == "13800138000" and employee.email == "zs@example.com"
    assert employee.is_entrusted
    [event] = PersonEvent.objects.filter(employee=employee)
    assert event.kind == "hire" and event.deposit_id is not None and event.actor == officer.user
    record = json.loads(event.record)
    assert record["data"]["department"] == "研发部" and record["data"]["sensitivity"] == "core"
    assert record["employee"] == "张三（E001）"
    assert AuditEvent.objects.filter(organisation=officer.organisation, verb="people.hire").count() == 1


@pytest.mark.parametrize("role", ["manager", "employee"])
def test_only_officers_and_admins_manage(members, role):
    before = stored()
    with pytest.raises(PermissionDenied):
        _add(members[role])
    with pytest.raises(PermissionDenied):
        staff.department_add(member=members[role], name="研发部")
    with pytest.raises(PermissionDenied):
        staff.position_add(member=members[role], name="销售")
    assert stored() == before


def test_admin_may_add(members):
    assert _add(members["admin"]).number == "E001"


def test_bad_input_names_every_field_and_writes_nothing(members, other_enterprise):
    officer = members["officer"]
    foreign_dept = Department.objects.create(organisation=other_enterprise[0], name="外部门")
    before = stored()
    with pytest.raises(ValidationError) as info:
        staff.employee_add(
            officer,
            number="",
            name="",
            phone="12345",
            email="not-an-email",
            department=foreign_dept.pk,
            position=999999,
            hired_on=timezone.localdate() + timedelta(days=400),
            state="left",
        )
    assert set(info.value.message_dict) == {
        "number",
        "name",
        "phone",
        "email",
        "department",
        "position",
        "hired_on",
        "state",
    }
    assert info.value.message_dict["phone"] == ["手机号应为 11 位中国大陆手机号码（如 13800138000）"]
    assert stored() == before


def test_missing_hire_date_and_taken_number(members):
    officer = members["officer"]
    _add(officer)
    with pytest.raises(ValidationError) as info:
        staff.employee_add(officer, number="E001", name="李四", hired_on=None)
    assert info.value.message_dict == {"number": ["工号“E001”已被使用"], "hired_on": ["请填写入职日期"]}


def test_link_account_rules(members, enterprise, other_enterprise, make_member):
    org, people = enterprise
    officer = members["officer"]
    first = _add(officer)
    second = _add(officer, number="E002", name="李四")
    # Linking an active member of the same organisation works and is recorded as a change.
    staff.employee_update(officer, first, user=people["employee"].pk)
    first.refresh_from_db()
    assert first.user_id == people["employee"].pk
    change = PersonEvent.objects.get(employee=first, kind="change")
    assert json.loads(change.record)["data"]["changes"]["user"] == ["", people["employee"].email]
    before = stored()
    # Not twice: the account is linked to 张三.
    with pytest.raises(ValidationError) as info:
        staff.employee_update(officer, second, user=people["employee"].pk)
    assert info.value.message_dict == {"user": ["该账号已关联员工 张三（E001）"]}
    # Not a member of another organisation.
    with pytest.raises(ValidationError) as info:
        staff.employee_update(officer, second, user=other_enterprise[1]["employee"].pk)
    assert info.value.message_dict == {"user": ["不是本单位的在职成员"]}
    # Not an inactive member.
    gone = make_member(org, "employee")
    from shangmi.apps.accounts.models import Membership

    Membership.objects.filter(user=gone).update(is_active=False)
    before = stored()
    with pytest.raises(ValidationError):
        staff.employee_update(officer, second, user=gone.pk)
    assert stored() == before
    # Relinking the same account to the same person is no change; unlinking is.
    staff.employee_update(officer, first, user=people["employee"].pk)
    assert PersonEvent.objects.filter(employee=first, kind="change").count() == 1
    staff.employee_update(officer, first, user=None)
    first.refresh_from_db()
    assert first.user_id is None


def test_update_records_only_changed_fields(members):
    officer = members["officer"]
    employee = _add(officer, phone="13800138000")
    staff.employee_update(officer, employee, phone="13800138000", name="张三丰", customer_facing=True)
    event = PersonEvent.objects.get(employee=employee, kind="change")
    assert json.loads(event.record)["data"]["changes"] == {
        "name": ["张三", "张三丰"],
        "customer_facing": [False, True],
    }
    with pytest.raises(ValidationError) as info:
        staff.employee_update(officer, employee, state="left")
    assert info.value.message_dict == {"state": ["不能修改此项"]}


def test_employ_moves_onboarding_to_employed_once(members):
    officer = members["officer"]
    employee = _add(officer)
    staff.employee_employ(officer, employee)
    employee.refresh_from_db()
    assert employee.state == "employed"
    assert list(PersonEvent.objects.filter(employee=employee).values_list("kind", flat=True)) == [
        "hire",
        "employ",
    ]
    before = stored()
    with pytest.raises(TransitionRefused) as info:
        staff.employee_employ(officer, employee)
    assert "只有“入职中”的人员可以转为在职" in info.value.messages[0]
    assert stored() == before
    with pytest.raises(PermissionDenied):
        staff.employee_employ(members["manager"], _add(officer, number="E002"))


def test_departments_and_positions(members):
    officer = members["officer"]
    dept = staff.department_add(member=officer, name=" 研发部 ")
    assert dept.name == "研发部"
    with pytest.raises(ValidationError) as info:
        staff.department_add(member=officer, name="研发部")
    assert info.value.message_dict == {"name": ["“研发部”已存在"]}
    staff.department_rename(member=officer, department=dept, name="技术研发部")
    assert Department.objects.get(pk=dept.pk).name == "技术研发部"
    assert AuditEvent.objects.filter(verb="people.department_rename").count() == 1

    pos = staff.position_add(member=officer, name="销售经理")
    assert pos.sensitivity == "none"
    holder = _add(officer, position=pos)
    assert not Employee.objects.get(pk=holder.pk).is_entrusted
    staff.position_update(member=officer, position=pos, name="销售经理", sensitivity="important")
    assert Employee.objects.select_related("position").get(pk=holder.pk).is_entrusted
    audit = AuditEvent.objects.get(verb="people.position_update")
    assert audit.changes["sensitivity"] == ["none", "important"] and audit.changes["holders"] == ["E001"]
    before = stored()
    with pytest.raises(ValidationError) as info:
        staff.position_update(member=officer, position=pos, name="", sensitivity="secret")
    assert set(info.value.message_dict) == {"name", "sensitivity"}
    assert stored() == before
    assert Position.objects.get(pk=pos.pk).sensitivity == "important"


def test_policy_update_saves_and_audits(members):
    officer = members["officer"]
    values = {
        "first_training_days": 14,
        "unsigned_reminder_days": 3,
        "expiry_reminder_days": 60,
        "access_review_days": 90,
    }
    policy = staff.people_policy_update(member=officer, **values)
    assert PeoplePolicy.objects.get(organisation=officer.organisation).first_training_days == 14
    audit = AuditEvent.objects.get(verb="people.policy")
    assert audit.changes["first_training_days"] == [30, 14]
    assert policy.access_review_days == 90
    before = stored()
    with pytest.raises(ValidationError) as info:
        staff.people_policy_update(
            member=officer, **{**values, "first_training_days": 0, "access_review_days": None}
        )
    assert set(info.value.message_dict) == {"first_training_days", "access_review_days"}
    with pytest.raises(PermissionDenied):
        staff.people_policy_update(member=members["manager"], **values)
    assert stored() == before
