"""Carriers: registration (with digests and a deposit for electronic ones), marking, and 销毁."""

from __future__ import annotations

import re
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.codes import next_carrier_code
from shangmi.apps.registry.actions.records import record_event
from shangmi.apps.registry.actions.validation import (
    TransitionRefused,
    member_of,
    raise_if,
    require,
    require_state,
)
from shangmi.apps.registry.models import Carrier, TradeSecret
from shangmi.apps.registry.models.choices import (
    ELECTRONIC_KINDS,
    CarrierKind,
    CarrierState,
    DestroyMethod,
    EventKind,
    MarkingState,
    SecretState,
)

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
OPEN_STATES = (SecretState.APPLIED, SecretState.REVIEWED, SecretState.DESIGNATED)


def clean_carrier(organisation, fields: dict, errors: dict) -> dict:
    kind = fields.get("kind") or ""
    if kind not in CarrierKind.values:
        errors["kind"] = [_("载体类型应为：电子文档、图纸、源代码仓库、纸质文件、样品、设备、其他")]
    name = (fields.get("name") or "").strip()
    if not name or len(name) > 200:
        errors["name"] = [_("请填写载体名称（最长 200 字）")]
    location = (fields.get("location") or "").strip()
    if len(location) > 200:
        errors["location"] = [_("存放位置最长 200 字")]
    copies = fields.get("copies", 1)
    if type(copies) is not int or not 1 <= copies <= 100000:
        errors["copies"] = [_("份数应为 1 至 100000 的整数")]
    sha256 = (fields.get("sha256") or "").strip().lower()
    sm3 = (fields.get("sm3") or "").strip().lower()
    size = fields.get("size")
    if sha256 or sm3 or size not in (None, ""):
        if kind not in ELECTRONIC_KINDS:
            errors["sha256"] = [_("只有电子载体（电子文档、图纸、源代码仓库）可以登记摘要")]
        if not _HEX64.match(sha256):
            errors["sha256"] = [_("SHA-256 应为 64 位十六进制")]
        if not _HEX64.match(sm3):
            errors["sm3"] = [_("SM3 应为 64 位十六进制")]
        if type(size) is not int or size < 0:
            errors["size"] = [_("大小应为非负整数（字节）")]
    marking = fields.get("marking") or MarkingState.UNMARKED
    if marking not in MarkingState.values:
        errors["marking"] = [_("标识状态应为：已标识、未标识")]
    return {
        "kind": kind,
        "name": name,
        "location": location,
        "copies": copies,
        "custodian": member_of(organisation, fields.get("custodian"), "custodian", errors),
        "sha256": sha256,
        "sm3": sm3,
        "size": size if sha256 else None,
        "marking": marking,
    }


@transaction.atomic
def carrier_add(*, member, secret: TradeSecret, request=None, code: str = "", **fields) -> Carrier:
    """Register a carrier of an open secret. An electronic carrier with digests is deposited as a file
    (its content never reaches the server)."""
    require(permissions.can_manage(member))
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    require_state(secret, *OPEN_STATES, action=_("登记载体"))
    errors: dict = {}
    cleaned = clean_carrier(secret.organisation, fields, errors)
    code = (code or "").strip()
    if code and Carrier.objects.filter(organisation=secret.organisation, code=code).exists():
        errors["code"] = [_("载体编号“%(code)s”已被使用") % {"code": code}]
    raise_if(errors)
    carrier = Carrier(
        organisation=secret.organisation, secret=secret, code=code or next_carrier_code(secret), **cleaned
    )
    if carrier.sha256:
        [carrier.deposit_id] = deposit_create_batch(
            organisation=secret.organisation,
            actor=member.user,
            kind="file",
            items=[DepositItem(carrier.sha256, carrier.sm3, carrier.size, label=carrier.code)],
            request=request,
        )
    carrier.save(force_insert=True)
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.CARRIER_ADD,
        data={
            "carrier": carrier.code,
            "kind": carrier.kind,
            "name": carrier.name,
            "location": carrier.location,
            "copies": carrier.copies,
            "custodian": carrier.custodian.name if carrier.custodian else "",
            "sha256": carrier.sha256,
            "sm3": carrier.sm3,
        },
        request=request,
        audit_obj=carrier,
    )
    return carrier


@transaction.atomic
def carrier_mark(*, member, carrier: Carrier, request=None) -> Carrier:
    """Record that the carrier now bears its marking (密级, 期限, 编号)."""
    require(permissions.can_manage(member))
    carrier = Carrier.objects.select_for_update().select_related("secret").get(pk=carrier.pk)
    if carrier.state != CarrierState.ACTIVE:
        raise TransitionRefused(_("载体“%(code)s”已销毁，不能再标识") % {"code": carrier.code})
    if carrier.marking == MarkingState.MARKED:
        raise TransitionRefused(_("载体“%(code)s”已标识") % {"code": carrier.code})
    carrier.marking = MarkingState.MARKED
    carrier.save(update_fields=["marking"])
    record_event(
        member=member,
        secret=carrier.secret,
        kind=EventKind.CARRIER_MARK,
        data={"carrier": carrier.code},
        request=request,
        audit_obj=carrier,
    )
    return carrier


@transaction.atomic
def carrier_destroy(
    *,
    member,
    carrier: Carrier,
    method: str,
    witness: str,
    destroyed_on: date | None,
    note: str = "",
    request=None,
) -> Carrier:
    """销毁: method, witness (监销人) and date are recorded; a destroyed carrier stays in the register."""
    require(permissions.can_manage(member))
    carrier = Carrier.objects.select_for_update().select_related("secret").get(pk=carrier.pk)
    if carrier.state == CarrierState.DESTROYED:
        raise TransitionRefused(
            _("载体“%(code)s”已于 %(day)s 销毁") % {"code": carrier.code, "day": carrier.destroyed_on}
        )
    errors: dict = {}
    if method not in DestroyMethod.values:
        errors["method"] = [_("销毁方式应为：粉碎、焚毁、数据擦除、消磁、物理破坏、其他")]
    if not (witness or "").strip() or len(witness.strip()) > 64:
        errors["witness"] = [_("请填写监销人（最长 64 字）")]
    if destroyed_on is None:
        errors["destroyed_on"] = [_("请填写销毁日期")]
    elif destroyed_on > timezone.localdate():
        errors["destroyed_on"] = [_("销毁日期不能晚于今天")]
    raise_if(errors)
    carrier.state = CarrierState.DESTROYED
    carrier.destroy_method, carrier.destroy_witness, carrier.destroyed_on = (
        method,
        witness.strip(),
        destroyed_on,
    )
    carrier.save(update_fields=["state", "destroy_method", "destroy_witness", "destroyed_on"])
    record_event(
        member=member,
        secret=carrier.secret,
        kind=EventKind.CARRIER_DESTROY,
        data={
            "carrier": carrier.code,
            "method": method,
            "witness": carrier.destroy_witness,
            "date": destroyed_on,
            "note": (note or "").strip(),
        },
        request=request,
        audit_obj=carrier,
    )
    return carrier
