"""Single-bit mutations of proofs, roots, leaf hashes, indexes and sizes.

Hashes: every bit of every proof element, of the leaf hash and of the roots is flipped for all small trees
and a deterministic sample of larger ones (hypothesis adds random ones); each flip must be rejected.

Index and size: a flipped index is always rejected. A flipped *size* is rejected unless the leaf's path
has the same shape in both trees (e.g. index 0 in trees of 5 and 7 leaves: both paths are "right sibling,
right sibling, right sibling"); then RFC 9162 verification recomputes the very same root, because an
inclusion proof commits to the path, not to the size. The size is bound to the root by the signed
checkpoint: against the root the mutated size really has, the proof always fails. The tests pin exactly
that: accepted <=> same path shape (an oracle written from the RFC's recursive PATH / PROOF definitions).
"""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shangmi.engines.tlog.hashing import leaf_hash
from shangmi.engines.tlog.merkle import (
    ListHashReader,
    ProofError,
    consistency_proof,
    inclusion_proof,
    stored_hashes_for_batch,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

BIG = 40_000  # leaves in the tree the random tests draw from
SMALL = 1000  # sizes whose roots are precomputed


def build(n: int) -> tuple[list[bytes], list[bytes]]:
    leaves = [leaf_hash(b"mutation %d" % i) for i in range(n)]
    stored: list[bytes] = []
    reader = ListHashReader(stored)
    for start in range(0, n, 256):
        stored.extend(stored_hashes_for_batch(start, leaves[start : start + 256], reader))
    return leaves, stored


LEAVES, STORED = build(BIG)
READER = ListHashReader(STORED)
ROOTS = [tree_hash(size, READER) for size in range(SMALL + 1)]


def root(size: int) -> bytes:
    return ROOTS[size] if size <= SMALL else tree_hash(size, READER)


def flip(value: bytes, bit: int) -> bytes:
    out = bytearray(value)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def rejected(check, *args) -> bool:
    try:
        check(*args)
    except ProofError:
        return True
    return False


def _k(n: int) -> int:
    return 1 << ((n - 1).bit_length() - 1)


def path_shape(m: int, n: int) -> tuple[str, ...]:
    """Sides of PATH(m, D[n]) (RFC 9162 §2.1.3.1), leaf upward: R = sibling on the right."""
    if n == 1:
        return ()
    k = _k(n)
    return path_shape(m, k) + ("R",) if m < k else path_shape(m - k, n - k) + ("L",)


def proof_shape(m: int, n: int, b: bool = True) -> tuple[str, ...]:
    """Shape of SUBPROOF(m, D[n], b) (RFC 9162 §2.1.4.1): X = the old tree's own last subtree."""
    if m == n:
        return () if b else ("X",)
    k = _k(n)
    return proof_shape(m, k, b) + ("R",) if m <= k else proof_shape(m - k, n - k, False) + ("L",)


def small_pairs(limit: int) -> list[tuple[int, int]]:
    return [(index, size) for size in range(1, limit + 1) for index in range(size)]


def sampled_pairs(count: int, largest: int, seed: int) -> list[tuple[int, int]]:
    rng = random.Random(seed)
    sizes = [rng.randint(2, largest) for _ in range(count)]
    return [(rng.randrange(size), size) for size in sizes]


# --- hash bits -----------------------------------------------------------------------------------------


def assert_every_inclusion_bit_matters(index: int, size: int) -> int:
    proof, leaf, good_root = inclusion_proof(index, size, READER), LEAVES[index], root(size)
    verify_inclusion(index, size, leaf, proof, good_root)
    flips = 0
    for bit in range(256):
        assert rejected(verify_inclusion, index, size, flip(leaf, bit), proof, good_root)
        assert rejected(verify_inclusion, index, size, leaf, proof, flip(good_root, bit))
        for j in range(len(proof)):
            mutated = proof[:j] + [flip(proof[j], bit)] + proof[j + 1 :]
            assert rejected(verify_inclusion, index, size, leaf, mutated, good_root), (index, size, j, bit)
        flips += 2 + len(proof)
    return flips


def test_every_bit_of_inclusion_proofs_matters_in_small_trees() -> None:
    flips = sum(assert_every_inclusion_bit_matters(i, n) for i, n in small_pairs(12))
    assert flips == 256 * sum(2 + len(inclusion_proof(i, n, READER)) for i, n in small_pairs(12))


def test_every_bit_of_inclusion_proofs_matters_in_sampled_trees() -> None:
    for index, size in sampled_pairs(12, BIG, seed=1) + [(0, BIG), (BIG - 1, BIG), (SMALL - 1, SMALL)]:
        assert_every_inclusion_bit_matters(index, size)


def assert_every_consistency_bit_matters(old: int, new: int) -> None:
    proof, old_root, new_root = consistency_proof(old, new, READER), root(old), root(new)
    verify_consistency(old, new, old_root, new_root, proof)
    for bit in range(256):
        assert rejected(verify_consistency, old, new, flip(old_root, bit), new_root, proof)
        assert rejected(verify_consistency, old, new, old_root, flip(new_root, bit), proof)
        for j in range(len(proof)):
            mutated = proof[:j] + [flip(proof[j], bit)] + proof[j + 1 :]
            assert rejected(verify_consistency, old, new, old_root, new_root, mutated), (old, new, j, bit)


def test_every_bit_of_consistency_proofs_matters_in_small_trees() -> None:
    for new in range(1, 13):
        for old in range(1, new + 1):
            assert_every_consistency_bit_matters(old, new)


def test_every_bit_of_consistency_proofs_matters_in_sampled_trees() -> None:
    rng = random.Random(2)
    for _ in range(12):
        a, b = rng.randint(1, BIG), rng.randint(1, BIG)
        assert_every_consistency_bit_matters(min(a, b), max(a, b))
    assert_every_consistency_bit_matters(1, BIG)
    assert_every_consistency_bit_matters(BIG - 1, BIG)


# --- index and size bits -------------------------------------------------------------------------------


def bit_flips(value: int) -> list[int]:
    """value with one of its bits flipped, for every bit up to one above its highest."""
    return [value ^ (1 << bit) for bit in range(value.bit_length() + 1)]


def check_inclusion_index_and_size_flips(index: int, size: int) -> int:
    """Returns how many size flips were accepted (against the original root)."""
    proof, leaf, good_root = inclusion_proof(index, size, READER), LEAVES[index], root(size)
    for other in bit_flips(index):
        assert rejected(verify_inclusion, other, size, leaf, proof, good_root), (index, other, size)
    accepted = 0
    for other in bit_flips(size):
        same_shape = index < other and path_shape(index, other) == path_shape(index, size)
        assert rejected(verify_inclusion, index, other, leaf, proof, good_root) != same_shape, (
            index,
            size,
            other,
        )
        accepted += same_shape
        if 0 < other <= BIG:  # with the root that size really has, the old proof never verifies
            assert rejected(verify_inclusion, index, other, leaf, proof, root(other)), (index, size, other)
    return accepted


def test_inclusion_index_and_size_flips_up_to_256_exhaustively() -> None:
    accepted = sum(check_inclusion_index_and_size_flips(i, n) for i, n in small_pairs(256))
    assert accepted > 0  # the RFC property the module docstring describes is real, and pinned exactly


def test_inclusion_index_and_size_flips_on_sampled_trees() -> None:
    for index, size in sampled_pairs(400, BIG, seed=3):
        check_inclusion_index_and_size_flips(index, size)
    assert check_inclusion_index_and_size_flips(0, 5) == 1  # 5 -> 7: same path, same root


def check_consistency_size_flips(old: int, new: int) -> None:
    proof, old_root, new_root = consistency_proof(old, new, READER), root(old), root(new)
    shape = proof_shape(old, new)
    for other_old in bit_flips(old):
        same = 0 < other_old <= new and proof_shape(other_old, new) == shape
        assert rejected(verify_consistency, other_old, new, old_root, new_root, proof) != same, (
            old,
            new,
            other_old,
        )
        if same:
            assert other_old == old or rejected(
                verify_consistency, other_old, new, root(other_old), new_root, proof
            )
    for other_new in bit_flips(new):
        same = 0 < old <= other_new and proof_shape(old, other_new) == shape
        assert rejected(verify_consistency, old, other_new, old_root, new_root, proof) != same, (
            old,
            new,
            other_new,
        )
        if same and other_new <= BIG:
            assert rejected(verify_consistency, old, other_new, old_root, root(other_new), proof)


def test_consistency_size_flips_up_to_128_exhaustively() -> None:
    for new in range(1, 129):
        for old in range(1, new + 1):
            check_consistency_size_flips(old, new)


def test_consistency_size_flips_on_sampled_trees() -> None:
    rng = random.Random(4)
    for _ in range(400):
        a, b = rng.randint(1, BIG), rng.randint(1, BIG)
        check_consistency_size_flips(min(a, b), max(a, b))


# --- random trees --------------------------------------------------------------------------------------


@st.composite
def leaf_in_tree(draw) -> tuple[int, int]:
    size = draw(st.integers(1, BIG))
    return draw(st.integers(0, size - 1)), size


@settings(max_examples=300, deadline=None, derandomize=True)
@given(leaf_in_tree(), st.integers(0, 255), st.integers(0, 64))
def test_random_inclusion_proofs_verify_and_any_flipped_bit_breaks_them(
    pair: tuple[int, int], bit: int, target: int
) -> None:
    index, size = pair
    proof, leaf, good_root = inclusion_proof(index, size, READER), LEAVES[index], root(size)
    verify_inclusion(index, size, leaf, proof, good_root)
    target %= len(proof) + 2
    if target < len(proof):
        mutated: Sequence[bytes] = proof[:target] + [flip(proof[target], bit)] + proof[target + 1 :]
        assert rejected(verify_inclusion, index, size, leaf, mutated, good_root)
    elif target == len(proof):
        assert rejected(verify_inclusion, index, size, flip(leaf, bit), proof, good_root)
    else:
        assert rejected(verify_inclusion, index, size, leaf, proof, flip(good_root, bit))
    other_index = index ^ (1 << (bit % (index.bit_length() + 1)))
    assert rejected(verify_inclusion, other_index, size, leaf, proof, good_root)
    other_size = size ^ (1 << (bit % (size.bit_length() + 1)))
    same_shape = index < other_size and path_shape(index, other_size) == path_shape(index, size)
    assert rejected(verify_inclusion, index, other_size, leaf, proof, good_root) != same_shape


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.integers(1, BIG), st.integers(1, BIG), st.integers(0, 255), st.integers(0, 64))
def test_random_consistency_proofs_verify_and_any_flipped_bit_breaks_them(
    a: int, b: int, bit: int, target: int
) -> None:
    old, new = min(a, b), max(a, b)
    proof, old_root, new_root = consistency_proof(old, new, READER), root(old), root(new)
    verify_consistency(old, new, old_root, new_root, proof)
    target %= len(proof) + 2
    if target < len(proof):
        mutated = proof[:target] + [flip(proof[target], bit)] + proof[target + 1 :]
        assert rejected(verify_consistency, old, new, old_root, new_root, mutated)
    elif target == len(proof):
        assert rejected(verify_consistency, old, new, flip(old_root, bit), new_root, proof)
    else:
        assert rejected(verify_consistency, old, new, old_root, flip(new_root, bit), proof)


@pytest.mark.parametrize("cut", ["drop-first", "drop-last", "append", "prepend", "duplicate"])
def test_added_or_removed_elements_are_rejected(cut: str) -> None:
    def edit(proof: list[bytes]) -> list[bytes]:
        return {
            "drop-first": proof[1:],
            "drop-last": proof[:-1],
            "append": [*proof, proof[0]],
            "prepend": [proof[-1], *proof],
            "duplicate": proof[:1] + proof,
        }[cut]

    for index, size in sampled_pairs(300, SMALL, seed=5):
        proof = inclusion_proof(index, size, READER)
        if proof:
            assert rejected(verify_inclusion, index, size, LEAVES[index], edit(proof), ROOTS[size])
    for old, new in [
        (o, n) for _, n in sampled_pairs(300, SMALL, seed=6) for o in (1, n // 2 or 1, n - 1) if 0 < o < n
    ]:
        proof = consistency_proof(old, new, READER)
        assert rejected(verify_consistency, old, new, ROOTS[old], ROOTS[new], edit(proof))
