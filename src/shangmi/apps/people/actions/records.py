"""Every step of the people side leaves three traces in one transaction: a timeline row holding the
canonical record, an audit event, and a deposit of the record's digests in the evidence log."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import MAX_BATCH, DepositItem, deposit_create_batch
from shangmi.apps.people.models import PersonEvent
from shangmi.apps.registry.actions.records import canonical_record
from shangmi.engines.tlog.material import digest_bytes

RECORD_FORMAT = "shangmi-people-record/1"


def person_label(employee) -> str:
    return f"{employee.name}（{employee.number}）" if employee is not None else ""


def _record_text(*, organisation, actor, kind: str, data: dict[str, Any], employee, agreement, at) -> str:
    return canonical_record(
        {
            "format": RECORD_FORMAT,
            "organisation": organisation.short_code,
            "employee": person_label(employee),
            "agreement": agreement.number if agreement is not None else "",
            "event": kind,
            "at": at,
            "actor": actor.name if actor else "",
            "data": data,
        }
    )


def _subject(employee, agreement) -> str:
    return employee.number if employee is not None else (agreement.number if agreement else "")


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
    text = _record_text(
        organisation=organisation,
        actor=actor,
        kind=kind,
        data=data,
        employee=employee,
        agreement=agreement,
        at=now,
    )
    digest = digest_bytes(text.encode())
    [deposit_id] = deposit_create_batch(
        organisation=organisation,
        actor=actor,
        kind="record",
        items=[
            DepositItem(
                digest.sha256, digest.sm3, digest.size, label=f"{_subject(employee, agreement)} {kind}"[:200]
            )
        ],
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


class PersonEventBatch:
    """The timeline rows of one bulk step (an HR import) written together: the records deposited in
    batches and the rows bulk-created. The caller writes ONE audit event for the whole step: appending
    to the hash chain costs a few statements per event, which made a 2,000-row import take 23 s."""

    def __init__(self, *, member, organisation, request=None):
        self.member, self.organisation, self.request = member, organisation, request
        self.actor = member.user if member is not None else None
        self.at = timezone.now()
        self.rows: list[PersonEvent] = []

    def add(
        self, *, kind: str, data: dict[str, Any], employee=None, agreement=None, summary: str = ""
    ) -> None:
        text = _record_text(
            organisation=self.organisation,
            actor=self.actor,
            kind=kind,
            data=data,
            employee=employee,
            agreement=agreement,
            at=self.at,
        )
        self.rows.append(
            PersonEvent(
                organisation=self.organisation,
                employee=employee,
                agreement=agreement,
                kind=kind,
                summary=summary[:200],
                actor=self.actor,
                actor_label=str(self.actor)[:128] if self.actor else "",
                at=self.at,
                record=text,
            )
        )

    def write(self) -> int:
        for start in range(0, len(self.rows), MAX_BATCH):
            chunk = self.rows[start : start + MAX_BATCH]
            items = []
            for row in chunk:
                digest = digest_bytes(row.record.encode())
                label = f"{_subject(row.employee, row.agreement)} {row.kind}"[:200]
                items.append(DepositItem(digest.sha256, digest.sm3, digest.size, label=label))
            ids = deposit_create_batch(
                organisation=self.organisation,
                actor=self.actor,
                kind="record",
                items=items,
                request=self.request,
            )
            for row, deposit_id in zip(chunk, ids, strict=True):
                row.deposit_id = deposit_id
        PersonEvent.objects.bulk_create(self.rows, batch_size=1000)
        return len(self.rows)
