"""Anchoring audit chains in the evidence log, so the audit history is tamper-evident beyond the database.

Each organisation's chain head (last seq and hash) is deposited as an ``audit-head`` leaf whose material
is the canonical text below. Afterwards, rewriting history changes event hashes, and deleting the newest
events leaves an anchor pointing past the end of the chain: both are caught by `verify_anchors`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.evidence.log_service import log_dir
from shangmi.apps.evidence.models import Deposit
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.sequencer import read_checkpoint
from shangmi.engines.tlog.storage import FileStorage, StorageError, read_entries

FORMAT = "shangmi-audit-head/1"


def head_material(organisation_id: int, seq: int, event_hash: str) -> bytes:
    return f"{FORMAT}\norganisation {organisation_id}\nseq {seq}\nhash {event_hash}\n".encode()


def anchor_heads() -> int:
    """Deposit the head of every chain that grew since its last anchor. Returns how many were deposited."""
    # Anchors only ever advance, so each organisation's newest anchor holds its highest anchored seq.
    newest = (
        Deposit.objects.filter(kind=Deposit.Kind.AUDIT_HEAD)
        .values("organisation_id")
        .annotate(last=Max("id"))
    )
    anchored = {
        d.organisation_id: int(d.meta["seq"])
        for d in Deposit.objects.filter(pk__in=[row["last"] for row in newest]).only(
            "organisation_id", "meta"
        )
    }
    count = 0
    heads = AuditEvent.objects.values("organisation_id").annotate(last=Max("seq"))
    for row in heads:
        org_id, last = row["organisation_id"], row["last"]
        if anchored.get(org_id, 0) >= last:
            continue
        event = AuditEvent.objects.get(organisation_id=org_id, seq=last)
        digest = digest_bytes(head_material(org_id, last, event.hash))
        item = DepositItem(
            digest.sha256,
            digest.sm3,
            digest.size,
            label=f"audit head #{last}",
            meta={"seq": last, "hash": event.hash},
        )
        deposit_create_batch(
            organisation=event.organisation, actor=None, kind=Deposit.Kind.AUDIT_HEAD, items=[item]
        )
        count += 1
    return count


@dataclass(frozen=True)
class AnchorProblem:
    organisation_id: int
    seq: int
    reason: str


def verify_anchors(organisation_id: int | None = None) -> tuple[int, list[AnchorProblem]]:
    """Check every included anchor against the chain as stored now. Returns (anchors checked, problems)."""
    anchors = Deposit.objects.filter(kind=Deposit.Kind.AUDIT_HEAD, state=Deposit.State.INCLUDED)
    if organisation_id is not None:
        anchors = anchors.filter(organisation_id=organisation_id)
    problems = []
    checked = 0
    storage = FileStorage(log_dir(), fsync=False)
    published = read_checkpoint(storage) if log_dir().exists() else None
    log_size = published.size if published else 0
    anchors = list(anchors.order_by("organisation_id", "leaf_index"))
    current = _current_hashes(anchors)
    for anchor in anchors:
        checked += 1
        seq, anchored_hash = int(anchor.meta["seq"]), anchor.meta["hash"]
        event_hash = current.get((anchor.organisation_id, seq))
        if event_hash is None:
            problems.append(
                AnchorProblem(
                    anchor.organisation_id,
                    seq,
                    f"anchored event #{seq} is missing: events were deleted after it was anchored",
                )
            )
            continue
        if event_hash != anchored_hash:
            problems.append(
                AnchorProblem(
                    anchor.organisation_id,
                    seq,
                    f"event #{seq} no longer has the hash anchored in log leaf {anchor.leaf_index}",
                )
            )
            continue
        digest = digest_bytes(head_material(anchor.organisation_id, seq, anchored_hash))
        if (digest.sha256, digest.sm3) != (anchor.sha256, anchor.sm3):
            problems.append(
                AnchorProblem(anchor.organisation_id, seq, "the anchor record itself was altered")
            )
            continue
        problem = _leaf_problem(storage, anchor, log_size)
        if problem:
            problems.append(AnchorProblem(anchor.organisation_id, seq, problem))
    return checked, problems


def _current_hashes(anchors: list[Deposit]) -> dict[tuple[int, int], str]:
    """The stored hash of every anchored event, one query per organisation (per 5,000 anchors)."""
    wanted: dict[int, set[int]] = {}
    for anchor in anchors:
        wanted.setdefault(anchor.organisation_id, set()).add(int(anchor.meta["seq"]))
    hashes: dict[tuple[int, int], str] = {}
    for org_id, seqs in wanted.items():
        ordered = sorted(seqs)
        for start in range(0, len(ordered), 5000):  # stay under SQLite's limit on query parameters
            rows = AuditEvent.objects.filter(organisation_id=org_id, seq__in=ordered[start : start + 5000])
            hashes.update({(org_id, seq): value for seq, value in rows.values_list("seq", "hash")})
    return hashes


def _leaf_problem(storage: FileStorage, anchor: Deposit, log_size: int) -> str | None:
    """The anchor's leaf must be in the log, byte for byte, at its recorded index."""
    if anchor.leaf_index is None or anchor.leaf_index >= log_size:
        return f"log leaf {anchor.leaf_index} is beyond the log's checkpoint (size {log_size})"
    try:
        [entry] = read_entries(storage, anchor.leaf_index, anchor.leaf_index + 1, log_size)
    except (StorageError, OSError) as error:
        return f"cannot read log leaf {anchor.leaf_index}: {error}"
    if entry != bytes(anchor.leaf):
        return f"log leaf {anchor.leaf_index} differs from the anchor recorded in the database"
    return None
