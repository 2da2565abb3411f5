"""Proofs from stored hashes: the RFC 9162 bytes, and they verify, for every size up to 1,000.

Exhaustive: every (index, size) with size <= 1000 (500,500 inclusion proofs), every old <= new <= 200
(20,100 consistency proofs), and 20,000 sampled pairs up to 1000. The RFC's own recursive definitions of
PATH and PROOF over the leaf list are the independent oracle for the bytes.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from shangmi.engines.tlog.hashing import leaf_hash
from shangmi.engines.tlog.merkle import (
    ListHashReader,
    RootMismatchError,
    consistency_proof,
    consistency_proof_size,
    inclusion_proof,
    inclusion_proof_size,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    root_from_leaf_hashes,
    stored_hashes_for_leaf_hash,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

MAX_SIZE = 1000


def build(n: int) -> tuple[list[bytes], list[bytes]]:
    leaves, stored = [], []
    reader = ListHashReader(stored)
    for i in range(n):
        leaves.append(leaf_hash(b"record %d" % i))
        stored.extend(stored_hashes_for_leaf_hash(i, leaves[-1], reader))
    return leaves, stored


LEAVES, STORED = build(MAX_SIZE)
READER = ListHashReader(STORED)
ROOTS = [tree_hash(size, READER) for size in range(MAX_SIZE + 1)]


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_path(m: int, d: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]) exactly as RFC 9162 §2.1.3.1 defines it."""
    n = len(d)
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return rfc_path(m, d[:k]) + [root_from_leaf_hashes(d[k:])]
    return rfc_path(m - k, d[k:]) + [root_from_leaf_hashes(d[:k])]


def rfc_subproof(m: int, d: Sequence[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) exactly as RFC 9162 §2.1.4.1 defines it."""
    n = len(d)
    if m == n:
        return [] if b else [root_from_leaf_hashes(d)]
    k = _k(n)
    if m <= k:
        return rfc_subproof(m, d[:k], b) + [root_from_leaf_hashes(d[k:])]
    return rfc_subproof(m - k, d[k:], False) + [root_from_leaf_hashes(d[:k])]


def test_roots_equal_the_recursive_definition() -> None:
    for size in range(MAX_SIZE + 1):
        assert ROOTS[size] == root_from_leaf_hashes(LEAVES[:size])


def test_proof_bytes_equal_the_rfc_definitions_up_to_64() -> None:
    for size in range(1, 65):
        for index in range(size):
            assert inclusion_proof(index, size, READER) == rfc_path(index, LEAVES[:size]), (index, size)
        for old in range(1, size + 1):
            assert consistency_proof(old, size, READER) == rfc_subproof(old, LEAVES[:size], True), (old, size)


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


@pytest.mark.parametrize("sizes", [range(1, 501), range(501, 751), range(751, 901), range(901, MAX_SIZE + 1)])
def test_every_inclusion_proof_up_to_1000_verifies_and_a_flipped_bit_breaks_it(sizes: range) -> None:
    """Every (index, size): the proof verifies; and one single-bit mutation per pair, rotating over the
    proof elements, the root and the leaf hash and over all 256 bit positions, is rejected.
    (test_merkle_mutations flips every bit on a sample, and index and size.)"""
    turn = 0
    for size in sizes:
        root = ROOTS[size]
        for index in range(size):
            proof = inclusion_proof(index, size, READER)
            leaf = LEAVES[index]
            verify_inclusion(index, size, leaf, proof, root)
            turn += 1
            target, bit = turn % (len(proof) + 2), (turn * 37) % 256
            bad_proof, bad_leaf, bad_root = list(proof), leaf, root
            if target < len(proof):
                bad_proof[target] = flip(proof[target], bit)
            elif target == len(proof):
                bad_leaf = flip(leaf, bit)
            else:
                bad_root = flip(root, bit)
            try:
                verify_inclusion(index, size, bad_leaf, bad_proof, bad_root)
            except RootMismatchError:
                continue
            pytest.fail(f"flipped bit {bit} of element {target} accepted for leaf {index} of {size}")
        assert len(inclusion_proof(0, size, READER)) == (size - 1).bit_length()  # ceil(log2(size))
        assert [inclusion_proof_size(i, size) for i in (0, size // 2, size - 1)] == [
            len(inclusion_proof(i, size, READER)) for i in (0, size // 2, size - 1)
        ]


def test_every_consistency_proof_up_to_200_verifies() -> None:
    for new in range(1, 201):
        for old in range(1, new + 1):
            proof = consistency_proof(old, new, READER)
            assert len(proof) == consistency_proof_size(old, new)
            verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)
            if proof:
                bad = list(proof)
                bad[(old + new) % len(proof)] = flip(bad[(old + new) % len(proof)], (old * 31 + new) % 256)
                with pytest.raises(RootMismatchError):
                    verify_consistency(old, new, ROOTS[old], ROOTS[new], bad)
            assert root_from_consistency_proof(old, new, ROOTS[old], proof) == ROOTS[new]


def test_sampled_consistency_proofs_up_to_1000_verify() -> None:
    rng = random.Random(1000)
    pairs = {(rng.randint(1, MAX_SIZE), rng.randint(1, MAX_SIZE)) for _ in range(20000)}
    pairs |= {(old, MAX_SIZE) for old in range(1, MAX_SIZE + 1)} | {
        (1, new) for new in range(1, MAX_SIZE + 1)
    }
    for a, b in pairs:
        old, new = min(a, b), max(a, b)
        verify_consistency(old, new, ROOTS[old], ROOTS[new], consistency_proof(old, new, READER))


def test_root_from_inclusion_proof_returns_the_root() -> None:
    for size in (1, 2, 3, 7, 8, 9, 999, 1000):
        for index in (0, size // 2, size - 1):
            proof = inclusion_proof(index, size, READER)
            assert root_from_inclusion_proof(index, size, LEAVES[index], proof) == ROOTS[size]
