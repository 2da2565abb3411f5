"""Framework names in the reader's language: a framework file gives each domain a Chinese name and an
English one (`name_en`); questions themselves are Chinese only."""

from __future__ import annotations

from django.utils.translation import get_language


def domain_name(domain) -> str:
    return domain.name_en if (get_language() or "").startswith("en") and domain.name_en else domain.name
