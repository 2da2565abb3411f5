"""Parsing of the two login identifiers: e-mail addresses and mainland mobile numbers."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalise_phone(raw: str) -> str:
    """Return the 11-digit mainland mobile number in `raw` (accepts +86, 0086, spaces and dashes)."""
    digits = re.sub(r"[\s\-()]", "", raw or "")
    for prefix in ("+86", "0086", "86"):
        if digits.startswith(prefix) and len(digits) == len(prefix) + 11:
            digits = digits[len(prefix) :]
            break
    if not _MOBILE.match(digits):
        raise ValidationError(
            _("“%(value)s” 不是有效的中国大陆手机号（11 位，以 1 开头）"), params={"value": raw}
        )
    return digits


def normalise_email(raw: str) -> str:
    value = (raw or "").strip()
    validate_email(value)
    local, _sep, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def looks_like_phone(raw: str) -> bool:
    return "@" not in (raw or "")


def canonical_login(raw: str) -> str:
    """One spelling per account for what people type at log-in: the 11-digit mobile number, or the
    e-mail address in lower case. Throttling counts failures per spelling, so variants such as
    "User@Example.com" / "user@example.com" or "+86 138-0574-0001" / "13805740001" must not each get
    their own allowance of attempts."""
    value = (raw or "").strip()
    if looks_like_phone(value):
        try:
            return normalise_phone(value)
        except ValidationError:
            return value.lower()
    return value.lower()
