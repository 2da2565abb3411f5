"""Search text for the register: substring matching over normalised text, which works for Chinese
(no word segmentation needed) on SQLite and PostgreSQL alike.

On PostgreSQL two indexes narrow the rows the substring test has to read: a trigram GIN index for terms
of three characters or more, and a GIN index over the text's Chinese character bigrams (`search_tokens`),
which also serves the two-character terms Chinese users type most (配方, 图纸, 客户) and trigrams cannot."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")
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


def _bigrams(text: str) -> set[str]:
    return {run[i : i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1)}


def search_tokens(search_text: str) -> str:
    """The Chinese character bigrams of (normalised) search text, space separated, for the index."""
    return " ".join(sorted(_bigrams(search_text)))


def term_bigrams(term: str) -> list[str]:
    """Bigrams every text containing `term` also has: a necessary condition, so the index can only
    narrow the candidates, never lose a match. Empty for terms without two adjacent Chinese characters."""
    return sorted(_bigrams(term))
