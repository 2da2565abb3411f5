"""Winnowing: the documented guarantees, determinism, keyed fingerprints, numpy = pure Python."""

from __future__ import annotations

import random
from array import array

import pytest

from shangmi.engines.fingerprint.params import Params
from shangmi.engines.fingerprint.winnow import Hasher, select, token_code


def stream(rng: random.Random, n: int) -> array:
    return array("I", (rng.getrandbits(32) for _ in range(n)))


def test_select_rightmost_minimum_per_window():
    assert select([5, 3, 7, 3, 9, 8], 3) == [1, 3]
    assert select([4, 4, 4], 5) == [2]
    assert select([], 4) == []


@pytest.mark.parametrize("key", [None, b"case-2026-0042-secret-key"])
def test_pure_python_equals_accelerated(key):
    rng = random.Random(7)
    tokens = stream(rng, 3000)
    fast, slow = Hasher(key), Hasher(key, accelerate=False)
    for k, w in [(12, 4), (8, 8), (1, 1), (5, 200)]:
        assert fast.winnow(3, tokens, k, w) == slow.winnow(3, tokens, k, w)
    assert fast.winnow(3, tokens[:7], 8, 8) == ([], [])


@pytest.mark.parametrize("k,w", [(12, 4), (8, 8)])
def test_guarantee_threshold_always_detected(k, w):
    """A common run of t = w + k - 1 tokens shares at least one fingerprint, wherever it is embedded."""
    t = Params(k={"x": k}, w={"x": w}).guarantee("x")
    assert t == w + k - 1
    rng = random.Random(11)
    hasher = Hasher()
    for _ in range(200):
        common = stream(rng, t)
        a = stream(rng, rng.randrange(0, 60)) + common + stream(rng, rng.randrange(0, 60))
        b = stream(rng, rng.randrange(0, 60)) + common + stream(rng, rng.randrange(0, 60))
        fa, _ = hasher.winnow(1, a, k, w)
        fb, _ = hasher.winnow(1, b, k, w)
        assert set(fa) & set(fb)


def test_noise_threshold_never_matches_shorter_runs():
    rng = random.Random(3)
    hasher = Hasher()
    k, w = 12, 4
    common = stream(rng, k - 1)
    a = stream(rng, 100) + common + stream(rng, 100)
    b = stream(rng, 100) + common + stream(rng, 100)
    assert not set(hasher.winnow(1, a, k, w)[0]) & set(hasher.winnow(1, b, k, w)[0])


def test_keyed_fingerprints_differ_and_are_deterministic():
    tokens = array(
        "I",
        map(
            token_code,
            ["the", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", "again", "and", "again"],
        ),
    )
    plain = Hasher().winnow(3, tokens, 4, 2)[0]
    keyed = Hasher(b"k" * 32).winnow(3, tokens, 4, 2)[0]
    assert keyed == Hasher(b"k" * 32).winnow(3, tokens, 4, 2)[0]
    assert not set(plain) & set(keyed)
    assert not set(keyed) & set(Hasher(b"j" * 32).winnow(3, tokens, 4, 2)[0])
    assert all(0 <= fp < 2**63 for fp in plain + keyed)
    assert Hasher().key_id == "" and len(Hasher(b"k" * 32).key_id) == 16
