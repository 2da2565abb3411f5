"""Forms of the staff pages (employees, departments, positions, settings) and the list's filters.

Like the register's forms, they mark required fields but leave the checking to the actions, so one POST
shows every problem in the action's words."""

from __future__ import annotations

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models import Department, Employee, PeoplePolicy, Position
from shangmi.apps.people.models.choices import EmployeeState, Sensitivity
from shangmi.apps.registry.forms.base import DateInput, StyledForm, member_choices

# ---- the list's filters (pages and API) ---------------------------------------------------------------

FILTERS = ("q", "department", "position", "state", "key", "entrusted")
_TRUE = {"1", "true", "on", "yes"}


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def filter_employees(qs: QuerySet[Employee], params) -> QuerySet[Employee]:
    """Apply the list's filters: q (name or number, substring), department and position (ids), state,
    key (关键人员) and entrusted (关键人员 or a sensitive position). Unknown values filter nothing out
    silently: an unknown id or state simply matches no row."""
    q = str(params.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(number__icontains=q))
    for name in ("department", "position"):
        raw = params.get(name)
        if raw not in (None, ""):
            pk = _int(raw)
            qs = qs.filter(**{f"{name}_id": pk}) if pk is not None else qs.none()
    state = str(params.get("state") or "")
    if state:
        qs = qs.filter(state=state) if state in EmployeeState.values else qs.none()
    if str(params.get("key") or "").lower() in _TRUE or params.get("key") is True:
        qs = qs.filter(is_key_person=True)
    if str(params.get("entrusted") or "").lower() in _TRUE or params.get("entrusted") is True:
        sensitive = Q(position__isnull=False) & ~Q(position__sensitivity=Sensitivity.NONE)
        qs = qs.filter(Q(is_key_person=True) | sensitive)
    return qs


# ---- employees -------------------------------------------------------------------------------------


def _choices(model, organisation) -> list[tuple[str, str]]:
    rows = model.objects.filter(organisation=organisation).order_by("name")
    return [("", "—")] + [(str(row.pk), row.name) for row in rows]


class EmployeeForm(StyledForm):
    number = forms.CharField(label=_("工号"), max_length=32, required=False)
    name = forms.CharField(label=_("姓名"), max_length=64, required=False)
    department = forms.ChoiceField(label=_("部门"), required=False)
    position = forms.ChoiceField(label=_("岗位"), required=False, help_text=_("岗位的涉密等级在“岗位”页设置"))
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    hired_on = forms.DateField(label=_("入职日期"), required=False, widget=DateInput())
    user = forms.ChoiceField(
        label=_("关联账号"), required=False, help_text=_("本单位的在职成员；一个账号只能关联一名员工")
    )
    is_key_person = forms.BooleanField(label=_("关键人员"), required=False)
    customer_facing = forms.BooleanField(
        label=_("客户岗位（销售等）"), required=False, help_text=_("离职审计会列出需要通知的客户")
    )
    note = forms.CharField(label=_("备注"), max_length=200, required=False)

    required_marks = ("number", "name", "hired_on")

    def __init__(self, *args, organisation, employee: Employee | None = None, **kwargs):
        initial = {}
        if employee is not None:
            initial = {
                "number": employee.number,
                "name": employee.name,
                "department": str(employee.department_id or ""),
                "position": str(employee.position_id or ""),
                "phone": employee.phone,
                "email": employee.email,
                "hired_on": employee.hired_on,
                "user": str(employee.user_id or ""),
                "is_key_person": employee.is_key_person,
                "customer_facing": employee.customer_facing,
                "note": employee.note,
            }
        super().__init__(*args, initial=initial, **kwargs)
        self.fields["department"].choices = _choices(Department, organisation)
        self.fields["position"].choices = _choices(Position, organisation)
        self.fields["user"].choices = member_choices(organisation, blank="—")

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        for name in ("department", "position", "user"):
            data[name] = _int(data[name])
        return data


# ---- departments and positions ----------------------------------------------------------------------


class DepartmentForm(StyledForm):
    name = forms.CharField(label=_("部门名称"), max_length=64, required=False)
    required_marks = ("name",)


class PositionForm(StyledForm):
    name = forms.CharField(label=_("岗位名称"), max_length=64, required=False)
    sensitivity = forms.ChoiceField(
        label=_("涉密等级"),
        choices=Sensitivity.choices,
        initial=Sensitivity.NONE,
        required=False,
        help_text=_("在涉密岗位上的人员为涉密人员，纳入培训覆盖率统计和离职审计"),
    )
    description = forms.CharField(label=_("说明"), max_length=200, required=False)
    required_marks = ("name", "sensitivity")

    def __init__(self, *args, position: Position | None = None, **kwargs):
        initial = {}
        if position is not None:
            initial = {
                "name": position.name,
                "sensitivity": position.sensitivity,
                "description": position.description,
            }
        super().__init__(*args, initial=initial, **kwargs)


# ---- settings --------------------------------------------------------------------------------------


class PeoplePolicyForm(StyledForm):
    first_training_days = forms.IntegerField(
        label=_("入职后首次培训期限（天）"),
        required=False,
        help_text=_("入职清单要求在此期限内完成首次保密培训"),
    )
    unsigned_reminder_days = forms.IntegerField(label=_("协议发出后未签署提醒（天）"), required=False)
    expiry_reminder_days = forms.IntegerField(label=_("协议到期提前提醒（天）"), required=False)
    access_review_days = forms.IntegerField(
        label=_("离职访问审查回溯（天）"), required=False, help_text=_("离职审计审查此天数内的访问记录")
    )

    required_marks = (
        "first_training_days",
        "unsigned_reminder_days",
        "expiry_reminder_days",
        "access_review_days",
    )

    def __init__(self, *args, policy: PeoplePolicy, **kwargs):
        initial = {name: getattr(policy, name) for name in self.required_marks}
        super().__init__(*args, initial=initial, **kwargs)
