"""Every transition leaves three traces in one transaction: a timeline row holding the canonical record,
an audit event, and a deposit of the record's digests in the evidence log (its receipt proves the
record existed, unchanged, at the checkpoint's time)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.registry.models import SecretEvent
from shangmi.engines.tlog.material import digest_bytes

RECORD_FORMAT = "shangmi-register-record/1"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def canonical_record(payload: dict[str, Any]) -> str:
    """Sorted keys, no insignificant whitespace, UTF-8 text: the same record always has the same bytes."""
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain)


def secret_snapshot(secret) -> dict[str, Any]:
    """What the register says of a secret, as it goes into records."""
    return {
        "code": secret.code,
        "name": secret.name,
        "category": secret.category,
        "subcategory": secret.subcategory,
        "description": secret.description,
        "level": secret.level,
        "period": secret.period_kind,
        "period_until": secret.period_until,
        "department": secret.department,
        "responsible": secret.responsible.name if secret.responsible_id else "",
        "value_estimate": secret.value_estimate,
        "value_basis": secret.value_basis,
        "points": [
            {"number": p.number, "title": p.title, "description": p.description} for p in secret.points.all()
        ],
    }


def record_event(
    *, member, secret, kind: str, data: dict[str, Any], request=None, audit_obj=None
) -> SecretEvent:
    """Write the timeline row, the audit event and the deposit. Call inside the action's transaction."""
    now = timezone.now()
    actor = member.user if member is not None else None
    payload = {
        "format": RECORD_FORMAT,
        "organisation": secret.organisation.short_code,
        "secret": secret.code,
        "event": kind,
        "at": now,
        "actor": actor.name if actor else "",
        "data": data,
    }
    text = canonical_record(payload)
    digest = digest_bytes(text.encode())
    [deposit_id] = deposit_create_batch(
        organisation=secret.organisation,
        actor=actor,
        kind="record",
        items=[DepositItem(digest.sha256, digest.sm3, digest.size, label=f"{secret.code} {kind}"[:200])],
        request=request,
    )
    event = SecretEvent.objects.create(
        organisation=secret.organisation,
        secret=secret,
        kind=kind,
        actor=actor,
        actor_label=str(actor)[:128] if actor else "",
        at=now,
        record=text,
        deposit_id=deposit_id,
    )
    audit_record(
        organisation=secret.organisation,
        actor=actor,
        verb=f"registry.{kind}",
        obj=audit_obj or secret,
        changes={"secret": secret.code, **{k: v for k, v in data.items() if k != "snapshot"}},
        request=request,
    )
    return event
