"""Where the dossier's measures come from: the register's grants and carriers with the timeline records
that prove them, the people side's signing and training records, the stored files. See measures.py."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePosixPath

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.evidence.bundle import first_file_deposit
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.models import PersonEvent
from shangmi.apps.people.models.choices import PersonEventKind
from shangmi.apps.people.storage import safe_name
from shangmi.apps.registry.models import SecretEvent
from shangmi.apps.registry.models.choices import ELECTRONIC_KINDS, CarrierState, EventKind, MarkingState
from shangmi.apps.registry.views.detail import summarise

# A grant's or acknowledgement's timeline record is written in the same transaction, moments later.
NEAR = timedelta(minutes=5)
# Timeline records not tied to a grant or carrier row go to the category of their kind.
KIND_CATEGORY = {
    EventKind.CARRIER_ADD: "carriers",
    EventKind.CARRIER_DESTROY: "carriers",
    EventKind.CARRIER_MARK: "marking",
    EventKind.GRANT: "scope",
    EventKind.GRANT_REVOKE: "scope",
    EventKind.GRANT_ACK: "scope",
}


@dataclass(frozen=True)
class StoredFile:
    name: str  # its path inside the dossier ZIP
    sha256: str
    deposit: Deposit | None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def included(deposit: Deposit | None) -> bool:
    return deposit is not None and deposit.state == Deposit.State.INCLUDED and bool(deposit.checkpoint_id)


def record_of(event) -> tuple[bytes, str]:
    """A timeline row's canonical bytes and its path in the ZIP (unique: app, id and kind)."""
    local = timezone.localtime(event.at)
    return (
        event.record.encode(),
        f"records/{local:%Y%m%d-%H%M%S}-{event._meta.app_label}-{event.pk}-{event.kind}.json",
    )


def _data(event: SecretEvent) -> dict:
    try:
        return json.loads(event.record).get("data") or {}
    except (ValueError, AttributeError):
        return {}


class RegisterEvents:
    """The secret's timeline; each row is handed out once, to the grant or carrier it records."""

    def __init__(self, secret):
        rows = (
            SecretEvent.objects.filter(secret=secret)
            .select_related("deposit__checkpoint")
            .order_by("at", "pk")
        )
        self.rows = [(e, _data(e)) for e in rows]
        self.used: set[int] = set()

    def take(self, kind: str, test, near=None) -> SecretEvent | None:
        found = [e for e, d in self.rows if e.kind == kind and e.pk not in self.used and test(e, d)]
        if near is not None:
            found = sorted((e for e in found if abs(e.at - near) <= NEAR), key=lambda e: abs(e.at - near))
        if not found:
            return None
        self.used.add(found[0].pk)
        return found[0]

    def rest(self) -> list[tuple[SecretEvent, dict]]:
        return [(e, d) for e, d in self.rows if e.pk not in self.used]


def _carrier_detail(c) -> str:
    text = _(
        "类型：%(kind)s；存放位置：%(location)s；保管人：%(custodian)s；份数：%(copies)s；状态：%(state)s"
    ) % {
        "kind": c.get_kind_display(),
        "location": c.location or "—",
        "custodian": c.custodian.name if c.custodian_id else "—",
        "copies": c.copies,
        "state": c.get_state_display(),
    }
    if c.sha256:
        deposit = c.deposit
        logged = (
            _("已入链，第 %(index)s 号叶子") % {"index": deposit.leaf_index}
            if included(deposit)
            else _("待入链")
        )
        text += _("；SHA-256：%(sha256)s；SM3：%(sm3)s；大小：%(size)s 字节；文件存证：%(logged)s") % {
            "sha256": c.sha256,
            "sm3": c.sm3,
            "size": c.size,
            "logged": logged,
        }
    return text


def _carriers(secret, events: RegisterEvents, collect) -> None:
    for c in secret.carriers.select_related("custodian", "deposit").order_by("code"):
        same = lambda e, d, code=c.code: d.get("carrier") == code  # noqa: E731
        added = events.take(EventKind.CARRIER_ADD, same)
        art6 = (4, 5) if c.kind in ELECTRONIC_KINDS else (4,)
        title = _("登记载体 %(code)s %(name)s") % {"code": c.code, "name": c.name}
        collect.add("carriers", title, _carrier_detail(c), c.created_at, event=added, art6=art6)
        if c.marking == MarkingState.MARKED:
            marked = events.take(EventKind.CARRIER_MARK, same)
            detail = _("已标识（密级、保密期限、编号）") if marked else _("登记时即已标识")
            title = _("载体标识 %(code)s %(name)s") % {"code": c.code, "name": c.name}
            collect.add(
                "marking", title, detail, marked.at if marked else c.created_at, event=marked or added
            )
        if c.state == CarrierState.DESTROYED:
            destroyed = events.take(EventKind.CARRIER_DESTROY, same)
            detail = _("销毁方式：%(method)s；监销人：%(witness)s") % {
                "method": c.get_destroy_method_display(),
                "witness": c.destroy_witness,
            }
            title = _("销毁载体 %(code)s") % {"code": c.code}
            collect.add("carriers", title, detail, c.destroyed_on, event=destroyed, art6=art6)


def _grants(secret, events: RegisterEvents, collect) -> None:
    grants = secret.grants.select_related("user", "granted_by").prefetch_related("acknowledgements__user")
    for g in grants.order_by("granted_at", "pk"):
        who = g.grantee
        given = events.take(EventKind.GRANT, lambda e, d, who=who: d.get("to") == who, near=g.granted_at)
        detail = _("知悉事由：%(reason)s；授权人：%(by)s；有效期至：%(until)s") % {
            "reason": g.reason,
            "by": g.granted_by.name if g.granted_by_id else "—",
            "until": g.expires_on or _("长期"),
        }
        collect.add(
            "scope", _("授权知悉：%(who)s") % {"who": who}, detail, g.granted_at, event=given, art6=(4,)
        )
        acks = list(g.acknowledgements.all())
        for ack in acks:
            ok = lambda e, d, u=ack.user_id, p=g.position: e.actor_id == u and d.get("position", "") == p  # noqa: E731
            record = events.take(EventKind.GRANT_ACK, ok, near=ack.at)
            detail = _("确认书版本：%(version)s；确认书 SHA-256：%(sha256)s") % {
                "version": ack.text_version,
                "sha256": ack.text_sha256,
            }
            title = _("确认知悉：%(who)s") % {"who": ack.user.name}
            if g.position:
                title += _("（岗位：%(position)s）") % {"position": g.position}
            collect.add("scope", title, detail, ack.at, event=record, art6=(2,))
        if g.user_id and g.acknowledged_at and not acks:  # a paper acknowledgement, imported
            title = _("确认知悉：%(who)s") % {"who": who}
            collect.add("scope", title, _("书面确认（导入）"), g.acknowledged_at, art6=(2,))
        if g.revoked_at:
            revoked = events.take(
                EventKind.GRANT_REVOKE, lambda e, d, who=who: d.get("to") == who, near=g.revoked_at
            )
            collect.add(
                "scope", _("撤销知悉：%(who)s") % {"who": who}, "", g.revoked_at, event=revoked, art6=(4,)
            )


def register_measures(secret, events: RegisterEvents, collect) -> None:
    """Carriers, marking and the circle of knowledge from their rows; every other timeline record (the
    designation: application, review with its 非公知性 check, approval, changes, declassification)."""
    _carriers(secret, events, collect)
    _grants(secret, events, collect)
    for e, d in events.rest():
        if e.kind == EventKind.REVIEW:
            detail = _("审查结论：%(decision)s；检索范围：%(searched)s；检索结果：%(found)s") % {
                "decision": summarise(e),
                "searched": d.get("searched", ""),
                "found": d.get("found", ""),
            }
        else:
            detail = summarise(e)
        collect.add(
            KIND_CATEGORY.get(e.kind, "designation"), str(e.get_kind_display()), detail, e.at, event=e
        )


# ---- the people side --------------------------------------------------------------------------------


def agreement_signatures(agreements) -> dict[int, PersonEvent]:
    found: dict[int, PersonEvent] = {}
    rows = PersonEvent.objects.filter(agreement__in=agreements, kind=PersonEventKind.AGREEMENT_SIGN)
    for e in rows.select_related("deposit__checkpoint").order_by("at", "pk"):
        found.setdefault(e.agreement_id, e)
    return found


def training_records(people) -> dict[tuple[int, int], PersonEvent]:
    """Each attendance's TRAINING record, by (employee, training)."""
    found: dict[tuple[int, int], PersonEvent] = {}
    rows = PersonEvent.objects.filter(employee__in=people, kind=PersonEventKind.TRAINING)
    for e in rows.select_related("deposit__checkpoint").order_by("at", "pk"):
        training = _data(e).get("training")
        if isinstance(training, int):
            found.setdefault((e.employee_id, training), e)
    return found


def scan_of(agreement) -> StoredFile | None:
    if not agreement.scan_sha256:
        return None
    suffix = PurePosixPath(agreement.scan_name).suffix.lower() or ".bin"
    name = f"agreements/{safe_name(agreement.number)}-{agreement.kind}{suffix}"
    return StoredFile(name, agreement.scan_sha256, agreement.scan_deposit)


def material_of(training, cache: dict) -> StoredFile | None:
    if not training.material_sha256:
        return None
    if training.pk not in cache:
        name = f"trainings/{training.held_on}-{training.pk}-{safe_name(training.material_name or 'material')}"
        deposit = first_file_deposit(training.organisation_id, training.material_sha256)
        cache[training.pk] = StoredFile(name, training.material_sha256, deposit)
    return cache[training.pk]
