"""Staff: departments, positions with their sensitivity, employees (optionally linked to a user account),
the step from onboarding to employed, and the people side's settings.

Employee steps write their timeline row (HIRE / CHANGE / EMPLOY) through records.record_person_event;
department, position and settings changes are organisation-level and leave an audit event. Every action
checks the role (PermissionDenied), names the field on bad input (ValidationError dict) and writes nothing
on refusal."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.models import Department, Employee, PeoplePolicy, Position
from shangmi.apps.people.models.choices import EmployeeState, PersonEventKind, Sensitivity
from shangmi.apps.registry.actions.validation import TransitionRefused, member_of, raise_if, require
from shangmi.apps.registry.wording import series

EARLIEST_HIRE = date(1950, 1, 1)
# A record may be entered before the first day, but not for a start more than a year away.
HIRE_AHEAD = timedelta(days=366)
# Chinese mobile numbers, optionally with the country code; spaces and hyphens are ignored.
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
_PHONE_NOISE = re.compile(r"[\s\-()（）]")

EMPLOYEE_FIELDS = (
    "number",
    "name",
    "phone",
    "email",
    "department",
    "position",
    "is_key_person",
    "customer_facing",
    "user",
    "hired_on",
    "note",
)
ADD_STATES = (EmployeeState.ONBOARDING, EmployeeState.EMPLOYED)


# ---- snapshots -------------------------------------------------------------------------------------


def employee_snapshot(employee: Employee) -> dict[str, Any]:
    """What the record says of a person, as it goes into the timeline's canonical records."""
    return {
        "number": employee.number,
        "name": employee.name,
        "phone": employee.phone,
        "email": employee.email,
        "department": employee.department.name if employee.department_id else "",
        "position": employee.position.name if employee.position_id else "",
        "sensitivity": employee.position.sensitivity if employee.position_id else "",
        "is_key_person": employee.is_key_person,
        "customer_facing": employee.customer_facing,
        "user": employee.user.email if employee.user_id else "",
        "state": employee.state,
        "hired_on": employee.hired_on,
        "note": employee.note,
    }


# ---- field checks (shared with the HR import) --------------------------------------------------------


def clean_phone(raw: Any, errors: dict, field: str = "phone") -> str:
    text = _PHONE_NOISE.sub("", str(raw or "").strip())
    if not text:
        return ""
    match = _MOBILE.match(text)
    if match is None:
        errors[field] = [_("手机号应为 11 位中国大陆手机号码（如 13800138000）")]
        return text
    return match.group(1)


def clean_email(raw: Any, errors: dict, field: str = "email") -> str:
    text = str(raw or "").strip()
    if not text:
        return ""
    try:
        validate_email(text)
    except ValidationError:
        errors[field] = [_("电子邮箱格式不正确")]
        return text
    if len(text) > 254:
        errors[field] = [_("电子邮箱最长 254 个字符")]
    return text.lower()


def clean_hired_on(value: Any, errors: dict, field: str = "hired_on") -> date | None:
    if value in (None, ""):
        errors[field] = [_("请填写入职日期")]
        return None
    if not isinstance(value, date):
        errors[field] = [_("入职日期应为日期（YYYY-MM-DD）")]
        return None
    if value < EARLIEST_HIRE or value > timezone.localdate() + HIRE_AHEAD:
        errors[field] = [_("入职日期应在 1950 年之后，且不晚于一年后")]
    return value


def _text(value: Any) -> str:
    return str(value if value is not None else "").strip()


def _bounded(fields: dict, field: str, label: str, limit: int, errors: dict, *, required: bool) -> str:
    text = _text(fields.get(field))
    if required and not text:
        errors[field] = [_("请填写%(label)s") % {"label": label}]
    elif len(text) > limit:
        errors[field] = [_("%(label)s最长 %(n)s 字") % {"label": label, "n": limit}]
    return text


def _bool(fields: dict, field: str, errors: dict) -> bool:
    value = fields.get(field, False)
    if value in (None, ""):
        return False
    if not isinstance(value, bool):
        errors[field] = [_("应为是或否")]
        return False
    return value


def _org_row(model, organisation, value, field: str, errors: dict, missing: str):
    """A department or position of the organisation, given as the object or its id; None when blank."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        errors[field] = [missing]
        return None
    found = model.objects.filter(organisation=organisation, pk=pk).first()
    if found is None:
        errors[field] = [missing]
    return found


def clean_employee_fields(
    organisation, fields: dict, errors: dict, *, employee: Employee | None = None
) -> dict:
    """Check the given fields (all of EMPLOYEE_FIELDS for a new record; any subset for an update) and
    return them cleaned, keyed by model field. `employee` is the record being changed, if any."""
    unknown = set(fields) - set(EMPLOYEE_FIELDS)
    for name in sorted(unknown):
        errors[name] = [_("不能修改此项")]
    out: dict[str, Any] = {}
    if "number" in fields:
        number = _bounded(fields, "number", _("工号"), 32, errors, required=True)
        taken = Employee.objects.filter(organisation=organisation, number=number)
        if employee is not None:
            taken = taken.exclude(pk=employee.pk)
        if number and "number" not in errors and taken.exists():
            errors["number"] = [_("工号“%(n)s”已被使用") % {"n": number}]
        out["number"] = number
    if "name" in fields:
        out["name"] = _bounded(fields, "name", _("姓名"), 64, errors, required=True)
    if "phone" in fields:
        out["phone"] = clean_phone(fields["phone"], errors)
    if "email" in fields:
        out["email"] = clean_email(fields["email"], errors)
    if "department" in fields:
        out["department"] = _org_row(
            Department, organisation, fields["department"], "department", errors, _("部门不存在")
        )
    if "position" in fields:
        out["position"] = _org_row(
            Position, organisation, fields["position"], "position", errors, _("岗位不存在")
        )
    for flag in ("is_key_person", "customer_facing"):
        if flag in fields:
            out[flag] = _bool(fields, flag, errors)
    if "user" in fields:
        out["user"] = _linked_user(organisation, fields["user"], errors, employee)
    if "hired_on" in fields:
        out["hired_on"] = clean_hired_on(fields["hired_on"], errors)
    if "note" in fields:
        out["note"] = _bounded(fields, "note", _("备注"), 200, errors, required=False)
    return out


def _linked_user(organisation, value, errors: dict, employee: Employee | None):
    """The account to link: an active member of the same organisation, linked to no other employee."""
    if value in (None, ""):
        return None
    try:
        user_id = int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        errors["user"] = [_("不是本单位的在职成员")]
        return None
    user = member_of(organisation, user_id, "user", errors)
    if user is None:
        return None
    other = Employee.objects.filter(organisation=organisation, user_id=user.pk)
    if employee is not None:
        other = other.exclude(pk=employee.pk)
    linked = other.first()
    if linked is not None:
        errors["user"] = [_("该账号已关联员工 %(who)s") % {"who": str(linked)}]
    return user


# ---- departments and positions ----------------------------------------------------------------------


def _clean_name(name: Any, field_label: str, errors: dict) -> str:
    text = _text(name)
    if not text:
        errors["name"] = [_("请填写%(label)s") % {"label": field_label}]
    elif len(text) > 64:
        errors["name"] = [_("%(label)s最长 64 字") % {"label": field_label}]
    return text


def _name_taken(model, organisation, name: str, errors: dict, exclude=None) -> None:
    qs = model.objects.filter(organisation=organisation, name=name)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if name and "name" not in errors and qs.exists():
        errors["name"] = [_("“%(name)s”已存在") % {"name": name}]


@transaction.atomic
def department_add(*, member, name: str, request=None) -> Department:
    require(permissions.can_manage(member))
    errors: dict = {}
    name = _clean_name(name, _("部门名称"), errors)
    _name_taken(Department, member.organisation, name, errors)
    raise_if(errors)
    department = Department.objects.create(organisation=member.organisation, name=name)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.department_add",
        obj=department,
        changes={"name": name},
        request=request,
    )
    return department


@transaction.atomic
def department_rename(*, member, department: Department, name: str, request=None) -> Department:
    require(permissions.can_manage(member))
    department = Department.objects.select_for_update(of=("self",)).get(pk=department.pk)
    errors: dict = {}
    name = _clean_name(name, _("部门名称"), errors)
    _name_taken(Department, department.organisation, name, errors, exclude=department)
    raise_if(errors)
    old = department.name
    if old == name:
        return department
    department.name = name
    department.save(update_fields=["name"])
    audit_record(
        organisation=department.organisation,
        actor=member.user,
        verb="people.department_rename",
        obj=department,
        changes={"name": [old, name]},
        request=request,
    )
    return department


def _clean_position(organisation, name, sensitivity, description, errors: dict, exclude=None) -> dict:
    name = _clean_name(name, _("岗位名称"), errors)
    _name_taken(Position, organisation, name, errors, exclude=exclude)
    if sensitivity not in Sensitivity.values:
        errors["sensitivity"] = [_("涉密等级应为：核心涉密岗位、重要涉密岗位、一般涉密岗位、非涉密岗位")]
    description = _text(description)
    if len(description) > 200:
        errors["description"] = [_("说明最长 200 字")]
    return {"name": name, "sensitivity": sensitivity, "description": description}


@transaction.atomic
def position_add(
    *, member, name: str, sensitivity: str = Sensitivity.NONE, description: str = "", request=None
) -> Position:
    require(permissions.can_manage(member))
    errors: dict = {}
    cleaned = _clean_position(member.organisation, name, sensitivity, description, errors)
    raise_if(errors)
    position = Position.objects.create(organisation=member.organisation, **cleaned)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.position_add",
        obj=position,
        changes=cleaned,
        request=request,
    )
    return position


@transaction.atomic
def position_update(
    *, member, position: Position, name: str, sensitivity: str, description: str = "", request=None
) -> Position:
    """Rename a position or change its sensitivity (which makes its holders entrusted people or not)."""
    require(permissions.can_manage(member))
    position = Position.objects.select_for_update(of=("self",)).get(pk=position.pk)
    errors: dict = {}
    cleaned = _clean_position(position.organisation, name, sensitivity, description, errors, exclude=position)
    raise_if(errors)
    changes = {k: [getattr(position, k), v] for k, v in cleaned.items() if getattr(position, k) != v}
    if not changes:
        return position
    for key, value in cleaned.items():
        setattr(position, key, value)
    position.save(update_fields=list(changes))
    holders = list(
        Employee.objects.filter(position=position)
        .exclude(state=EmployeeState.LEFT)
        .values_list("number", flat=True)
    )
    audit_record(
        organisation=position.organisation,
        actor=member.user,
        verb="people.position_update",
        obj=position,
        changes={**changes, "holders": holders},
        request=request,
    )
    return position


# ---- employees -------------------------------------------------------------------------------------


def _write(save) -> None:
    """A number or account taken by someone else between the check and the write: nothing is stored."""
    try:
        with transaction.atomic():
            save()
    except IntegrityError:
        raise ValidationError({"number": [_("工号或关联账号刚被他人使用，未保存；请重试")]}) from None


@transaction.atomic
def employee_add(member, *, request=None, state: str = EmployeeState.ONBOARDING, **fields) -> Employee:
    """Register a person (登记入职). Fields: number, name, hired_on (required); phone, email, department,
    position (object or id), is_key_person, customer_facing, user (account to link), note."""
    require(permissions.can_manage(member))
    organisation = member.organisation
    errors: dict = {}
    given = {name: fields.get(name) for name in EMPLOYEE_FIELDS}
    for extra in set(fields) - set(EMPLOYEE_FIELDS):
        given[extra] = fields[extra]
    cleaned = clean_employee_fields(organisation, given, errors)
    if state not in ADD_STATES:
        errors["state"] = [_("新登记人员的状态应为：入职中、在职")]
    raise_if(errors)
    employee = Employee(organisation=organisation, state=state, **cleaned)
    _write(lambda: employee.save(force_insert=True))
    record_person_event(
        member=member,
        organisation=organisation,
        kind=PersonEventKind.HIRE,
        data=employee_snapshot(employee),
        employee=employee,
        summary=_("登记入职：%(who)s") % {"who": str(employee)},
        request=request,
    )
    return employee


def _shown(value) -> Any:
    """A changed value as the record states it: names for related rows, the account's e-mail."""
    if value is None:
        return ""
    if isinstance(value, (Department, Position)):
        return value.name
    if hasattr(value, "email") and hasattr(value, "pk"):
        return value.email
    return value


@transaction.atomic
def employee_update(member, employee: Employee, *, request=None, **fields) -> Employee:
    """Change any of the record's fields (only those given). Linking an account requires an active member
    of the same organisation not linked to another employee; pass user=None to unlink."""
    require(permissions.can_manage(member))
    employee = (
        Employee.objects.select_for_update(of=("self",))
        .select_related("department", "position", "user")
        .get(pk=employee.pk)
    )
    errors: dict = {}
    cleaned = clean_employee_fields(employee.organisation, fields, errors, employee=employee)
    raise_if(errors)
    return apply_changes(member, employee, cleaned, request=request)


def apply_changes(
    member, employee: Employee, cleaned: dict, *, request=None, source: str = "", batch=None
) -> Employee:
    """Store already-checked changes and write one CHANGE event listing them (nothing when none); into
    `batch` (a PersonEventBatch) when the change is part of a bulk step."""
    changes = {}
    for key, value in cleaned.items():
        old = getattr(employee, key)
        if old != value:
            changes[key] = [_shown(old), _shown(value)]
            setattr(employee, key, value)
    if not changes:
        return employee
    _write(lambda: employee.save(update_fields=list(changes)))
    data = {"changes": changes}
    if source:
        data["source"] = source
    summary = _("信息变更：%(fields)s") % {
        "fields": series(Employee._meta.get_field(k).verbose_name for k in changes)
    }
    if batch is not None:
        batch.add(kind=PersonEventKind.CHANGE, data=data, employee=employee, summary=summary)
    else:
        record_person_event(
            member=member,
            organisation=employee.organisation,
            kind=PersonEventKind.CHANGE,
            data=data,
            employee=employee,
            summary=summary,
            request=request,
        )
    return employee


@transaction.atomic
def employee_employ(member, employee: Employee, *, request=None) -> Employee:
    """Onboarding → employed (转为在职)."""
    require(permissions.can_manage(member))
    employee = Employee.objects.select_for_update(of=("self",)).get(pk=employee.pk)
    if employee.state != EmployeeState.ONBOARDING:
        raise TransitionRefused(
            _("%(who)s 当前状态为“%(state)s”，只有“入职中”的人员可以转为在职")
            % {"who": str(employee), "state": employee.get_state_display()}
        )
    employee.state = EmployeeState.EMPLOYED
    employee.save(update_fields=["state"])
    record_person_event(
        member=member,
        organisation=employee.organisation,
        kind=PersonEventKind.EMPLOY,
        data={"state": [EmployeeState.ONBOARDING, EmployeeState.EMPLOYED], "on": timezone.localdate()},
        employee=employee,
        summary=_("转为在职"),
        request=request,
    )
    return employee


# ---- settings --------------------------------------------------------------------------------------

POLICY_FIELDS = {
    "first_training_days": (1, 365),
    "unsigned_reminder_days": (1, 365),
    "expiry_reminder_days": (1, 365),
    "access_review_days": (1, 365),
}


@transaction.atomic
def people_policy_update(*, member, request=None, **values) -> PeoplePolicy:
    """Save the people side's settings (first training deadline, reminders, access review window)."""
    require(permissions.can_manage(member))
    errors: dict = {}
    for name in sorted(set(values) - set(POLICY_FIELDS)):
        errors[name] = [_("不能修改此项")]
    for name, (low, high) in POLICY_FIELDS.items():
        value = values.get(name)
        if type(value) is not int or not low <= value <= high:
            errors[name] = [_("应为 %(low)s 至 %(high)s 的整数（天）") % {"low": low, "high": high}]
    raise_if(errors)
    policy, _created = PeoplePolicy.objects.select_for_update(of=("self",)).get_or_create(
        organisation=member.organisation
    )
    changes = {
        name: [getattr(policy, name), values[name]]
        for name in POLICY_FIELDS
        if getattr(policy, name) != values[name]
    }
    for name in POLICY_FIELDS:
        setattr(policy, name, values[name])
    policy.save(update_fields=list(POLICY_FIELDS))
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.policy",
        obj=policy,
        changes=changes or {name: values[name] for name in POLICY_FIELDS},
        request=request,
    )
    return policy
