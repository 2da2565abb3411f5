"""The one write path into the audit trail. Call it inside the action's own transaction."""

from __future__ import annotations

import json
from typing import Any

from django.db import transaction
from django.http import HttpRequest

from shangmi.apps.audit.chain import GENESIS, event_hash
from shangmi.apps.audit.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    organisation: Any,
    actor: Any,
    verb: str,
    obj: Any = None,
    changes: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the organisation's chain (the platform organisation's when None).

    Must run inside the caller's transaction so the event and the change commit together. The chain
    tail is locked (select_for_update on PostgreSQL; SQLite transactions are already serialised).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the action's transaction")
    if organisation is None:
        from shangmi.apps.accounts.queries import platform_organisation

        organisation = platform_organisation()
    org_id = organisation.pk
    # Lock the organisation row: concurrent appends to one chain queue up here.
    type(organisation).objects.select_for_update().filter(pk=org_id).first()
    last = AuditEvent.objects.filter(organisation_id=org_id).order_by("-seq").only("seq", "hash").first()
    event = AuditEvent(
        organisation_id=org_id,
        seq=(last.seq + 1) if last else 1,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor)[:128] if actor is not None else "",
        verb=verb,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        changes=_jsonable(changes or {}),
        ip=ip or client_ip(request),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


def _jsonable(value: Any) -> Any:
    """Normalise a change summary so it hashes the same before saving and after reading back."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=str))
