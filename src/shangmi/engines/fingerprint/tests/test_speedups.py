"""Speed-ups that must not change results: the regex pre-filters of spreadsheet cells and the per-suspect
cache shared by the pairs of one scanned file."""

from __future__ import annotations

from shangmi.engines.fingerprint import records
from shangmi.engines.fingerprint.document import Channel, Document
from shangmi.engines.fingerprint.match import Posting, score_pair
from shangmi.engines.fingerprint.params import Params
from shangmi.engines.fingerprint.suspect import SuspectCache

_WORD_TAILS = (
    "o",
    "td",
    "nc",
    "lc",
    "mbh",
    "orp",
    "lc",
    "roup",
    "t",
    "treet",
    "oad",
    "d",
    "ve",
    "ane",
    "loor",
)


def test_hints_never_rule_out_a_match():
    # Every character that re.I may equate with a pattern's first letter (İ, ı, ſ, K ...) must pass the hint.
    for code in range(0x3000):
        for tail in _WORD_TAILS:
            text = chr(code) + tail
            for full, hint in ((records._ORG, records._ORG_HINT), (records._ADDR, records._ADDR_HINT)):
                assert not full.search(text) or hint.search(text), (hex(code), tail)
    for text in ("北京星辰科技有限公司", "上海市浦东新区", "Acme Ltd", "ſt. james", "ınc"):
        for full, hint in ((records._ORG, records._ORG_HINT), (records._ADDR, records._ADDR_HINT)):
            assert bool(full.search(text)) == bool(hint.search(text) and full.search(text))


def test_a_shared_suspect_cache_gives_the_same_pairs():
    fps = [10, 11, 12, 13, 11, 14, 15, 16]
    n = len(fps)
    doc = Document("s.py", 1, "", "code", "line")
    doc.channels["raw"] = Channel(fps, list(range(n)), list(range(n)), list(range(n)), n)
    items = {
        "a": {"raw": [Posting(11, 3, 1, 2), Posting(12, 4, 2, 2), Posting(15, 9, 5, 6)]},
        "b": {"raw": [Posting(10, 0, 0, 0), Posting(11, 1, 0, 1), Posting(14, 7, 3, 3)]},
    }
    shared_items = {11: 2}
    cache = SuspectCache()
    for name, posts in items.items():
        args = (doc, name, "code", "line", posts, {"raw": 5}, {13}, Params(), shared_items, {"raw": 4.5})
        fresh = score_pair(*args)
        cached = score_pair(*args, suspect=cache)
        assert fresh is not None and cached is not None
        assert fresh.to_json() == cached.to_json()
    assert "raw" in cache and cache["raw"].valid == {10, 11, 12, 14, 15, 16}
