"""Every step of the people side leaves three traces in one transaction: a timeline row holding the
canonical record, an audit event, and a deposit of the record's digests in the evidence log."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.people.models import PersonEvent
from shangmi.apps.registry.actions.records import canonical_record
from shangmi.engines.tlog.material import digest_bytes

RECORD_FORMAT = "shangmi-people-record/1"


def person_label(employee) -> str:
    return f"{employee.name}（{employee.number}）" if employee is not None else ""


def record_person_event(
    *,
    member,
    organisation,
    kind: str,
    data: dict[str, Any],
    employee=None,
    agreement=None,
    summary: str = "",
    request=None,
    audit_obj=None,
) -> PersonEvent:
    """Write the timeline row, the audit event and the deposit. Call inside the action's transaction.
    `member` may be None for steps the system takes itself (e.g. an agreement expiring)."""
    now = timezone.now()
    actor = member.user if member is not None else None
    payload = {
        "format": RECORD_FORMAT,
        "organisation": organisation.short_code,
        "employee": person_label(employee),
        "agreement": agreement.number if agreement is not None else "",
        "event": kind,
        "at": now,
        "actor": actor.name if actor else "",
        "data": data,
    }
    text = canonical_record(payload)
    digest = digest_bytes(text.encode())
    subject = employee.number if employee is not None else (agreement.number if agreement else "")
    [deposit_id] = deposit_create_batch(
        organisation=organisation,
        actor=actor,
        kind="record",
        items=[DepositItem(digest.sha256, digest.sm3, digest.size, label=f"{subject} {kind}"[:200])],
        request=request,
    )
    event = PersonEvent.objects.create(
        organisation=organisation,
        employee=employee,
        agreement=agreement,
        kind=kind,
        summary=summary[:200],
        actor=actor,
        actor_label=str(actor)[:128] if actor else "",
        at=now,
        record=text,
        deposit_id=deposit_id,
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        verb=f"people.{kind}",
        obj=audit_obj or employee or agreement,
        changes={"employee": person_label(employee), **data},
        request=request,
    )
    return event
