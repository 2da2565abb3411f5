"""The evidence-log service: one writer appends pending deposits to the tiled log under the data directory,
records the checkpoint, then (after the checkpoint is durable) has it timestamped by the configured TSA.

Only one process writes at a time (the engine's flock); whoever holds it drains every pending deposit.
A crash between the log append and the database update is repaired on the next run: entries the log has
but the database does not are matched, in order, to the pending deposits with the same leaf bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from shangmi.apps.evidence.models import Checkpoint, Deposit, PendingDeposit
from shangmi.engines.tlog.checkpoint import Checkpoint as TreeHead
from shangmi.engines.tlog.checkpoint import sign_checkpoint
from shangmi.engines.tlog.keys import Signer, load_or_create_signer
from shangmi.engines.tlog.merkle import inclusion_proof
from shangmi.engines.tlog.receipt import Receipt, build_receipt
from shangmi.engines.tlog.sequencer import Log, LogLocked
from shangmi.engines.tlog.storage import FileStorage, TileHashReader, read_entries

logger = logging.getLogger("shangmi.evidence")
BATCH = 10_000


class LogServiceError(RuntimeError):
    pass


def log_dir() -> Path:
    return Path(settings.DATA_DIR) / "log"


def key_path() -> Path:
    return Path(settings.DATA_DIR) / "keys" / "log-signer.key"


def origin() -> str:
    return settings.EVIDENCE_LOG_ORIGIN


@cache
def _signer_for(path: str, name: str, env_value: str | None) -> Signer:
    return load_or_create_signer(path, name, env_value=env_value)


def signer() -> Signer:
    return _signer_for(str(key_path()), origin(), os.environ.get("SHANGMI_LOG_SIGNER_KEY"))


def verifier_key() -> str:
    """The published verifier key text, name+hash+key."""
    return signer().verifier_key


def _publish(size: int, root: bytes) -> str:
    return sign_checkpoint(TreeHead(origin=origin(), size=size, root_hash=root), signer())


def open_log() -> Log:
    directory = log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    return Log(directory, origin(), _publish)


@dataclass
class IncludeResult:
    included: int
    checkpoint: Checkpoint | None


def _record_checkpoint(log: Log) -> Checkpoint:
    note = log.checkpoint.decode() if isinstance(log.checkpoint, bytes) else log.checkpoint
    checkpoint, _created = Checkpoint.objects.get_or_create(
        size=log.size, defaults={"root_hash": log.root_hash.hex(), "note": note}
    )
    return checkpoint


def _mark_included(ids: list[int], first_index: int, checkpoint: Checkpoint) -> None:
    """Give deposits `ids` (in log order) the leaf indexes first_index, first_index+1, … and take them
    off the queue, with one UPDATE and one DELETE per run of consecutive ids (usually one per request's
    batch) instead of one row at a time."""
    now = timezone.now()
    start = 0
    while start < len(ids):
        end = start
        while end + 1 < len(ids) and ids[end + 1] == ids[end] + 1:
            end += 1
        offset = first_index + start - ids[start]
        Deposit.objects.filter(pk__gte=ids[start], pk__lte=ids[end]).update(
            leaf_index=F("id") + offset, checkpoint=checkpoint, state=Deposit.State.INCLUDED, included_at=now
        )
        PendingDeposit.objects.filter(pk__gte=ids[start], pk__lte=ids[end]).delete()
        start = end + 1


def _pending(limit: int | None) -> list[tuple[int, bytes]]:
    """The oldest queued deposits (all when `limit` is None) as (id, leaf) pairs; plain tuples because
    building 10,000 model instances costs more than appending them to the log."""
    rows = PendingDeposit.objects.order_by("deposit_id").values_list("deposit_id", "deposit__leaf")
    return [(pk, bytes(leaf)) for pk, leaf in (rows if limit is None else rows[:limit])]


def _reconcile(log: Log) -> None:
    """Record entries that reached the log but not the database (a crash between the two)."""
    # The newest checkpoint recorded with its deposits (one transaction) counts the recorded entries.
    recorded = Checkpoint.objects.aggregate(size=Max("size"))["size"] or 0
    if recorded > log.size:
        raise LogServiceError(
            f"the database records {recorded} entries but the log holds only {log.size}: the log directory "
            "is older than the database (restored from another backup?); stop writing and investigate"
        )
    if recorded == log.size:
        return
    entries = read_entries(log.storage, recorded, log.size, log.size)
    # Match by leaf bytes, not by order: on PostgreSQL a batch with lower ids can commit after one with
    # higher ids. Leaves are unique in practice (each carries a salted metadata digest).
    by_leaf = {leaf: pk for pk, leaf in _pending(None)}
    ids = [by_leaf.pop(entry, None) for entry in entries]
    if None in ids:
        raise LogServiceError(
            f"the log holds {log.size} entries but the database records {recorded}, and the extra entries do "
            "not match the pending deposits; stop writing and investigate"
        )
    _mark_included(ids, recorded, _record_checkpoint(log))


def include_pending() -> IncludeResult:
    """Append every pending deposit to the log; returns how many were included and the last checkpoint.

    If another process holds the log, returns at once: that process drains the queue.
    """
    try:
        log = open_log()
    except LogLocked:
        return IncludeResult(0, None)
    included = 0
    checkpoint = None
    try:
        with transaction.atomic():
            _reconcile(log)
        while True:
            batch = _pending(BATCH)
            if not batch:
                break
            indexes = log.append_batch([leaf for _pk, leaf in batch])  # durable when this returns
            with transaction.atomic():
                checkpoint = _record_checkpoint(log)
                _mark_included([pk for pk, _leaf in batch], indexes[0], checkpoint)
            included += len(batch)
            stamp_checkpoint(checkpoint)
    finally:
        log.close()
    return IncludeResult(included, checkpoint)


def stamp_checkpoint(checkpoint: Checkpoint) -> None:
    """Have the configured TSA stamp the signed checkpoint note. Failure leaves it unstamped (logged);
    the next checkpoint is tried again. Without a TSA, receipts say time rests on the platform signature."""
    url = settings.EVIDENCE_TSA_URL
    if not url or checkpoint.timestamp_token:
        return
    from shangmi.engines.tsa.client import fetch_token
    from shangmi.engines.tsa.errors import TsaError

    digest = hashlib.sha256(checkpoint.note.encode()).digest()
    try:
        response = fetch_token(url, digest, timeout=settings.EVIDENCE_TSA_TIMEOUT)
    except TsaError as error:
        logger.warning("timestamping checkpoint %s failed: %s", checkpoint.size, error)
        return
    checkpoint.timestamp_token = response.token
    checkpoint.timestamp_time = response.gen_time
    checkpoint.save(update_fields=["timestamp_token", "timestamp_time"])


def receipt_for(deposit: Deposit) -> Receipt:
    if deposit.state != Deposit.State.INCLUDED or deposit.checkpoint is None:
        raise LogServiceError("the deposit is not yet included in the log")
    checkpoint = deposit.checkpoint
    storage = FileStorage(log_dir(), fsync=False)
    proof = inclusion_proof(deposit.leaf_index, checkpoint.size, TileHashReader(storage, checkpoint.size))
    token = bytes(checkpoint.timestamp_token) if checkpoint.timestamp_token else None
    return build_receipt(
        origin=origin(),
        vkey=verifier_key(),
        leaf=bytes(deposit.leaf),
        index=deposit.leaf_index,
        proof=proof,
        signed_checkpoint=checkpoint.note,
        timestamp_token=token,
    )
