"""Stored-hash numbering, appending, roots, readers, and how many stored hashes each operation reads."""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence

import pytest

from shangmi.engines.tlog.hashing import EMPTY_ROOT, leaf_hash, node_hash
from shangmi.engines.tlog.merkle import (
    BytesHashReader,
    HashReader,
    HashReaderError,
    ListHashReader,
    OutOfRangeError,
    consistency_proof,
    consistency_proof_indexes,
    inclusion_proof,
    inclusion_proof_indexes,
    root_from_leaf_hashes,
    split_stored_hash_index,
    stored_hash_count,
    stored_hash_index,
    stored_hashes,
    stored_hashes_for_batch,
    stored_hashes_for_leaf_hash,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)


def entry(i: int) -> bytes:
    return b"entry %d" % i


def build(n: int) -> tuple[list[bytes], list[bytes]]:
    """(leaf hashes, stored hashes) of a log of n entries, appended one record at a time."""
    leaves, stored = [], []
    reader = ListHashReader(stored)
    for i in range(n):
        leaves.append(leaf_hash(entry(i)))
        stored.extend(stored_hashes(i, entry(i), reader))
    return leaves, stored


LEAVES, STORED = build(1100)


# --- numbering -----------------------------------------------------------------------------------------


def test_numbering_of_the_first_hashes_is_the_sumdb_tlog_order() -> None:
    # Records 0..3 store: leaf0, leaf1, (1,0), leaf2, leaf3, (1,1), (2,0); then leaf4 at 7.
    order = [(0, 0), (0, 1), (1, 0), (0, 2), (0, 3), (1, 1), (2, 0), (0, 4), (0, 5), (1, 2), (0, 6)]
    assert [stored_hash_index(level, n) for level, n in order] == list(range(len(order)))
    assert [split_stored_hash_index(i) for i in range(len(order))] == order
    assert [stored_hash_count(n) for n in range(9)] == [0, 1, 3, 4, 7, 8, 10, 11, 15]


def test_numbering_round_trips_and_is_dense() -> None:
    seen = set()
    for index in range(20000):
        level, n = split_stored_hash_index(index)
        assert stored_hash_index(level, n) == index
        seen.add((level, n))
    # every complete subtree of the first 5000 records has an index below stored_hash_count(5000)
    limit = stored_hash_count(5000)
    for level in range(13):
        for n in range(5000 >> level):
            assert stored_hash_index(level, n) < limit
    assert len(seen) == 20000
    for index in (2**40, 2**62 + 12345, 10**15 + 7):
        assert stored_hash_index(*split_stored_hash_index(index)) == index


def test_numbering_rejects_negative_arguments() -> None:
    for bad in (
        lambda: stored_hash_count(-1),
        lambda: stored_hash_index(-1, 0),
        lambda: split_stored_hash_index(-1),
    ):
        with pytest.raises(ValueError):
            bad()


def test_every_stored_hash_is_the_hash_of_its_subtree() -> None:
    assert len(STORED) == stored_hash_count(len(LEAVES))
    for index, h in enumerate(STORED):
        level, n = split_stored_hash_index(index)
        assert h == root_from_leaf_hashes(LEAVES[n << level : (n + 1) << level]), (level, n)


def test_stored_hash_variants_agree() -> None:
    stored: list[bytes] = []
    reader = ListHashReader(stored)
    for i in range(70):
        by_data = stored_hashes(i, entry(i), reader)
        assert by_data == stored_hashes_for_leaf_hash(i, LEAVES[i], reader)
        stored.extend(by_data)
    assert stored == STORED[: stored_hash_count(70)]


@pytest.mark.parametrize("seed", range(5))
def test_batches_of_any_size_store_the_same_hashes(seed: int) -> None:
    rng = random.Random(seed)
    stored: list[bytes] = []
    reader = ListHashReader(stored)
    start = 0
    while start < 1100:
        k = rng.choice([0, 1, 2, 3, 7, 8, 64, 100, 255, 256])
        batch = LEAVES[start : start + k]
        stored.extend(stored_hashes_for_batch(start, batch, reader))
        start += len(batch)
        assert len(stored) == stored_hash_count(start)
    assert stored == STORED


def test_a_batch_reads_only_the_old_subtrees_it_completes() -> None:
    reader = CountingReader(ListHashReader(STORED))
    stored_hashes_for_batch(1023, LEAVES[1023:1024], reader)  # completes subtrees at levels 1..10
    assert sorted(reader.indexes) == sorted(
        stored_hash_index(level, (1023 >> level) - 1) for level in range(10)
    )
    reader = CountingReader(ListHashReader(STORED))
    stored_hashes_for_batch(1024, LEAVES[1024:1025], reader)  # completes nothing
    assert reader.calls == 0


def test_appending_rejects_a_leaf_hash_of_the_wrong_size() -> None:
    with pytest.raises(ValueError):
        stored_hashes_for_leaf_hash(0, b"short", ListHashReader([]))


# --- roots ---------------------------------------------------------------------------------------------


def test_tree_hash_equals_the_recursive_definition_for_every_size() -> None:
    reader = ListHashReader(STORED)
    assert tree_hash(0, reader) == EMPTY_ROOT == root_from_leaf_hashes([])
    for size in range(1, len(LEAVES) + 1):
        assert tree_hash(size, reader) == root_from_leaf_hashes(LEAVES[:size]), size


def test_root_of_rfc_example_shapes() -> None:
    a, b, c = (leaf_hash(x) for x in (b"a", b"b", b"c"))
    assert root_from_leaf_hashes([a]) == a
    assert root_from_leaf_hashes([a, b, c]) == node_hash(node_hash(a, b), c)


# --- readers -------------------------------------------------------------------------------------------


def test_readers_agree_and_report_bad_storage() -> None:
    flat = BytesHashReader(b"".join(STORED))
    listed = ListHashReader(STORED)
    assert isinstance(flat, HashReader) and isinstance(listed, HashReader)
    indexes = [5, 0, 5, len(STORED) - 1]
    assert flat.read_hashes(indexes) == listed.read_hashes(indexes) == [STORED[i] for i in indexes]
    for reader in (flat, listed):
        for bad in (len(STORED), -1):
            with pytest.raises(HashReaderError):
                reader.read_hashes([bad])
    with pytest.raises(HashReaderError):
        tree_hash(3, ListHashReader([b"x"] * 10))  # a stored hash of the wrong size
    with pytest.raises(HashReaderError):
        tree_hash(3, ShortReader())


class ShortReader:
    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return [b"\x00" * 32]


# --- cost ----------------------------------------------------------------------------------------------


class CountingReader:
    """Wraps a reader and records each read_hashes call."""

    def __init__(self, inner: HashReader) -> None:
        self.inner = inner
        self.calls = 0
        self.indexes: list[int] = []

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        self.calls += 1
        self.indexes.extend(indexes)
        return self.inner.read_hashes(indexes)


class UniformTreeReader:
    """The stored hashes of a log whose every entry is b"" (any size, even 2^40), computed on demand.

    With identical leaves a complete subtree's hash depends only on its level, so each read costs at most
    one cached hash per level; proofs from it must still verify against its tree_hash.
    """

    @staticmethod
    @functools.cache
    def level_hash(level: int) -> bytes:
        if level == 0:
            return leaf_hash(b"")
        below = UniformTreeReader.level_hash(level - 1)
        return node_hash(below, below)

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        return [self.level_hash(split_stored_hash_index(i)[0]) for i in indexes]


def ceil_log2(n: int) -> int:
    return (n - 1).bit_length()


def sizes_up_to_a_million() -> list[int]:
    rng = random.Random(6962)
    edges = [s for k in range(1, 21) for s in (2**k - 1, 2**k, 2**k + 1)]
    return sorted(
        {
            *range(2, 300),
            *(s for s in edges if s >= 2),
            10**6,
            10**6 - 1,
            *(rng.randrange(2, 10**6) for _ in range(300)),
        }
    )


def test_inclusion_proof_reads_at_most_2_log2_n_hashes_in_one_call() -> None:
    rng = random.Random(9162)
    worst = 0
    for size in sizes_up_to_a_million():
        indexes = {0, size - 1, size // 2, *(rng.randrange(size) for _ in range(20))}
        if size <= 300:
            indexes = set(range(size))
        for index in indexes:
            reader = CountingReader(UniformTreeReader())
            proof = inclusion_proof(index, size, reader)
            assert reader.calls == 1
            assert reader.indexes == inclusion_proof_indexes(index, size)
            assert len(reader.indexes) <= 2 * ceil_log2(size) - 1, (index, size)
            assert len(proof) <= ceil_log2(size)
            worst = max(worst, len(reader.indexes))
    assert worst <= 2 * ceil_log2(10**6) - 1 == 39


def test_consistency_proof_and_tree_hash_read_at_most_2_log2_n_hashes() -> None:
    rng = random.Random(6962)
    for size in sizes_up_to_a_million():
        olds = (
            set(range(1, size + 1))
            if size <= 300
            else {1, size - 1, size, *(rng.randrange(1, size) for _ in range(20))}
        )
        for old in olds:
            reader = CountingReader(UniformTreeReader())
            proof = consistency_proof(old, size, reader)
            assert reader.calls == (0 if old == size else 1)
            assert reader.indexes == ([] if old == size else consistency_proof_indexes(old, size))
            assert len(reader.indexes) <= 2 * ceil_log2(size) - 1, (old, size)
            assert len(proof) <= ceil_log2(size) + 1
        reader = CountingReader(UniformTreeReader())
        tree_hash(size, reader)
        assert reader.calls == 1 and len(reader.indexes) == size.bit_count()


@pytest.mark.parametrize("size", [2**40, 2**40 + 1, 3 * 2**38 + 12345, 2**62 + 2**31 + 5])
def test_proofs_in_huge_trees_verify(size: int) -> None:
    reader = UniformTreeReader()
    root = tree_hash(size, reader)
    leaf = leaf_hash(b"")
    for index in (0, 1, size // 3, size - 2, size - 1):
        verify_inclusion(index, size, leaf, inclusion_proof(index, size, reader), root)
    for old in (1, 2**20 + 3, size // 2 + 1, size - 1):
        verify_consistency(old, size, tree_hash(old, reader), root, consistency_proof(old, size, reader))


def test_proof_generation_rejects_impossible_arguments() -> None:
    reader = ListHashReader(STORED)
    for index, size in ((0, 0), (5, 5), (-1, 3)):
        with pytest.raises(OutOfRangeError):
            inclusion_proof(index, size, reader)
    for old, new in ((0, 5), (6, 5), (-1, 2)):
        with pytest.raises(OutOfRangeError):
            consistency_proof(old, new, reader)
    assert consistency_proof(7, 7, reader) == []
