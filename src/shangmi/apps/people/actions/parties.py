"""External parties (外部单位): suppliers, processors, partners and outside experts who sign a
confidentiality agreement with the enterprise. Officers and admins keep the list."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.people import permissions
from shangmi.apps.people.models import ExternalParty
from shangmi.apps.people.models.choices import PartyKind
from shangmi.apps.registry.actions.validation import raise_if, require

PARTY_FIELDS = ("kind", "name", "credit_code", "contact", "phone", "address")
_LIMITS = {"credit_code": 32, "contact": 64, "phone": 20, "address": 200}


def clean_party(
    organisation, fields: dict[str, Any], errors: dict, *, party: ExternalParty | None = None
) -> dict:
    kind = fields.get("kind") or ""
    if kind not in PartyKind.values:
        errors["kind"] = [_("类型应为：供应商、委托加工方、合作伙伴、外部专家、其他")]
    name = str(fields.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写单位或个人名称")]
    elif len(name) > 128:
        errors["name"] = [_("名称最长 128 字")]
    else:
        taken = ExternalParty.objects.filter(organisation=organisation, name=name)
        if party is not None:
            taken = taken.exclude(pk=party.pk)
        if taken.exists():
            errors["name"] = [_("已登记名为“%(name)s”的外部单位") % {"name": name}]
    out: dict[str, Any] = {"kind": kind, "name": name}
    for field, limit in _LIMITS.items():
        value = str(fields.get(field) or "").strip()
        if len(value) > limit:
            errors[field] = [_("最长 %(n)s 字") % {"n": limit}]
        out[field] = value
    return out


def _snapshot(party: ExternalParty) -> dict[str, str]:
    return {field: getattr(party, field) for field in PARTY_FIELDS}


@transaction.atomic
def party_add(*, member, request=None, **fields: Any) -> ExternalParty:
    """Register an external party. Fields: kind, name, credit_code, contact, phone, address."""
    require(permissions.can_manage(member))
    errors: dict = {}
    cleaned = clean_party(member.organisation, fields, errors)
    raise_if(errors)
    party = ExternalParty.objects.create(organisation=member.organisation, **cleaned)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.party_add",
        obj=party,
        changes=_snapshot(party),
        request=request,
    )
    return party


@transaction.atomic
def party_update(*, member, party: ExternalParty, request=None, **fields: Any) -> ExternalParty:
    """Change an external party's data (agreements already generated keep the data they were made with)."""
    require(permissions.can_manage(member) and party.organisation_id == member.organisation_id)
    party = ExternalParty.objects.select_for_update(of=("self",)).get(pk=party.pk)
    errors: dict = {}
    cleaned = clean_party(party.organisation, fields, errors, party=party)
    raise_if(errors)
    before = _snapshot(party)
    for field, value in cleaned.items():
        setattr(party, field, value)
    changed = [f for f in PARTY_FIELDS if before[f] != getattr(party, f)]
    if changed:
        party.save(update_fields=changed)
        audit_record(
            organisation=party.organisation,
            actor=member.user,
            verb="people.party_update",
            obj=party,
            changes={f: [before[f], getattr(party, f)] for f in changed},
            request=request,
        )
    return party
