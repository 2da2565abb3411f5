"""Scoring that discounts material common to several registered items, and the literal noise threshold."""

from __future__ import annotations

import pytest

from shangmi.engines.fingerprint import code, index, scan
from shangmi.engines.fingerprint.document import Channel, Document
from shangmi.engines.fingerprint.match import Posting, score_pair
from shangmi.engines.fingerprint.params import Params

from .helpers import JAVA_ORIGINAL, JAVA_UNRELATED


def _doc(fps: list[int]) -> Document:
    doc = Document("s.txt", 1, "", "drawing", "entity")
    n = len(fps)
    doc.channels["ent"] = Channel(fps, list(range(n)), list(range(n)), list(range(n)), n)
    return doc


def test_fingerprints_held_by_several_items_weigh_less():
    doc = _doc([10, 11, 12, 13])
    posts = {"ent": [Posting(10, 0, 0, 0), Posting(11, 1, 1, 1)]}
    plain = score_pair(doc, "i", "drawing", "entity", posts, {"ent": 4}, set(), Params())
    assert plain.channels["ent"].containment_suspect == 0.5
    assert plain.channels["ent"].containment_item == 0.5
    # 10 and 11 are also held by one other registered item: each weighs 1/2 on both sides
    common = {10: 2, 11: 2}
    weighted = score_pair(
        doc, "i", "drawing", "entity", posts, {"ent": 4}, set(), Params(), common, {"ent": 3.0}
    )
    assert weighted.channels["ent"].containment_suspect == pytest.approx(1 / 3)
    assert weighted.channels["ent"].containment_item == pytest.approx(1 / 3)
    assert weighted.score < plain.score
    assert weighted.channels["ent"].shared == 2  # counts stay counts


def test_index_records_item_frequency_and_weighted_totals(tmp_path):
    reg = tmp_path / "reg"
    for name in ("a", "b"):
        (reg / name).mkdir(parents=True)
        (reg / name / "Bmi.java").write_text(JAVA_ORIGINAL)
    (reg / "Tree.java").write_text(JAVA_UNRELATED)
    index.build(tmp_path / "r.idx", [reg], workers=1)
    loaded = index.load(tmp_path / "r.idx")
    try:
        by_name = {i.name: i for i in loaded.items.values()}
        bmi, tree = by_name["a/Bmi.java"], by_name["Tree.java"]
        assert loaded.shared and set(loaded.shared.values()) <= {2, 3}
        assert bmi.weighted["ast"] < bmi.totals["ast"]
        assert bmi.weighted["ast"] >= bmi.totals["ast"] / 2
        assert tree.weighted["lit"] == tree.totals["lit"]  # nothing of its literals is shared
    finally:
        loaded.close()
    # a copy of Bmi is still a full match of both registered copies: every fingerprint halves on both sides
    suspect = tmp_path / "Copy.java"
    suspect.write_text(JAVA_ORIGINAL.replace("Bmi", "Copy"))
    pairs = {p["item"]: p for p in scan.run(tmp_path / "r.idx", [suspect], workers=1).pairs()}
    assert pairs["a/Bmi.java"]["channels"]["lit"]["containment_item_in_suspect"] == 1.0
    assert pairs["b/Bmi.java"]["above_threshold"]


def test_literals_below_the_noise_threshold_are_not_evidence():
    source = b'class A { void f() { int a = 0, b = 1; Object c = \'x\'; String s = ""; g("ok", 3.14, 10); } }'
    toks = code.tokenize(source, "java")
    assert toks.literals == [b'"ok"', b"3.14", b"10"]
    assert len(toks.lit_offsets) == len(toks.literals)
    assert sum(1 for t in toks.ast if t == code.LIT_CODE) == 7  # the structure still sees every literal
