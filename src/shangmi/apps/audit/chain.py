"""The per-organisation hash chain: canonical bytes of an event and the verification walk."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC

from shangmi.apps.audit.models import AuditEvent

GENESIS = "0" * 64
FORMAT = "shangmi-audit/1"


def canonical_bytes(event: AuditEvent) -> bytes:
    """Bytes the event's hash covers. Any change to a recorded field changes the hash."""
    created = event.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    payload = {
        "format": FORMAT,
        "organisation": event.organisation_id,
        "seq": event.seq,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "verb": event.verb,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "changes": event.changes,
        "ip": event.ip,
        "created_at": created,
        "prev_hash": event.prev_hash,
    }
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def event_hash(event: AuditEvent) -> str:
    return hashlib.sha256(canonical_bytes(event)).hexdigest()


@dataclass(frozen=True)
class BrokenLink:
    organisation_id: int
    seq: int
    event_id: int
    reason: str


def _chain_ids() -> list[int]:
    return list(
        AuditEvent.objects.order_by("organisation_id").values_list("organisation_id", flat=True).distinct()
    )


def walk(organisation_id: int) -> Iterator[tuple[AuditEvent, str | None]]:
    """Yield each event of one chain in order with a reason if its link is broken, else None.

    Reads the chain once, in pages, so memory stays flat for long chains.
    """
    expected_prev = GENESIS
    expected_seq = 1
    events = AuditEvent.objects.filter(organisation_id=organisation_id).order_by("seq")
    for event in events.iterator(chunk_size=2000):
        reason = None
        if event.seq != expected_seq:
            reason = f"sequence jumps from {expected_seq - 1} to {event.seq} (an event is missing)"
        elif event.prev_hash != expected_prev:
            reason = "prev_hash does not match the hash of the previous event"
        elif event_hash(event) != event.hash:
            reason = "content does not match its hash (the row was altered)"
        yield event, reason
        expected_prev = event.hash
        expected_seq = event.seq + 1


def verify(organisation_id: int | None = None, progress=None) -> tuple[int, list[BrokenLink]]:
    """Check one chain (or every chain when None). Returns (events checked, first break per chain)."""
    chains = _chain_ids() if organisation_id is None else [organisation_id]
    checked = 0
    broken: list[BrokenLink] = []
    for chain_id in chains:
        for event, reason in walk(chain_id):
            checked += 1
            if progress:
                progress(1)
            if reason:
                broken.append(BrokenLink(chain_id, event.seq, event.id, reason))
                break
    return checked, broken
