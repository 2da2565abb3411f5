"""Writes for evidence. Other apps deposit through `deposit_create` / `deposit_create_batch`."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi import __version__
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.models import Deposit
from shangmi.engines.tlog.leaf import Leaf, LeafError

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
    return json.dumps(meta, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def meta_digest(meta: dict[str, Any]) -> str:
    """SHA-256 of the private metadata. The random salt inside it stops anyone guessing short metadata
    (a file name, a label) from the public digest."""
    return hashlib.sha256(canonical_meta(meta)).hexdigest()


def _validate(items: list[DepositItem], kind: str, client: str) -> list[tuple[DepositItem, dict, str, bytes]]:
    if kind not in Deposit.Kind.values:
        raise ValidationError({"kind": _("未知的存证类型 “%(kind)s”") % {"kind": kind}})
    if not items:
        raise ValidationError({"items": _("至少需要一项")})
    if len(items) > MAX_BATCH:
        raise ValidationError({"items": _("一次最多 %(n)s 项") % {"n": MAX_BATCH}})
    errors: dict[str, list[str]] = {}
    prepared = []
    for number, item in enumerate(items):
        field = f"items.{number}"
        sha = (item.sha256 or "").lower()
        sm3 = (item.sm3 or "").lower()
        if not _HEX64.match(sha):
            errors.setdefault(f"{field}.sha256", []).append(_("应为 64 位十六进制 SHA-256 摘要"))
        if not _HEX64.match(sm3):
            errors.setdefault(f"{field}.sm3", []).append(_("应为 64 位十六进制 SM3 摘要"))
        if not isinstance(item.size, int) or isinstance(item.size, bool) or item.size < 0:
            errors.setdefault(f"{field}.size", []).append(_("应为非负整数（字节数）"))
        if len(item.label) > 200:
            errors.setdefault(f"{field}.label", []).append(_("标签最长 200 字"))
        if any(key in errors for key in (f"{field}.sha256", f"{field}.sm3", f"{field}.size")):
            continue
        meta = {**(item.meta or {}), "label": item.label, "salt": secrets.token_hex(16)}
        digest = meta_digest(meta)
        try:
            leaf = Leaf(kind=kind, sha256=sha, sm3=sm3, size=item.size, meta=digest, client=client).to_bytes()
        except LeafError as error:
            errors.setdefault(field, []).append(str(error))
            continue
        prepared.append((item, meta, digest, leaf))
    if errors:
        raise ValidationError(errors)
    return prepared


@transaction.atomic
def deposit_create_batch(
    *, organisation, actor, kind: str, items: list[DepositItem], client: str = SERVER_CLIENT, request=None
) -> list[int]:
    """Record deposits as pending and return their ids in the order of `items`. The log service includes
    them, and only then are they acknowledged (receipts exist).

    All or nothing: one malformed item refuses the whole batch, naming the item. Cost: one multi-row
    INSERT statement per 1,000 items (the ORM's per-object work would dominate large batches).
    """
    prepared = _validate(items, kind, client)
    batch = uuid.uuid4()
    now = timezone.now()
    actor_id = actor.pk if getattr(actor, "pk", None) else None
    fields = [
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
        "batch",
        "batch_pos",
    ]
    prep = {name: Deposit._meta.get_field(name) for name in ("meta", "created_at", "batch", "leaf")}
    created_at = prep["created_at"].get_db_prep_save(now, connection)
    batch_value = prep["batch"].get_db_prep_save(batch, connection)
    rows = [
        (
            organisation.pk,
            kind,
            item.sha256.lower(),
            item.sm3.lower(),
            item.size,
            item.label,
            prep["meta"].get_db_prep_save(meta, connection),
            digest,
            client,
            prep["leaf"].get_db_prep_save(leaf, connection),
            Deposit.State.PENDING,
            actor_id,
            created_at,
            batch_value,
            position,
        )
        for position, (item, meta, digest, leaf) in enumerate(prepared)
    ]
    columns = ", ".join(connection.ops.quote_name(Deposit._meta.get_field(f).column) for f in fields)
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Deposit._meta.db_table)} ({columns}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            cursor.executemany(sql, rows[start : start + 1000])
    ids = list(Deposit.objects.filter(batch=batch).order_by("batch_pos").values_list("id", flat=True))
    # Anchors of the audit chain are not themselves audited: each would grow the chain it anchors.
    if kind != Deposit.Kind.AUDIT_HEAD:
        audit_record(
            organisation=organisation,
            actor=actor,
            verb="evidence.deposit",
            request=request,
            changes={"kind": kind, "count": len(ids), "first_sha256": prepared[0][0].sha256.lower()},
        )
    from shangmi.apps.evidence.wake import deposits_pending

    transaction.on_commit(deposits_pending)
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
