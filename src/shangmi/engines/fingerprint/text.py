"""Text normaliser for Chinese and English (and the raw-text channel of code).

Normalisation, in order: Unicode NFKC (full-width letters, digits and punctuation become half-width;
compatibility ideographs become unified ones); traditional Chinese to simplified (OpenCC ``t2s``, only when
the text holds CJK characters); case folding. Tokens are single CJK characters and runs of other letters
or digits; whitespace and punctuation are dropped, so re-spacing, re-punctuating and re-wrapping change
nothing.

Cost: linear in the text; OpenCC dominates for Chinese text (tens of MB/s).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Iterable

from .winnow import TOKEN_CODES

_CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_HAS_CJK = re.compile(f"[{_CJK}]")
_TOKEN = re.compile(f"[{_CJK}]|[^\\W_{_CJK}]+")


@functools.cache
def _t2s():
    import opencc

    return opencc.OpenCC("t2s")


def normalise(text: str) -> str:
    """NFKC, traditional to simplified, case-folded. Whitespace and punctuation are kept (tokens drop them)."""
    text = unicodedata.normalize("NFKC", text)
    if _HAS_CJK.search(text):
        text = _t2s().convert(text)
    return text.casefold()


def words(text: str) -> list[str]:
    """Tokens of already normalised text."""
    return _TOKEN.findall(text)


def tokenize(segments: Iterable[tuple[int, str]]) -> tuple[array, list[int]]:
    """Tokenise (unit, text) segments (a unit is a line, paragraph or page-line number); return token codes
    and the unit of every token."""
    codes = array("I")
    units: list[int] = []
    for unit, raw in segments:
        toks = _TOKEN.findall(normalise(raw))
        if toks:
            codes.extend(map(TOKEN_CODES.__getitem__, toks))
            units.extend([unit] * len(toks))
    return codes, units


def lines(text: str) -> list[tuple[int, str]]:
    """(1-based line number, line) segments of a text, normalised in one pass (cheaper than per line)."""
    return list(enumerate(text.split("\n"), start=1))


def tokenize_text(text: str) -> tuple[array, list[int]]:
    """Tokenise a whole text; the unit of every token is its 1-based line number."""
    norm = normalise(text)
    codes = array("I")
    units: list[int] = []
    for number, line in enumerate(norm.split("\n"), start=1):
        toks = _TOKEN.findall(line)
        if toks:
            codes.extend(map(TOKEN_CODES.__getitem__, toks))
            units.extend([number] * len(toks))
    return codes, units
