"""Writes for evidence. Other apps deposit through `deposit_create` / `deposit_create_batch`."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi import __version__
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.models import Deposit, PendingDeposit
from shangmi.engines.tlog.leaf import Leaf, LeafError, encode_fields

SERVER_CLIENT = f"shangmi-server/{__version__}"
MAX_BATCH = 10_000
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class DepositItem:
    """One piece of material as the client hashed it. Content never reaches the server."""

    sha256: str
    sm3: str
    size: int
    label: str = ""
    meta: dict[str, Any] | None = None

    @classmethod
    def from_json(cls, item: Any) -> DepositItem:
        """From an API item; wrong types are kept as they are so validation can name them."""
        if not isinstance(item, dict):
            return cls("", "", -1, "")
        label = item.get("label") or ""
        return cls(
            str(item.get("sha256", "")),
            str(item.get("sm3", "")),
            item.get("size"),
            label if isinstance(label, str) else str(label),
        )


def canonical_meta(meta: dict[str, Any]) -> bytes:
    """The bytes whose SHA-256 the leaf carries as `meta`. The random salt inside the metadata stops
    anyone guessing short metadata (a file name, a label) from the public digest."""
    return json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def _check_batch(items: list[DepositItem], kind: str, client: str) -> None:
    if kind not in Deposit.Kind.values:
        raise ValidationError({"kind": _("未知的存证类型 “%(kind)s”") % {"kind": kind}})
    if not items:
        raise ValidationError({"items": _("至少需要一项")})
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": _("一次最多 %(n)s 项") % {"n": MAX_BATCH}})
    try:  # kind and client are the same for every leaf of the batch: check them once
        Leaf(kind=kind, sha256="0" * 64, sm3="0" * 64, size=0, meta="0" * 64, client=client)
    except LeafError as error:
        raise ValidationError({"client": str(error)}) from error


def _item_errors(number: int, item: DepositItem) -> dict[str, list[str]]:
    field = f"items.{number}"
    errors: dict[str, list[str]] = {}
    if not _HEX64.match((item.sha256 or "").lower()):
        errors[f"{field}.sha256"] = [_("应为 64 位十六进制 SHA-256 摘要")]
    if not _HEX64.match((item.sm3 or "").lower()):
        errors[f"{field}.sm3"] = [_("应为 64 位十六进制 SM3 摘要")]
    if not _plain_size(item.size):
        errors[f"{field}.size"] = [_("应为非负整数（字节数）")]
    if len(item.label) > 200:
        errors[f"{field}.label"] = [_("标签最长 200 字")]
    return errors


@dataclass(frozen=True)
class _Prepared:
    sha256: str
    sm3: str
    item: DepositItem
    meta_stored: str  # as Django's JSONField writes it, so that a backup restores the very same text
    meta_sha256: str
    leaf: bytes


def _prepare(items: list[DepositItem], kind: str, client: str) -> list[_Prepared]:
    """Check every item and build its salted metadata and leaf. Errors name each bad field (items.N.field)
    and refuse the whole batch."""
    _check_batch(items, kind, client)
    errors: dict[str, list[str]] = {}
    prepared = []
    for number, item in enumerate(items):
        sha, sm3 = (item.sha256 or "").lower(), (item.sm3 or "").lower()
        if (
            not (_HEX64.match(sha) and _HEX64.match(sm3))
            or not _plain_size(item.size)
            or len(item.label) > 200
        ):
            errors.update(_item_errors(number, item))
            continue
        meta = {**(item.meta or {}), "label": item.label, "salt": secrets.token_hex(16)}
        meta_json = canonical_meta(meta)
        digest = hashlib.sha256(meta_json).hexdigest()
        leaf = encode_fields(kind, sha, sm3, item.size, digest, client)
        prepared.append(_Prepared(sha, sm3, item, json.dumps(meta), digest, leaf))
    if errors:
        raise ValidationError(errors)
    return prepared


def _plain_size(size: Any) -> bool:
    return type(size) is int and 0 <= size < 2**64


_COLUMNS = (
    "id",
    "organisation",
    "kind",
    "sha256",
    "sm3",
    "size",
    "label",
    "meta",
    "meta_sha256",
    "client",
    "leaf",
    "state",
    "created_by",
    "created_at",
)


_ID_BLOCK_LOCK = 0x5348_4D49_4445_5001  # "SHMIDEP" + 1: the advisory lock serialising id blocks


def _reserve_ids(count: int) -> list[int]:
    """Primary keys for `count` new deposits, so a bulk write knows its ids without reading them back.
    Call inside the inserting transaction."""
    table = Deposit._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One block of consecutive ids per batch: two requests drawing from the sequence at once
            # would interleave, and the log writer marks inclusion with one UPDATE per run of
            # consecutive ids (measured: interleaved batches cost it seconds instead of 0.1 s).
            cursor.execute("SELECT pg_advisory_lock(%s)", [_ID_BLOCK_LOCK])
            try:
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                    [table, count],
                )
                return [row[0] for row in cursor.fetchall()]
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [_ID_BLOCK_LOCK])
        # SQLite: the transaction holds the database's only write lock (IMMEDIATE mode), so nobody else
        # can take ids until it ends. AUTOINCREMENT's counter also covers ids of rows since deleted.
        cursor.execute(
            f"SELECT MAX(n) FROM (SELECT MAX(id) AS n FROM {table} "  # noqa: S608 - name from the model
            "UNION ALL SELECT seq FROM sqlite_sequence WHERE name = %s)",
            [table],
        )
        last = cursor.fetchone()[0] or 0
        return list(range(last + 1, last + 1 + count))


def _bulk_write(model, fields: tuple[str, ...], rows: list[tuple]) -> None:
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    columns = ", ".join(quote(model._meta.get_field(f).column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY is PostgreSQL's bulk path: the rows stream in one operation, not a statement each.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])


def deposit_create_batch(
    *, organisation, actor, kind: str, items: list[DepositItem], client: str = SERVER_CLIENT, request=None
) -> list[int]:
    """Record deposits as pending and return their ids in the order of `items`. The log service includes
    them, and only then are they acknowledged (receipts exist).

    All or nothing: one malformed item refuses the whole batch, naming the item. Rows are written in
    bulk (the ORM's per-object work would dominate large batches); the metadata goes in as the text
    Django's JSONField would write, and its digest is over its canonical form (canonical_meta), which
    anyone can recompute from the stored value.
    """
    # Checking and leaf building is pure Python: done before the transaction, so that on SQLite the
    # write lock is held only for the INSERT and the writer of the log is not kept waiting.
    prepared = _prepare(items, kind, client)
    with transaction.atomic():
        return _insert(
            prepared, organisation=organisation, actor=actor, kind=kind, client=client, request=request
        )


def _insert(prepared: list[_Prepared], *, organisation, actor, kind: str, client: str, request) -> list[int]:
    ids = _reserve_ids(len(prepared))
    created_at = Deposit._meta.get_field("created_at").get_db_prep_save(timezone.now(), connection)
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    pending = Deposit.State.PENDING
    rows = [
        (
            pk,
            organisation.pk,
            kind,
            p.sha256,
            p.sm3,
            p.item.size,
            p.item.label,
            p.meta_stored,
            p.meta_sha256,
            client,
            p.leaf,  # bytes: both sqlite3 and psycopg bind them as BLOB / bytea
            pending,
            actor_id,
            created_at,
        )
        for pk, p in zip(ids, prepared, strict=True)
    ]
    _bulk_write(Deposit, _COLUMNS, rows)
    _bulk_write(PendingDeposit, ("deposit",), [(pk,) for pk in ids])
    # Anchors of the audit chain are not themselves audited: each would grow the chain it anchors.
    if kind != Deposit.Kind.AUDIT_HEAD:
        audit_record(
            organisation=organisation,
            actor=actor,
            verb="evidence.deposit",
            request=request,
            changes={"kind": kind, "count": len(ids), "first_sha256": prepared[0].sha256},
        )
    from shangmi.apps.evidence.wake import wake_after_commit

    wake_after_commit()
    return ids


def deposit_create(
    *,
    organisation,
    actor,
    kind: str,
    sha256: str,
    sm3: str,
    size: int,
    label: str = "",
    meta: dict[str, Any] | None = None,
    client: str = SERVER_CLIENT,
    request=None,
) -> Deposit:
    item = DepositItem(sha256=sha256, sm3=sm3, size=size, label=label, meta=meta)
    [deposit_id] = deposit_create_batch(
        organisation=organisation, actor=actor, kind=kind, items=[item], client=client, request=request
    )
    return Deposit.objects.get(pk=deposit_id)
