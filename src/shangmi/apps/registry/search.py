"""Search text for the register: substring matching over normalised text, which works for Chinese
(no word segmentation needed) on SQLite and PostgreSQL alike. On PostgreSQL a trigram GIN index
serves terms of three characters or more."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
MAX_TERMS = 8


def normalise(text: str) -> str:
    """Full-width to half-width (NFKC), case folded, whitespace collapsed."""
    return _SPACE.sub(" ", unicodedata.normalize("NFKC", text or "").casefold()).strip()


def terms(query: str) -> list[str]:
    """The query's terms, each to be found somewhere in the text (AND)."""
    return [t for t in normalise(query).split(" ") if t][:MAX_TERMS]


def secret_search_text(secret, points=()) -> str:
    parts = [secret.code, secret.name, secret.description, secret.department]
    if secret.responsible_id and secret.responsible is not None:
        parts.append(secret.responsible.name)
    for point in points:
        parts += [point.title, point.description]
    return normalise(" ".join(p for p in parts if p))
