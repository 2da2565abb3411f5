"""Separators that follow the language: Chinese joins lists with "、" and labels with "：", English with
", " and ": ". Translated like any other string."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _


def series(items: Iterable[str]) -> str:
    """核心、重要、一般 / core, important, general"""
    return _("、").join(str(item) for item in items)


def phrases(items: Iterable[str]) -> str:
    """Short phrases run together: "，" / ", "."""
    return _("，").join(str(item) for item in items)


def clauses(items: Iterable[str]) -> str:
    """Independent parts of one sentence: "；" / "; "."""
    return _("；").join(str(item) for item in items)


def labelled(label: str, value: object) -> str:
    return _("%(label)s：%(value)s") % {"label": label, "value": value}
