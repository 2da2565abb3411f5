"""The one write path into the audit trail. Call it inside the action's own transaction."""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_ipv46_address
from django.db import transaction
from django.http import HttpRequest
from django.utils.ipv6 import clean_ipv6_address

from shangmi.apps.accounts.client_ip import client_ip as proxied_client_ip
from shangmi.apps.audit.chain import GENESIS, event_hash
from shangmi.apps.audit.models import AuditEvent


def normalise_ip(value: str | None) -> str | None:
    """The address as the database stores it (IPv6 compressed, lower case), or None if it is not one.

    The hash is computed before saving, so it must cover exactly what the column will hold: PostgreSQL's
    inet and Django's GenericIPAddressField both rewrite "2001:DB8:0::1" as "2001:db8::1".
    """
    value = (value or "").strip()
    if not value:
        return None
    try:
        validate_ipv46_address(value)
    except ValidationError:
        return None
    return clean_ipv6_address(value) if ":" in value else value


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address through SHANGMI_PROXY_COUNT trusted proxies (accounts.client_ip), as stored."""
    return normalise_ip(proxied_client_ip(request))


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
    if not verb or len(verb) > AuditEvent._meta.get_field("verb").max_length:
        raise ValueError(f"audit verb must be 1 to 64 characters, got {verb!r}")
    if ip and normalise_ip(ip) is None:
        raise ValueError(f"{ip!r} is not an IP address")
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
        ip=normalise_ip(ip) if ip else client_ip(request),
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event_hash(event)
    event.save(force_insert=True)
    return event


def _jsonable(value: Any) -> Any:
    """Normalise a change summary so it hashes the same before saving and after reading back, on SQLite
    and on PostgreSQL (whose jsonb keeps numbers as `numeric`)."""
    return _portable(json.loads(json.dumps(value, ensure_ascii=False, default=str)))


def _portable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _portable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_portable(item) for item in value]
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return str(value)  # jsonb has no NaN or Infinity
        if value == 0:
            return 0.0  # numeric has no negative zero: -0.0 reads back as 0.0
        if value.is_integer() and abs(value) >= 1e16:
            return int(value)  # json writes 1e+16, jsonb reads back 10000000000000000
    return value
