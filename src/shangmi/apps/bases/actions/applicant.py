"""The applicant's side: draft an application (pre-filled from the organisation's own data), edit it,
submit it before the deadline, withdraw it. Refusals name what is wrong and change nothing."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.bases import checklist, jurisdiction, permissions
from shangmi.apps.bases.actions.common import notify, step
from shangmi.apps.bases.models import AppState, BaseApplication, BaseKind, BaseLevel

FORM_FIELDS = (
    "name",
    "head",
    "address",
    "postcode",
    "org_type",
    "size",
    "output_value",
    "provincial_built",
    "city_built",
    "industry",
    "contact",
    "contact_title",
    "phone",
    "work_summary",
    "applicant_opinion",
)
REQUIRED_TO_SUBMIT = ("name", "head", "address", "postcode", "contact", "phone", "work_summary")
BAN_YEARS = 2
_NUMBERS = ("size", "output_value", "provincial_built", "city_built")


def deadline(year: int) -> date:
    """The last day to submit for `year` (settings.BASES_DEADLINE, "MM-DD", default 30 September)."""
    month, day = (int(p) for p in settings.BASES_DEADLINE.split("-"))
    return date(year, month, day)


def ban_until(organisation_id: int) -> date | None:
    """The day until which the organisation may not apply again after a revocation (art. 15)."""
    revoked = (
        BaseApplication.objects.filter(
            applicant_id=organisation_id, state=AppState.REVOKED, revoked_on__isnull=False
        )
        .order_by("-revoked_on")
        .values_list("revoked_on", flat=True)
        .first()
    )
    if revoked is None:
        return None
    try:
        until = revoked.replace(year=revoked.year + BAN_YEARS)
    except ValueError:  # 29 February
        until = revoked.replace(year=revoked.year + BAN_YEARS, day=28)
    return until if until > timezone.localdate() else None


def _require_applicant(member, application: BaseApplication | None = None) -> None:
    if not permissions.is_applicant(member):
        raise PermissionDenied(_("只有本单位的管理员、保密员或管理者可以申报"))
    if application is not None and application.applicant_id != member.organisation_id:
        raise PermissionDenied


def _refuse_if_banned(member) -> None:
    until = ban_until(member.organisation_id)
    if until is not None:
        raise ValidationError(
            _("本单位的基地认定已被撤销，%(date)s 前不得再次申报（指南第十五条）")
            % {"date": until.isoformat()}
        )


def _clean(kind: str, data: dict) -> tuple[dict, dict]:
    errors: dict[str, list[str]] = {}
    values: dict = {}
    for field in FORM_FIELDS:
        if field not in data:
            continue
        value = data[field]
        if isinstance(value, str):
            value = value.strip()
        if value == "":
            value = None if field in _NUMBERS else ""
        values[field] = value
    postcode = values.get("postcode")
    if postcode and not re.fullmatch(r"\d{6}", postcode):
        errors["postcode"] = [_("邮政编码应为 6 位数字")]
    phone = values.get("phone")
    if phone and not re.fullmatch(r"[0-9+\-() ]{7,20}", phone):
        errors["phone"] = [_("请填写有效的联系电话")]
    for field in _NUMBERS:
        value = values.get(field)
        if value is None:
            continue
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= 10**12:
            errors[field] = [_("请填写非负数字")]
        elif field == "output_value":
            values[field] = number.quantize(Decimal("0.01"))
        elif number != number.to_integral_value():
            errors[field] = [_("请填写整数")]
        else:
            values[field] = int(number)
    if kind == BaseKind.POINT:
        values["provincial_built"] = values["city_built"] = None
    return values, errors


def _default_year(today: date) -> int:
    return today.year if today <= deadline(today.year) else today.year + 1


@transaction.atomic
def application_create(*, member, kind: str, level: str = BaseLevel.CITY, request=None) -> BaseApplication:
    """A draft pre-filled from the organisation (name, address, industry, staff count) and, for a 示范点,
    the checklist from its own data and latest self-check."""
    _require_applicant(member)
    errors = {}
    if kind not in BaseKind.values:
        errors["kind"] = [_("请选择示范区、示范指导站或示范点")]
    if level not in BaseLevel.values:
        errors["level"] = [_("请选择县级、市级或省级")]
    if errors:
        raise ValidationError(errors)
    _refuse_if_banned(member)
    org = member.organisation
    district = jurisdiction.region_at(org.region, "county")
    staff = None
    prefilled: dict = {}
    if kind == BaseKind.POINT:
        from shangmi.apps.people.models import Employee
        from shangmi.apps.people.models.choices import EmployeeState

        staff = Employee.objects.filter(organisation_id=org.pk, state=EmployeeState.EMPLOYED).count()
        prefilled = checklist.prefill_point(org.pk)
    application = BaseApplication.objects.create(
        applicant=org,
        kind=kind,
        level=level,
        year=_default_year(timezone.localdate()),
        district=district,
        name=org.name,
        address=org.address,
        industry=org.industry,
        size=staff or None,
        checklist=prefilled,
        created_by=member.user,
    )
    step(member, application, action="create", state_from="", request=request, kind=kind, level=level)
    return application


@transaction.atomic
def application_update(
    *, member, application: BaseApplication, data: dict, checklist_input: dict | None = None, request=None
) -> BaseApplication:
    _require_applicant(member, application)
    application = BaseApplication.objects.select_for_update().get(pk=application.pk)
    if not application.editable:
        raise ValidationError(_("申报已提交，不能修改（退回后可以修改）"))
    values, errors = _clean(application.kind, data)
    if checklist_input is not None:
        parsed, problems = checklist.parse(application.kind, checklist_input)
        for key, message in problems.items():
            errors[f"check_{key}"] = [message]
    if errors:
        raise ValidationError(errors)
    for field, value in values.items():
        setattr(application, field, value)
    if checklist_input is not None:
        evidence = (application.checklist or {}).get("_evidence")
        application.checklist = {**parsed, **({"_evidence": evidence} if evidence else {})}
    application.updated_at = timezone.now()
    application.save(update_fields=[*values, "checklist", "updated_at"])
    step(member, application, action="update", state_from=application.state, request=request)
    return application


@transaction.atomic
def application_submit(*, member, application: BaseApplication, request=None) -> BaseApplication:
    _require_applicant(member, application)
    application = BaseApplication.objects.select_for_update().get(pk=application.pk)
    if not application.editable:
        raise ValidationError(_("只有草稿或被退回的申报可以提交"))
    _refuse_if_banned(member)
    errors: dict[str, list[str]] = {}
    for field in REQUIRED_TO_SUBMIT:
        if not getattr(application, field):
            label = BaseApplication._meta.get_field(field).verbose_name
            errors[field] = [_("提交前请填写“%(field)s”") % {"field": label}]
    if application.district is None:
        errors["district"] = [_("本单位未登记所在区县，请管理员在组织信息中填写后再提交")]
    today = timezone.localdate()
    if today > deadline(application.year):
        errors["year"] = [
            _("%(year)d 年度申报已于 %(date)s 截止")
            % {"year": application.year, "date": deadline(application.year).isoformat()}
        ]
    if errors:
        raise ValidationError(errors)
    state_from = application.state
    application.state = AppState.SUBMITTED
    application.submitted_at = application.updated_at = timezone.now()
    application.save(update_fields=["state", "submitted_at", "updated_at"])
    step(member, application, action="submit", state_from=state_from, request=request)
    from shangmi.apps.bases.actions.bureau import reviewing_bureau

    bureau = reviewing_bureau(application)
    if bureau is not None:
        notify(
            bureau,
            application,
            _("新的基地申报待审核推荐：%(name)s") % {"name": application.name},
            bureau=True,
        )
    return application


@transaction.atomic
def application_withdraw(*, member, application: BaseApplication, request=None) -> BaseApplication:
    _require_applicant(member, application)
    application = BaseApplication.objects.select_for_update().get(pk=application.pk)
    if application.state not in (AppState.DRAFT, AppState.SUBMITTED, AppState.RETURNED):
        raise ValidationError(_("已进入验收的申报不能撤回"))
    state_from = application.state
    application.state = AppState.WITHDRAWN
    application.updated_at = timezone.now()
    application.save(update_fields=["state", "updated_at"])
    step(member, application, action="withdraw", state_from=state_from, request=request)
    if state_from == AppState.SUBMITTED:
        from shangmi.apps.bases.actions.bureau import reviewing_bureau

        bureau = reviewing_bureau(application)
        if bureau is not None:
            title = _("基地申报已由申报单位撤回：%(name)s") % {"name": application.name}
            notify(bureau, application, title, bureau=True)
    return application
