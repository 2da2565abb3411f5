"""Agreements (保密协议等): drafted from this project's templates with the parties' data, sent, signed (the
signed scan is kept and its digests deposited), terminated, or expired by the system. Illegal steps raise
TransitionRefused and change nothing; every step is on the person's timeline and deposited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Organisation
from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.non_compete import clean_terms
from shangmi.apps.people.actions.records import person_label, record_person_event
from shangmi.apps.people.models import Agreement, Employee, ExternalParty, NonCompeteTerms
from shangmi.apps.people.models.choices import (
    EMPLOYEE_KINDS,
    PARTY_KINDS,
    AgreementKind,
    AgreementState,
    EmployeeState,
    PersonEventKind,
)
from shangmi.apps.people.storage import document_kind, safe_name, store_document
from shangmi.apps.registry.actions.validation import TransitionRefused, raise_if, require
from shangmi.apps.registry.wording import series

NUMBER_PREFIX = "AGR"
TERMINABLE = (AgreementState.DRAFT, AgreementState.SENT, AgreementState.SIGNED)
SIGNABLE = (AgreementState.DRAFT, AgreementState.SENT)


def require_agreement_state(agreement: Agreement, *states: str, action: str) -> None:
    if agreement.state not in states:
        wanted = series(str(AgreementState(s).label) for s in states)
        raise TransitionRefused(
            _("协议“%(number)s”当前状态为“%(state)s”，不能%(action)s；只有“%(wanted)s”状态可以。")
            % {
                "number": agreement.number,
                "state": agreement.get_state_display(),
                "action": action,
                "wanted": wanted,
            }
        )


def next_agreement_number(organisation, year: int) -> str:
    """AGR-<year>-<NNNN>, one more than the highest of that year in the organisation. Call inside the
    transaction after locking the organisation row."""
    prefix = f"{NUMBER_PREFIX}-{year}-"
    highest = 0
    for number in Agreement.objects.filter(organisation=organisation, number__startswith=prefix).values_list(
        "number", flat=True
    ):
        tail = number[len(prefix) :]
        if tail.isdigit():
            highest = max(highest, int(tail))
    return f"{prefix}{highest + 1:04d}"


def agreement_snapshot(agreement: Agreement) -> dict[str, Any]:
    data: dict[str, Any] = {
        "number": agreement.number,
        "kind": agreement.kind,
        "employee": person_label(agreement.employee),
        "party": agreement.party.name if agreement.party is not None else "",
        "effective_on": agreement.effective_on,
        "expires_on": agreement.expires_on,
        "template_version": agreement.template_version,
        "generated_sha256": agreement.generated_sha256,
    }
    terms = getattr(agreement, "non_compete", None) if agreement.kind == AgreementKind.NON_COMPETE else None
    if terms is not None:
        data["non_compete"] = {
            "scope": terms.scope,
            "region": terms.region,
            "months": terms.months,
            "monthly_compensation": terms.monthly_compensation,
        }
    return data


def _clean_counterparty(member, kind: str, employee, party, errors: dict) -> None:
    org_id = member.organisation_id
    if kind in EMPLOYEE_KINDS:
        if employee is None:
            errors["employee"] = [
                _("“%(kind)s”须与员工签订，请选择员工") % {"kind": AgreementKind(kind).label}
            ]
        elif not isinstance(employee, Employee) or employee.organisation_id != org_id:
            errors["employee"] = [_("不是本单位登记的员工")]
        elif employee.state == EmployeeState.LEFT and kind != AgreementKind.DEPARTURE_PLEDGE:
            errors["employee"] = [_("%(name)s 已离职") % {"name": employee.name}]
        if party is not None:
            errors["party"] = [_("与员工签订的协议不填写外部单位")]
    elif kind in PARTY_KINDS:
        if party is None:
            errors["party"] = [
                _("“%(kind)s”须与外部单位签订，请选择外部单位") % {"kind": AgreementKind(kind).label}
            ]
        elif not isinstance(party, ExternalParty) or party.organisation_id != org_id:
            errors["party"] = [_("不是本单位登记的外部单位")]
        if employee is not None:
            errors["employee"] = [_("与外部单位签订的协议不填写员工")]


def _clean_dates(fields: dict[str, Any], errors: dict) -> tuple[date | None, date | None]:
    effective_on, expires_on = fields.get("effective_on"), fields.get("expires_on")
    for name, value in (("effective_on", effective_on), ("expires_on", expires_on)):
        if value not in (None, "") and not isinstance(value, date):
            errors[name] = [_("日期格式应为 YYYY-MM-DD")]
    effective_on = effective_on if isinstance(effective_on, date) else None
    expires_on = expires_on if isinstance(expires_on, date) else None
    if effective_on and expires_on and expires_on <= effective_on:
        errors["expires_on"] = [_("到期日期应晚于生效日期")]
    return effective_on, expires_on


@transaction.atomic
def agreement_draft(
    member,
    kind: str,
    employee: Employee | None = None,
    party: ExternalParty | None = None,
    *,
    request=None,
    **fields,
) -> Agreement:
    """Draft an agreement and generate its DOCX. Fields: number (optional; default AGR-<year>-<NNNN>),
    effective_on, expires_on; for a 竞业限制协议 also scope, region, months, monthly_compensation."""
    from shangmi.apps.people.documents.agreements import TEMPLATE_VERSION, render_agreement

    require(permissions.can_manage(member))
    organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=member.organisation_id)
    errors: dict = {}
    if kind not in AgreementKind.values:
        errors["kind"] = [
            _("协议类型应为：%(kinds)s") % {"kinds": series(str(label) for label in AgreementKind.labels)}
        ]
    else:
        _clean_counterparty(member, kind, employee, party, errors)
    effective_on, expires_on = _clean_dates(fields, errors)
    number = str(fields.get("number") or "").strip()
    if len(number) > 40:
        errors["number"] = [_("协议编号最长 40 字")]
    elif number and Agreement.objects.filter(organisation=organisation, number=number).exists():
        errors["number"] = [_("协议编号“%(number)s”已被使用") % {"number": number}]
    terms: dict[str, Any] | None = None
    if kind == AgreementKind.NON_COMPETE:
        terms = clean_terms(fields, errors)
    raise_if(errors)
    agreement = Agreement.objects.create(
        organisation=organisation,
        kind=kind,
        number=number or next_agreement_number(organisation, timezone.localdate().year),
        employee=employee if kind in EMPLOYEE_KINDS else None,
        party=party if kind in PARTY_KINDS else None,
        effective_on=effective_on,
        expires_on=expires_on,
        template_version=TEMPLATE_VERSION,
        created_by=member.user,
    )
    if terms is not None:
        agreement.non_compete = NonCompeteTerms.objects.create(agreement=agreement, **terms)
    # The generated document is kept as generated, by its SHA-256, so the download is the very file.
    data = render_agreement(agreement)
    agreement.generated_sha256 = store_document(organisation.pk, f"{agreement.number}.docx", data).sha256
    agreement.save(update_fields=["generated_sha256"])
    record_person_event(
        member=member,
        organisation=organisation,
        kind=PersonEventKind.AGREEMENT_DRAFT,
        employee=agreement.employee,
        agreement=agreement,
        summary=f"{agreement.number} {agreement.get_kind_display()}",
        data=agreement_snapshot(agreement),
        request=request,
    )
    return agreement


def _locked(member, agreement: Agreement) -> Agreement:
    require(permissions.can_manage(member) and agreement.organisation_id == member.organisation_id)
    return (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("employee", "party", "organisation")
        .get(pk=agreement.pk)
    )


@transaction.atomic
def agreement_send(member, agreement: Agreement, *, request=None) -> Agreement:
    """Hand the generated agreement to the other party for signature (草稿 → 已发送)."""
    agreement = _locked(member, agreement)
    require_agreement_state(agreement, AgreementState.DRAFT, action=_("发送"))
    agreement.state = AgreementState.SENT
    agreement.sent_at = timezone.now()
    agreement.save(update_fields=["state", "sent_at"])
    record_person_event(
        member=member,
        organisation=agreement.organisation,
        kind=PersonEventKind.AGREEMENT_SEND,
        employee=agreement.employee,
        agreement=agreement,
        summary=f"{agreement.number} {agreement.counterparty}",
        data={"number": agreement.number, "to": agreement.counterparty},
        request=request,
    )
    return agreement


@transaction.atomic
def agreement_sign(
    member, agreement: Agreement, name: str, data: bytes, signed_on: date | None, *, request=None
) -> Agreement:
    """Record the signature with the signed scan (PDF or image): the scan is kept by its SHA-256 and its
    digests are deposited in the evidence log."""
    agreement = _locked(member, agreement)
    require_agreement_state(agreement, *SIGNABLE, action=_("登记签署"))
    errors: dict = {}
    if signed_on is None:
        errors["signed_on"] = [_("请填写签署日期")]
    elif not isinstance(signed_on, date):
        errors["signed_on"] = [_("日期格式应为 YYYY-MM-DD")]
    elif signed_on > timezone.localdate():
        errors["signed_on"] = [_("签署日期不能晚于今天")]
    try:
        document_kind(name or "", data or b"")
    except ValidationError as error:  # names "file"
        errors.update(error.message_dict)
    raise_if(errors)
    digest = store_document(agreement.organisation_id, name, data)
    deposit = deposit_create(
        organisation=agreement.organisation,
        actor=member.user,
        kind="file",
        sha256=digest.sha256,
        sm3=digest.sm3,
        size=digest.size,
        label=f"{agreement.number} scan",
        request=request,
    )
    agreement.state = AgreementState.SIGNED
    agreement.signed_on = signed_on
    agreement.scan_name = safe_name(name)
    agreement.scan_sha256 = digest.sha256
    agreement.scan_size = digest.size
    agreement.scan_deposit = deposit
    fields = ["state", "signed_on", "scan_name", "scan_sha256", "scan_size", "scan_deposit"]
    if agreement.effective_on is None:
        agreement.effective_on = signed_on
        fields.append("effective_on")
    agreement.save(update_fields=fields)
    record_person_event(
        member=member,
        organisation=agreement.organisation,
        kind=PersonEventKind.AGREEMENT_SIGN,
        employee=agreement.employee,
        agreement=agreement,
        summary=f"{agreement.number} {agreement.get_kind_display()}",
        data={
            "number": agreement.number,
            "signed_on": signed_on,
            "scan_sha256": digest.sha256,
            "scan_sm3": digest.sm3,
            "scan_size": digest.size,
            "generated_sha256": agreement.generated_sha256,
        },
        request=request,
    )
    return agreement


@transaction.atomic
def agreement_terminate(member, agreement: Agreement, reason: str, *, request=None) -> Agreement:
    """End an agreement before its term (or withdraw a draft); the reason is required."""
    agreement = _locked(member, agreement)
    require_agreement_state(agreement, *TERMINABLE, action=_("终止"))
    reason = str(reason or "").strip()
    if not reason:
        raise_if({"reason": [_("请写明终止原因")]})
    if len(reason) > 200:
        raise_if({"reason": [_("终止原因最长 200 字")]})
    agreement.state = AgreementState.TERMINATED
    agreement.terminated_at = timezone.now()
    agreement.termination_reason = reason
    agreement.save(update_fields=["state", "terminated_at", "termination_reason"])
    record_person_event(
        member=member,
        organisation=agreement.organisation,
        kind=PersonEventKind.AGREEMENT_TERMINATE,
        employee=agreement.employee,
        agreement=agreement,
        summary=f"{agreement.number}：{reason}",
        data={"number": agreement.number, "reason": reason},
        request=request,
    )
    return agreement


@transaction.atomic
def agreement_expire(agreement: Agreement, *, today: date | None = None) -> Agreement:
    """The system marks a signed agreement whose expiry date has passed as expired."""
    today = today or timezone.localdate()
    agreement = (
        Agreement.objects.select_for_update(of=("self",))
        .select_related("employee", "organisation")
        .get(pk=agreement.pk)
    )
    require_agreement_state(agreement, AgreementState.SIGNED, action=_("标记到期"))
    if agreement.expires_on is None or agreement.expires_on >= today:
        raise TransitionRefused(
            _("协议“%(number)s”尚未到期（到期日期：%(day)s）")
            % {"number": agreement.number, "day": agreement.expires_on or _("未约定")}
        )
    agreement.state = AgreementState.EXPIRED
    agreement.save(update_fields=["state"])
    record_person_event(
        member=None,
        organisation=agreement.organisation,
        kind=PersonEventKind.AGREEMENT_EXPIRE,
        employee=agreement.employee,
        agreement=agreement,
        summary=_("%(number)s 已于 %(day)s 到期") % {"number": agreement.number, "day": agreement.expires_on},
        data={"number": agreement.number, "expires_on": agreement.expires_on, "today": today},
    )
    return agreement
