"""Checks shared by the register's actions. Each error names its field; nothing is written on error."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Membership
from shangmi.apps.registry.models.choices import SUBCATEGORIES_OF, Category, Level, PeriodKind, SecretState
from shangmi.apps.registry.wording import series

MAX_POINTS = 50


class TransitionRefused(ValidationError):
    """A lifecycle step that is not allowed from the secret's current state."""


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def require_state(secret, *states: str, action: str) -> None:
    if secret.state not in states:
        wanted = series(SecretState(s).label for s in states)
        raise TransitionRefused(
            _("“%(code)s”当前状态为“%(state)s”，不能%(action)s；只有“%(wanted)s”状态可以。")
            % {"code": secret.code, "state": secret.get_state_display(), "action": action, "wanted": wanted}
        )


def member_of(organisation, user, field: str, errors: dict) -> Any:
    """`user` (a User or its id) if an active member of the organisation; else an error on `field`."""
    if user in (None, ""):
        return None
    user_id = getattr(user, "pk", user)
    member = (
        Membership.objects.select_related("user")
        .filter(organisation=organisation, user_id=user_id, is_active=True)
        .first()
    )
    if member is None:
        errors[field] = [_("不是本单位的在职成员")]
        return None
    return member.user


def clean_period(
    kind: str, until: date | None, errors: dict, *, future: bool = True
) -> tuple[str, date | None]:
    if kind not in PeriodKind.values:
        errors["period_kind"] = [_("保密期限应为：至指定日期、长期、至公开")]
        return kind, None
    if kind == PeriodKind.UNTIL_DATE:
        if until is None:
            errors["period_until"] = [_("保密期限为“至指定日期”时必须填写日期")]
        elif future and until <= timezone.localdate():
            errors["period_until"] = [_("保密期限的日期必须晚于今天")]
        return kind, until
    return kind, None


def clean_secret_fields(
    organisation, data: dict[str, Any], errors: dict, *, future_period: bool = True
) -> dict:
    """Validate the descriptive fields of a secret; return them cleaned."""
    out: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if not name:
        errors["name"] = [_("请填写名称")]
    elif len(name) > 200:
        errors["name"] = [_("名称最长 200 字")]
    out["name"] = name
    category = data.get("category") or ""
    if category not in Category.values:
        errors["category"] = [_("类别应为：技术信息、经营信息")]
    subcategory = data.get("subcategory") or ""
    if category in Category.values and subcategory not in SUBCATEGORIES_OF[category]:
        errors["subcategory"] = [_("细类不属于所选类别")]
    out["category"], out["subcategory"] = category, subcategory
    out["description"] = (data.get("description") or "").strip()
    level = data.get("level") or ""
    if level not in Level.values:
        errors["level"] = [_("密级应为：核心、重要、一般")]
    out["level"] = level
    out["period_kind"], out["period_until"] = clean_period(
        data.get("period_kind") or "", data.get("period_until"), errors, future=future_period
    )
    department = (data.get("department") or "").strip()
    if not department:
        errors["department"] = [_("请填写归属部门")]
    elif len(department) > 64:
        errors["department"] = [_("部门名称最长 64 字")]
    out["department"] = department
    out["responsible"] = member_of(organisation, data.get("responsible"), "responsible", errors)
    out["value_estimate"], out["value_basis"] = clean_value(data, errors)
    return out


def clean_value(data: dict[str, Any], errors: dict) -> tuple[Decimal | None, str]:
    raw = data.get("value_estimate")
    basis = (data.get("value_basis") or "").strip()
    if raw in (None, ""):
        return None, basis
    try:
        value = Decimal(str(raw))
    except InvalidOperation:
        errors["value_estimate"] = [_("估值应为数字（万元）")]
        return None, basis
    if not value.is_finite() or value < 0 or value >= Decimal("1e12"):
        errors["value_estimate"] = [_("估值应为 0 至 1 万亿之间的数字（万元）")]
        return None, basis
    if not basis:
        errors["value_basis"] = [_("填写估值时请说明估值依据")]
    return value.quantize(Decimal("0.01")), basis


def clean_points(points: list[Any], errors: dict) -> list[tuple[str, str]]:
    """Secret points as (title, description); at least one, each with a title."""
    cleaned = []
    for number, point in enumerate(points or [], start=1):
        if isinstance(point, dict):
            title, description = point.get("title", ""), point.get("description", "")
        elif isinstance(point, (list, tuple)) and point:
            title, description = point[0], point[1] if len(point) > 1 else ""
        else:
            title, description = str(point or ""), ""
        title, description = str(title or "").strip(), str(description or "").strip()
        if not title and not description:
            continue
        if not title:
            errors[f"points.{number}.title"] = [_("密点 %(n)s 缺少名称") % {"n": number}]
        elif len(title) > 200:
            errors[f"points.{number}.title"] = [_("密点 %(n)s 的名称最长 200 字") % {"n": number}]
        cleaned.append((title, description))
    if not cleaned:
        errors["points"] = [_("至少列出一个密点：具体的、不为公众所知悉的技术或经营信息要素")]
    if len(cleaned) > MAX_POINTS:
        errors["points"] = [_("密点最多 %(n)s 个") % {"n": MAX_POINTS}]
    return cleaned


def raise_if(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)
