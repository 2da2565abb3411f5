"""The departure audit (离职审计): a resignation opens it with a checklist generated from the person's
carriers, access grants and agreements; each item is completed with its proof; the audit closes only
when every mandatory item is done, and the closed audit's canonical record is deposited."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.models import Agreement, Departure, DepartureItem, Employee, PersonEvent
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    DepartureState,
    EmployeeState,
    ItemKind,
    ItemOutcome,
    NonCompeteDecision,
    PersonEventKind,
)
from shangmi.apps.people.queries import policy_of
from shangmi.apps.people.storage import MAX_DOCUMENT_BYTES, safe_name, store_document
from shangmi.apps.registry.actions.validation import TransitionRefused, raise_if, require
from shangmi.apps.registry.models import AccessGrant, Carrier
from shangmi.apps.registry.models.choices import CarrierState
from shangmi.apps.registry.wording import clauses, series

MAX_NOTE = 2000
LETTER_FILE_NAME = "保密义务提醒函.docx"

# Which outcomes each kind of item accepts.
OUTCOMES: dict[str, tuple[str, ...]] = {
    ItemKind.CARRIER: (ItemOutcome.RETURNED, ItemOutcome.DELETED),
    ItemKind.GRANT: (ItemOutcome.DONE,),
    ItemKind.ACCOUNTS: (ItemOutcome.DONE, ItemOutcome.NOT_APPLICABLE),
    ItemKind.DOOR: (ItemOutcome.DONE, ItemOutcome.NOT_APPLICABLE),
    ItemKind.INTERVIEW: (ItemOutcome.DONE,),
    ItemKind.PLEDGE: (ItemOutcome.DONE,),
    ItemKind.LETTER: (ItemOutcome.DONE,),
    ItemKind.NON_COMPETE: (ItemOutcome.DONE,),
    ItemKind.ACCESS_REVIEW: (ItemOutcome.DONE,),
    ItemKind.CUSTOMERS: (ItemOutcome.DONE, ItemOutcome.NOT_APPLICABLE),
    ItemKind.AGREEMENT: (ItemOutcome.DONE,),
}

# What the officer must write in the note, per kind (None: the note is optional).
NOTE_REQUIRED: dict[str, Any] = {
    ItemKind.CARRIER: gettext_lazy("请填写确认说明：归还给谁、何时，或删除的方式与见证人"),
    ItemKind.INTERVIEW: gettext_lazy("请填写离职面谈记录"),
    ItemKind.LETTER: gettext_lazy("请填写送达方式（当面签收、快递单号等）"),
    ItemKind.NON_COMPETE: gettext_lazy("请填写决定理由"),
    ItemKind.CUSTOMERS: gettext_lazy("请列出已通知的客户"),
}


def _open_grants(employee: Employee):
    today = timezone.localdate()
    return (
        AccessGrant.objects.filter(
            organisation_id=employee.organisation_id, user_id=employee.user_id, revoked_at__isnull=True
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .select_related("secret")
        .order_by("secret__code", "pk")
    )


def _checklist(employee: Employee) -> list[dict[str, Any]]:
    """The items of a new audit, in the order they are shown."""
    items: list[dict[str, Any]] = []
    if employee.user_id:
        carriers = Carrier.objects.filter(
            organisation_id=employee.organisation_id, custodian_id=employee.user_id, state=CarrierState.ACTIVE
        ).order_by("code")
        items += [
            {"kind": ItemKind.CARRIER, "carrier": c, "subject": f"{c.code} {c.name}"[:200]} for c in carriers
        ]
        items += [
            {"kind": ItemKind.GRANT, "grant": g, "subject": f"{g.secret.code} {g.secret.name}"[:200]}
            for g in _open_grants(employee)
        ]
    days = policy_of(employee.organisation_id).access_review_days
    items += [
        {"kind": ItemKind.ACCOUNTS, "subject": _("系统账号、邮箱、VPN、代码仓库等权限")},
        {"kind": ItemKind.DOOR, "subject": _("门禁卡与涉密区域通行权限")},
        {"kind": ItemKind.INTERVIEW, "subject": _("告知离职后的保密义务并记录面谈")},
        {"kind": ItemKind.PLEDGE, "subject": str(AgreementKind.DEPARTURE_PLEDGE.label)},
        {"kind": ItemKind.LETTER, "subject": _("生成并送达保密义务提醒函")},
    ]
    signed = list(
        Agreement.objects.filter(employee=employee, state=AgreementState.SIGNED).order_by("kind", "number")
    )
    items += [
        {"kind": ItemKind.NON_COMPETE, "agreement": a, "subject": f"{a.number} {a.get_kind_display()}"}
        for a in signed
        if a.kind == AgreementKind.NON_COMPETE
    ]
    items.append(
        {
            "kind": ItemKind.ACCESS_REVIEW,
            "subject": _("审查离职前 %(days)s 天内的访问记录（上传日志摘录）") % {"days": days},
        }
    )
    if employee.customer_facing:
        items.append({"kind": ItemKind.CUSTOMERS, "subject": _("通知其负责的客户：该员工已离职")})
    items += [
        {"kind": ItemKind.AGREEMENT, "agreement": a, "subject": f"{a.number} {a.get_kind_display()}"}
        for a in signed
    ]
    return items


def item_row(item: DepartureItem) -> dict[str, Any]:
    """An item as the canonical records and the API show it."""
    return {
        "kind": item.kind,
        "subject": item.subject,
        "mandatory": item.mandatory,
        "carrier": item.carrier.code if item.carrier_id else "",
        "grant": item.grant_id or "",
        "agreement": item.agreement.number if item.agreement_id else "",
        "outcome": item.outcome,
        "note": item.note,
        "file_name": item.file_name,
        "file_sha256": item.file_sha256,
        "done_at": item.done_at,
        "done_by": item.done_by.name if item.done_by_id else "",
    }


@transaction.atomic
def employee_resign(
    *,
    member,
    employee: Employee,
    resignation_on: date | None,
    last_day: date | None,
    reason: str = "",
    request=None,
) -> Departure:
    """Record a resignation: the employee becomes 已提出离职 and the departure audit opens."""
    require(permissions.can_manage(member) and employee.organisation_id == member.organisation_id)
    employee = Employee.objects.select_for_update(of=("self",)).get(pk=employee.pk)
    if employee.state in (EmployeeState.RESIGNING, EmployeeState.LEFT):
        raise TransitionRefused(
            _("%(name)s 当前状态为“%(state)s”，不能再次登记离职")
            % {"name": employee.name, "state": employee.get_state_display()}
        )
    errors: dict = {}
    if not isinstance(resignation_on, date):
        errors["resignation_on"] = [_("请填写提出离职日期")]
    if not isinstance(last_day, date):
        errors["last_day"] = [_("请填写最后工作日")]
    elif isinstance(resignation_on, date) and last_day < resignation_on:
        errors["last_day"] = [_("最后工作日不能早于提出离职日期")]
    reason = (reason or "").strip()
    if len(reason) > 200:
        errors["reason"] = [_("离职原因最长 200 字")]
    raise_if(errors)

    employee.state = EmployeeState.RESIGNING
    employee.resignation_on, employee.last_day = resignation_on, last_day
    employee.save(update_fields=["state", "resignation_on", "last_day"])
    departure = Departure.objects.create(
        organisation_id=employee.organisation_id,
        employee=employee,
        resignation_on=resignation_on,
        last_day=last_day,
        reason=reason,
        opened_by=member.user,
    )
    DepartureItem.objects.bulk_create(
        DepartureItem(departure=departure, position=n, mandatory=True, **fields)
        for n, fields in enumerate(_checklist(employee), start=1)
    )
    organisation = member.organisation
    record_person_event(
        member=member,
        organisation=organisation,
        kind=PersonEventKind.RESIGN,
        employee=employee,
        data={"resignation_on": resignation_on, "last_day": last_day, "reason": reason},
        summary=_("提出离职，最后工作日 %(day)s") % {"day": last_day.isoformat()},
        request=request,
    )
    items = departure.items.select_related("carrier", "agreement", "done_by")
    record_person_event(
        member=member,
        organisation=organisation,
        kind=PersonEventKind.DEPARTURE_OPEN,
        employee=employee,
        data={"departure": departure.pk, "items": [item_row(i) for i in items]},
        summary=_("开启离职审计，共 %(n)s 项") % {"n": len(items)},
        request=request,
        audit_obj=departure,
    )
    return departure


def _file_of(item: DepartureItem, file, errors: dict) -> tuple[str, bytes] | None:
    """The uploaded excerpt's name and bytes, or None with an error on `file`."""
    if file is None:
        return None
    size = getattr(file, "size", None)
    if size is not None and size > MAX_DOCUMENT_BYTES:
        errors["file"] = [_("文件超过 20 MB")]
        return None
    data = file.read()
    if len(data) > MAX_DOCUMENT_BYTES:
        errors["file"] = [_("文件超过 20 MB")]
        return None
    return safe_name(getattr(file, "name", "") or "excerpt.txt"), data


def _letter_event(departure: Departure) -> PersonEvent | None:
    return (
        PersonEvent.objects.filter(
            employee_id=departure.employee_id,
            kind=PersonEventKind.DEPARTURE_LETTER,
            at__gte=departure.opened_at,
        )
        .order_by("-at", "-id")
        .first()
    )


def _pledge(item: DepartureItem, agreement) -> Agreement | None:
    """The linked pledge: the one given, else the employee's only signed one (None when there is none)."""
    employee = item.departure.employee
    if agreement is not None:
        return agreement
    signed = list(
        Agreement.objects.filter(
            employee=employee, kind=AgreementKind.DEPARTURE_PLEDGE, state=AgreementState.SIGNED
        )[:2]
    )
    return signed[0] if len(signed) == 1 else None


@transaction.atomic
def item_complete(
    *,
    member,
    item: DepartureItem,
    outcome: str,
    note: str = "",
    file=None,
    agreement: Agreement | None = None,
    decision: str = "",
    request=None,
) -> DepartureItem:
    """Complete one checklist item with its proof. What each kind requires:

    carrier: returned or deleted, with a confirmation note; grant: revokes the register grant;
    interview: the notes; pledge: a signed 离职保密承诺书 linked, or a note on the paper one; letter: the
    reminder letter generated (downloaded) and a note on its delivery; non-compete: enforce or waive with
    the reason (recorded on the agreement); access review: an uploaded log excerpt (deposited);
    customers: the customers notified.
    """
    require(permissions.can_manage(member) and item.departure.organisation_id == member.organisation_id)
    item = (
        DepartureItem.objects.select_for_update(of=("self",))
        .select_related("departure__employee")
        .get(pk=item.pk)
    )
    departure = item.departure
    if departure.state != DepartureState.OPEN:
        raise TransitionRefused(_("该离职审计已完成，不能再修改"))
    if item.is_done:
        raise TransitionRefused(_("“%(item)s”已完成") % {"item": item.get_kind_display()})
    errors: dict = {}
    note = (note or "").strip()
    allowed = OUTCOMES[item.kind]
    if outcome not in allowed:
        errors["outcome"] = [
            _("该事项的结果应为：%(list)s") % {"list": series(ItemOutcome(o).label for o in allowed)}
        ]
    if len(note) > MAX_NOTE:
        errors["note"] = [_("说明最长 %(n)s 字") % {"n": MAX_NOTE}]
    elif not note and (item.kind in NOTE_REQUIRED or outcome == ItemOutcome.NOT_APPLICABLE):
        errors["note"] = [str(NOTE_REQUIRED.get(item.kind) or _("选择“不适用”时请说明原因"))]

    upload = _file_of(item, file, errors)
    employee = departure.employee
    pledge = None
    letter = None
    # The access review needs a log excerpt, unless monitoring has handed over its review of the logs.
    if item.kind == ItemKind.ACCESS_REVIEW and upload is None and not item.findings and "file" not in errors:
        errors["file"] = [_("请上传访问日志摘录（近 %(days)s 天）") % {"days": _review_days(departure)}]
    if item.kind == ItemKind.PLEDGE:
        if agreement is not None and (
            agreement.employee_id != employee.pk
            or agreement.kind != AgreementKind.DEPARTURE_PLEDGE
            or agreement.state != AgreementState.SIGNED
        ):
            errors["agreement"] = [_("请选择该员工已签署的离职保密承诺书")]
        else:
            pledge = _pledge(item, agreement)
            if pledge is None and not note and "note" not in errors:
                errors["note"] = [_("未关联已签署的离职保密承诺书时，请说明纸质承诺书的签署与存放情况")]
    if item.kind == ItemKind.LETTER:
        letter = _letter_event(departure)
        if letter is None:
            errors["outcome"] = [_("请先生成（下载）保密义务提醒函，再确认送达")]
    decided = _decided(item) if item.kind == ItemKind.NON_COMPETE else ""
    if item.kind == ItemKind.NON_COMPETE and not decided:
        if decision not in (NonCompeteDecision.ENFORCE, NonCompeteDecision.WAIVE):
            errors["decision"] = [_("请选择履行或放弃竞业限制")]
        if len(note) > 200:
            errors["note"] = [_("决定理由最长 200 字")]
    elif decided:
        errors.pop("note", None)  # the reason was recorded with the decision
    raise_if(errors)

    if upload is not None:
        name, data = upload
        digest = store_document(departure.organisation_id, name, data)
        deposit = deposit_create(
            organisation=member.organisation,
            actor=member.user,
            kind="file",
            sha256=digest.sha256,
            sm3=digest.sm3,
            size=digest.size,
            label=f"{employee.number} {item.kind}"[:200],
            meta={"name": name},
            request=request,
        )
        item.file_name, item.file_sha256, item.file_deposit = name, digest.sha256, deposit
    extra: dict[str, Any] = {}
    if item.kind == ItemKind.GRANT and item.grant_id:
        from shangmi.apps.registry.actions.grants import grant_revoke

        grant = AccessGrant.objects.get(pk=item.grant_id)
        if grant.revoked_at is None:
            grant_revoke(member=member, grant=grant, request=request)
            extra["revoked"] = True
        else:
            extra["revoked"] = False  # already revoked in the register
    if item.kind == ItemKind.NON_COMPETE and decided:
        extra["decision"] = decided  # decided already on the agreement's page
    elif item.kind == ItemKind.NON_COMPETE:
        from shangmi.apps.people.actions.non_compete import non_compete_decide

        non_compete_decide(
            member=member, agreement=item.agreement, decision=decision, reason=note, request=request
        )
        extra["decision"] = decision
    if item.kind == ItemKind.INTERVIEW:
        departure.interview_notes = note
        departure.save(update_fields=["interview_notes"])
    if pledge is not None:
        item.agreement = pledge
        extra["pledge"] = pledge.number
    if letter is not None:
        item.file_name = LETTER_FILE_NAME
        item.file_sha256 = _letter_sha256(letter)
    if item.kind == ItemKind.AGREEMENT and item.agreement_id:
        item.agreement.refresh_from_db(fields=["state"])
        extra["agreement_state"] = item.agreement.state

    item.outcome, item.note = outcome, note
    item.done_at, item.done_by = timezone.now(), member.user
    item.save(
        update_fields=[
            "outcome",
            "note",
            "agreement",
            "file_name",
            "file_sha256",
            "file_deposit",
            "done_at",
            "done_by",
        ]
    )
    record_person_event(
        member=member,
        organisation=member.organisation,
        kind=PersonEventKind.DEPARTURE_ITEM,
        employee=employee,
        data={"departure": departure.pk, "item": item_row(item), **extra},
        summary=f"{item.get_kind_display()}：{item.get_outcome_display()} {item.subject}"[:200],
        request=request,
        audit_obj=item,
    )
    return item


def _decided(item: DepartureItem) -> str:
    """The decision already taken on the item's non-compete agreement, or ''."""
    from shangmi.apps.people.models import NonCompeteTerms

    terms = NonCompeteTerms.objects.filter(agreement_id=item.agreement_id).first()
    return terms.decision if terms is not None and terms.decision != NonCompeteDecision.PENDING else ""


def _review_days(departure: Departure) -> int:
    return policy_of(departure.organisation_id).access_review_days


def _letter_sha256(event: PersonEvent) -> str:
    import json

    try:
        return str(json.loads(event.record).get("data", {}).get("sha256", ""))[:64]
    except ValueError:
        return ""


@transaction.atomic
def letter_generate(*, member, departure: Departure, request=None) -> bytes:
    """The reminder letter (保密义务提醒函) as DOCX bytes; its digest is recorded on the timeline so the
    LETTER item can prove what was handed over."""
    from shangmi.apps.people.documents.letter import reminder_letter
    from shangmi.engines.tlog.material import digest_bytes

    require(permissions.can_manage(member) and departure.organisation_id == member.organisation_id)
    data = reminder_letter(departure)
    digest = digest_bytes(data)
    record_person_event(
        member=member,
        organisation=member.organisation,
        kind=PersonEventKind.DEPARTURE_LETTER,
        employee=departure.employee,
        data={"departure": departure.pk, "sha256": digest.sha256, "sm3": digest.sm3, "size": digest.size},
        summary=_("生成保密义务提醒函"),
        request=request,
        audit_obj=departure,
    )
    return data


def open_mandatory(departure: Departure) -> list[DepartureItem]:
    return list(departure.items.filter(mandatory=True, done_at__isnull=True).order_by("position", "pk"))


@transaction.atomic
def departure_close(*, member, departure: Departure, request=None) -> Departure:
    """Close the audit once every mandatory item is done: the employee has left, and the whole audit's
    canonical record is deposited."""
    require(permissions.can_manage(member) and departure.organisation_id == member.organisation_id)
    departure = (
        Departure.objects.select_for_update(of=("self",)).select_related("employee").get(pk=departure.pk)
    )
    if departure.state != DepartureState.OPEN:
        raise TransitionRefused(_("该离职审计已完成"))
    missing = open_mandatory(departure)
    if missing:
        raise TransitionRefused(
            _("还有 %(n)s 项必须完成的事项未完成：%(list)s")
            % {
                "n": len(missing),
                "list": clauses(f"{i.get_kind_display()} {i.subject}".strip() for i in missing),
            }
        )
    employee = Employee.objects.select_for_update(of=("self",)).get(pk=departure.employee_id)
    now = timezone.now()
    employee.state = EmployeeState.LEFT
    employee.save(update_fields=["state"])
    departure.state, departure.closed_at, departure.closed_by = DepartureState.CLOSED, now, member.user
    departure.save(update_fields=["state", "closed_at", "closed_by"])
    items = departure.items.select_related("carrier", "agreement", "done_by").order_by("position", "pk")
    record_person_event(
        member=member,
        organisation=member.organisation,
        kind=PersonEventKind.LEAVE,
        employee=employee,
        data={"last_day": departure.last_day, "departure": departure.pk},
        summary=_("离职，最后工作日 %(day)s") % {"day": departure.last_day.isoformat()},
        request=request,
    )
    record_person_event(
        member=member,
        organisation=member.organisation,
        kind=PersonEventKind.DEPARTURE_CLOSE,
        employee=employee,
        data={
            "departure": departure.pk,
            "resignation_on": departure.resignation_on,
            "last_day": departure.last_day,
            "reason": departure.reason,
            "opened_at": departure.opened_at,
            "closed_at": now,
            "interview_notes": departure.interview_notes,
            "items": [item_row(i) for i in items],
        },
        summary=_("离职审计完成，共 %(n)s 项") % {"n": len(items)},
        request=request,
        audit_obj=departure,
    )
    return departure
