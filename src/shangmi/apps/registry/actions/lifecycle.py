"""The designation lifecycle: 定密 application → group review → manager approval → designated; then
变更 (amend) and 解密 (declassify). A refused or illegal step raises and changes nothing."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.codes import next_secret_code
from shangmi.apps.registry.actions.records import record_event, secret_snapshot
from shangmi.apps.registry.actions.validation import (
    TransitionRefused,
    clean_period,
    clean_points,
    clean_secret_fields,
    member_of,
    raise_if,
    require,
    require_state,
)
from shangmi.apps.registry.models import DesignationReview, RegisterPolicy, SecretPoint, TradeSecret
from shangmi.apps.registry.models.choices import (
    DeclassifyReason,
    EventKind,
    Level,
    ReviewDecision,
    SecretState,
)
from shangmi.apps.registry.search import search_tokens, secret_search_text


def policy_for(organisation) -> RegisterPolicy:
    policy, _created = RegisterPolicy.objects.get_or_create(organisation=organisation)
    return policy


def refresh_search_text(secret: TradeSecret) -> None:
    secret.search_text = secret_search_text(secret, secret.points.all())
    secret.search_tokens = search_tokens(secret.search_text)
    secret.save(update_fields=["search_text", "search_tokens"])


@transaction.atomic
def secret_apply(*, member, points: list[Any], request=None, **fields: Any) -> TradeSecret:
    """A 定密 application by any member of the enterprise. Fields: name, category, subcategory,
    description, level, period_kind, period_until, department, responsible, value_estimate, value_basis."""
    require(permissions.is_enterprise_member(member))
    organisation = member.organisation
    errors: dict = {}
    cleaned = clean_secret_fields(organisation, fields, errors)
    cleaned_points = clean_points(points, errors)
    raise_if(errors)
    policy = policy_for(organisation)
    secret = TradeSecret.objects.create(
        organisation=organisation,
        code=next_secret_code(organisation, cleaned["category"], policy),
        applicant=member.user,
        state=SecretState.APPLIED,
        **cleaned,
    )
    SecretPoint.objects.bulk_create(
        SecretPoint(secret=secret, number=n, title=t, description=d)
        for n, (t, d) in enumerate(cleaned_points, start=1)
    )
    refresh_search_text(secret)
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.APPLY,
        data={"snapshot": secret_snapshot(secret)},
        request=request,
    )
    return secret


@transaction.atomic
def secret_review(
    *, member, secret: TradeSecret, decision: str, searched: str, found: str, opinion: str = "", request=None
) -> TradeSecret:
    """One reviewer of the designation group records the 非公知性 check and a decision. Enough passes
    move the application on to approval; one rejection ends it."""
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    policy = policy_for(secret.organisation)
    require(permissions.can_review(member, policy))
    require_state(secret, SecretState.APPLIED, action=_("审查"))
    errors: dict = {}
    if decision not in ReviewDecision.values:
        errors["decision"] = [_("审查结论应为：通过、不通过")]
    if not (searched or "").strip():
        errors["searched"] = [_("请列出非公知性检索的范围：检索了哪些来源、用了哪些关键词")]
    if not (found or "").strip():
        errors["found"] = [_("请写明检索结果：找到了什么，或未找到相同信息")]
    if decision == ReviewDecision.REJECT and not (opinion or "").strip():
        errors["opinion"] = [_("不通过时请写明理由")]
    raise_if(errors)
    if DesignationReview.objects.filter(secret=secret, reviewer=member.user).exists():
        raise TransitionRefused(_("您已审查过“%(code)s”，每位审查人只审查一次") % {"code": secret.code})
    DesignationReview.objects.create(
        secret=secret,
        reviewer=member.user,
        decision=decision,
        searched=searched.strip(),
        found=found.strip(),
        opinion=(opinion or "").strip(),
    )
    passes = DesignationReview.objects.filter(secret=secret, decision=ReviewDecision.PASS).count()
    if decision == ReviewDecision.REJECT:
        secret.state = SecretState.REFUSED
    elif passes >= max(1, policy.reviews_required):
        secret.state = SecretState.REVIEWED
    secret.save(update_fields=["state"])
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.REVIEW,
        data={
            "decision": decision,
            "searched": searched.strip(),
            "found": found.strip(),
            "opinion": (opinion or "").strip(),
            "passes": passes,
            "required": max(1, policy.reviews_required),
            "state": secret.state,
        },
        request=request,
    )
    return secret


@transaction.atomic
def secret_approve(
    *, member, secret: TradeSecret, approve: bool, opinion: str = "", request=None
) -> TradeSecret:
    """A manager approves (→ designated) or refuses a reviewed application."""
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    require(permissions.can_approve(member))
    require_state(secret, SecretState.REVIEWED, action=_("批准"))
    if not approve and not (opinion or "").strip():
        raise_if({"opinion": [_("不予定密时请写明理由")]})
    if approve:
        secret.state, secret.designated_at = SecretState.DESIGNATED, timezone.now()
    else:
        secret.state = SecretState.REFUSED
    secret.save(update_fields=["state", "designated_at"])
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.APPROVE if approve else EventKind.REFUSE,
        data={"opinion": (opinion or "").strip(), "snapshot": secret_snapshot(secret) if approve else None},
        request=request,
    )
    return secret


@transaction.atomic
def secret_amend(
    *,
    member,
    secret: TradeSecret,
    reason: str,
    level: str | None = None,
    period_kind: str | None = None,
    period_until: date | None = None,
    department: str | None = None,
    responsible=None,
    request=None,
) -> TradeSecret:
    """变更 of a designated secret's level, period, department or responsible person (the scope of who
    may know is changed by grants). Records every field's old and new value."""
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    require(permissions.can_manage(member))
    require_state(secret, SecretState.DESIGNATED, action=_("变更"))
    errors: dict = {}
    if not (reason or "").strip():
        errors["reason"] = [_("请写明变更理由")]
    new: dict[str, Any] = {}
    if level is not None and level != secret.level:
        if level not in Level.values:
            errors["level"] = [_("密级应为：核心、重要、一般")]
        new["level"] = level
    if period_kind is not None:
        kind, until = clean_period(period_kind, period_until, errors)
        if (kind, until) != (secret.period_kind, secret.period_until):
            new["period_kind"], new["period_until"] = kind, until
    if department is not None and department.strip() != secret.department:
        if not department.strip() or len(department.strip()) > 64:
            errors["department"] = [_("部门名称应为 1 至 64 字")]
        new["department"] = department.strip()
    if responsible is not None and getattr(responsible, "pk", responsible) != secret.responsible_id:
        new["responsible"] = member_of(secret.organisation, responsible, "responsible", errors)
    if not new and not errors:
        errors["__all__"] = [_("没有任何变更")]
    raise_if(errors)
    changes = {}
    for field, value in new.items():
        old = getattr(secret, field)
        changes[field] = {"from": getattr(old, "name", old), "to": getattr(value, "name", value)}
        setattr(secret, field, value)
    secret.save(update_fields=list(new))
    if "department" in new or "responsible" in new:
        refresh_search_text(secret)
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.AMEND,
        data={"reason": reason.strip(), "changes": changes},
        request=request,
    )
    return secret


@transaction.atomic
def secret_declassify(
    *, member, secret: TradeSecret, reason: str, note: str = "", request=None
) -> TradeSecret:
    """解密: the secret leaves protection for a recorded reason; its history stays."""
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    require(permissions.can_manage(member))
    require_state(secret, SecretState.DESIGNATED, action=_("解密"))
    errors: dict = {}
    if reason not in DeclassifyReason.values:
        errors["reason"] = [_("解密原因应为：已公开、已申请专利、保密期限届满、不再具有商业价值、其他")]
    if reason == DeclassifyReason.OTHER and not (note or "").strip():
        errors["note"] = [_("原因为“其他”时请说明")]
    raise_if(errors)
    secret.state, secret.declassified_at = SecretState.DECLASSIFIED, timezone.now()
    secret.save(update_fields=["state", "declassified_at"])
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.DECLASSIFY,
        data={"reason": reason, "note": (note or "").strip()},
        request=request,
    )
    return secret
