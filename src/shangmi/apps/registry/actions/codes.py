"""Register codes from the organisation's pattern, default `<ORG>-<YEAR>-<NNNN>`."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.registry.models import CodeCounter, RegisterPolicy, TradeSecret
from shangmi.apps.registry.models.choices import Category
from shangmi.apps.registry.wording import series

_PLACEHOLDER = re.compile(r"\{([A-Z]+)\}")
_KNOWN = {"ORG", "YEAR", "CAT"}
CATEGORY_CODES = {Category.TECHNICAL: "JS", Category.BUSINESS: "JY"}


def check_pattern(pattern: str) -> str:
    pattern = (pattern or "").strip()
    names = _PLACEHOLDER.findall(pattern)
    numbers = [n for n in names if set(n) == {"N"}]
    unknown = sorted({n for n in names if n not in _KNOWN and set(n) != {"N"}})
    if unknown:
        raise ValidationError(
            {
                "code_pattern": _("编号规则含未知占位符：%(names)s")
                % {"names": series("{" + n + "}" for n in unknown)}
            }
        )
    if len(numbers) != 1 or not 2 <= len(numbers[0]) <= 8:
        raise ValidationError({"code_pattern": _("编号规则必须恰好含一个流水号占位符 {NN}…{NNNNNNNN}")})
    if len(pattern) > 48:
        raise ValidationError({"code_pattern": _("编号规则最长 48 个字符")})
    return pattern


def next_secret_code(organisation, category: str, policy: RegisterPolicy) -> str:
    """Hand out the next number for the pattern's fixed part; skips codes already taken (e.g. imported)."""
    pattern = policy.code_pattern
    fixed = {
        "ORG": organisation.short_code,
        "YEAR": str(timezone.localdate().year),
        "CAT": CATEGORY_CODES.get(category, "QT"),
    }
    width = next(len(n) for n in _PLACEHOLDER.findall(pattern) if set(n) == {"N"})
    scope = _PLACEHOLDER.sub(lambda m: fixed.get(m.group(1), "#"), pattern)
    counter, _created = CodeCounter.objects.select_for_update().get_or_create(
        organisation=organisation, scope=scope[:64]
    )
    while True:
        counter.last += 1
        code = _PLACEHOLDER.sub(
            lambda m: fixed[m.group(1)] if m.group(1) in fixed else str(counter.last).zfill(width), pattern
        )
        if not TradeSecret.objects.filter(organisation=organisation, code=code).exists():
            break
    counter.save(update_fields=["last"])
    return code


def next_carrier_code(secret) -> str:
    """`<secret code>-C01`, `-C02`… in order of registration."""
    from shangmi.apps.registry.models import Carrier

    taken = set(
        Carrier.objects.filter(
            organisation_id=secret.organisation_id, code__startswith=f"{secret.code}-C"
        ).values_list("code", flat=True)
    )
    number = len(taken) + 1
    while f"{secret.code}-C{number:02d}" in taken:
        number += 1
    return f"{secret.code}-C{number:02d}"
