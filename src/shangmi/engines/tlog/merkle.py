"""RFC 6962 / RFC 9162 Merkle trees over stored hashes: numbering, appending, roots and proofs.

A log of n records keeps one hash for every *complete* subtree: the subtree at level L (2^L leaves) that is
the n-th at that level, for every L and n with (n + 1) * 2^L <= size. The hashes are numbered in the order
an append-only writer produces them, the numbering of Go's golang.org/x/mod/sumdb/tlog and of C2SP
tlog-tiles: appending record n stores its leaf hash, then the hash of every subtree that record completes,
lowest level first. So

    stored_hash_count(n)      = 2n - popcount(n)             (hashes stored for records 0..n-1)
    stored_hash_index(L, n)   = stored_hash_count((n + 1) * 2^L - 1) + L

and a tree of any size has its root, proofs and everything else computable from O(log size) stored hashes,
which never change once written. Storage sits behind `HashReader` (one batched call per operation), so the
same code runs over a list in memory, a flat file, or tlog-tiles.

Proof generation lives here; verification (pure, storage-free) lives in `verify.py` and is re-exported.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from .hashing import EMPTY_ROOT, HASH_SIZE, leaf_hash, node_hash
from .verify import (
    MalformedHashError,
    OutOfRangeError,
    ProofError,
    ProofLengthError,
    RootMismatchError,
    consistency_proof_size,
    inclusion_proof_size,
    root_from_consistency_proof,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)

__all__ = [
    "BytesHashReader",
    "HashReader",
    "HashReaderError",
    "ListHashReader",
    "MalformedHashError",
    "OutOfRangeError",
    "ProofError",
    "ProofLengthError",
    "RootMismatchError",
    "consistency_proof",
    "consistency_proof_indexes",
    "consistency_proof_size",
    "inclusion_proof",
    "inclusion_proof_indexes",
    "inclusion_proof_size",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "root_from_leaf_hashes",
    "split_stored_hash_index",
    "stored_hash_count",
    "stored_hash_index",
    "stored_hashes",
    "stored_hashes_for_batch",
    "stored_hashes_for_leaf_hash",
    "subtree_indexes",
    "tree_hash",
    "verify_consistency",
    "verify_inclusion",
]


# --- numbering -----------------------------------------------------------------------------------------


def stored_hash_count(n: int) -> int:
    """Number of stored hashes for a tree of n records (= the index of record n's leaf hash): 2n - popcount(n)."""
    if n < 0:
        raise ValueError(f"record count must not be negative, got {n}")
    return 2 * n - n.bit_count()


def stored_hash_index(level: int, n: int) -> int:
    """Index of the stored hash of the n-th complete subtree at `level` (level 0 = leaves). O(1)."""
    if level < 0 or n < 0:
        raise ValueError(f"level and n must not be negative, got level={level} n={n}")
    last_record = ((n + 1) << level) - 1  # appending this record completes the subtree
    return stored_hash_count(last_record) + level


def split_stored_hash_index(index: int) -> tuple[int, int]:
    """Inverse of stored_hash_index: (level, n) of the stored hash at `index`. O(log index)."""
    if index < 0:
        raise ValueError(f"stored hash index must not be negative, got {index}")
    # Find the record whose append wrote `index`: the largest r with stored_hash_count(r) <= index.
    # stored_hash_count(r) lies in [2r - bit_length(r), 2r], so r is at most a few steps above index // 2.
    record = index // 2
    while stored_hash_count(record + 1) <= index:
        record += 1
    level = index - stored_hash_count(record)
    return level, record >> level


def _largest_power_of_two_below(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2): the split point k of RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


def subtree_indexes(lo: int, hi: int) -> list[int]:
    """Stored-hash indexes of the complete subtrees that make up leaves [lo, hi), left to right.

    Precondition: [lo, hi) is a subtree range of RFC 9162 (lo is a multiple of the smallest power of two
    >= hi - lo), as every range in MTH, PATH and PROOF is. MTH(D[lo:hi]) is the right fold of these hashes
    with node_hash. Returns popcount(hi - lo) indexes.
    """
    out = []
    while lo < hi:
        level = (hi - lo).bit_length() - 1
        last = lo + (1 << level) - 1  # the record whose append completes this subtree
        out.append(2 * last - last.bit_count() + level)  # stored_hash_index(level, lo >> level)
        lo = last + 1
    return out


# --- reading stored hashes -----------------------------------------------------------------------------


class HashReaderError(Exception):
    """A HashReader returned the wrong number of hashes, or a hash of the wrong size (corrupt storage)."""


@runtime_checkable
class HashReader(Protocol):
    """Storage of stored hashes, read in batches.

    read_hashes returns the hashes at the given stored-hash indexes, in the same order. Callers in this
    module make exactly one call per operation; the indexes are not necessarily sorted or distinct.
    """

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]: ...


class ListHashReader:
    """A HashReader over a list of stored hashes in memory (`hashes[i]` is stored hash i)."""

    def __init__(self, hashes: Sequence[bytes]) -> None:
        self.hashes = hashes

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        hashes = self.hashes
        count = len(hashes)
        for i in indexes:
            if not 0 <= i < count:
                raise HashReaderError(f"stored hash index {i} beyond {count} stored hashes")
        return [hashes[i] for i in indexes]


class BytesHashReader:
    """A HashReader over a flat buffer of stored hashes (bytes, bytearray, mmap): hash i is at 32*i."""

    def __init__(self, buffer: bytes | bytearray | memoryview) -> None:
        self.buffer = buffer

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        buf = self.buffer
        limit = len(buf) // HASH_SIZE
        out = []
        for i in indexes:
            if not 0 <= i < limit:
                raise HashReaderError(f"stored hash index {i} beyond {limit} stored hashes")
            out.append(bytes(buf[i * HASH_SIZE : (i + 1) * HASH_SIZE]))
        return out


def _read(read: HashReader, indexes: Sequence[int]) -> list[bytes]:
    if not indexes:
        return []
    hashes = read.read_hashes(indexes)
    if len(hashes) != len(indexes):
        raise HashReaderError(f"asked for {len(indexes)} stored hashes, got {len(hashes)}")
    for h in hashes:
        if len(h) != HASH_SIZE:
            raise HashReaderError(f"stored hash of {len(h)} bytes, expected {HASH_SIZE}")
    return hashes


def _ranges_hashes(ranges: Sequence[tuple[int, int]], read: HashReader) -> list[bytes]:
    """MTH of each subtree range, reading every needed stored hash in one read_hashes call."""
    indexes: list[int] = []
    starts = []
    for lo, hi in ranges:
        starts.append(len(indexes))
        while lo < hi:  # subtree_indexes(lo, hi), inlined: this is the hot path of every proof
            level = (hi - lo).bit_length() - 1
            last = lo + (1 << level) - 1
            indexes.append(2 * last - last.bit_count() + level)
            lo = last + 1
    hashes = _read(read, indexes)
    starts.append(len(indexes))
    out = []
    for first, end in zip(starts, starts[1:], strict=False):
        h = hashes[end - 1]
        for j in range(end - 2, first - 1, -1):  # fold from the right: MTH of the range
            h = node_hash(hashes[j], h)
        out.append(h)
    return out


# --- appending -----------------------------------------------------------------------------------------


def stored_hashes_for_batch(start: int, leaf_hashes: Sequence[bytes], read: HashReader) -> list[bytes]:
    """The stored hashes to append when records start .. start+k-1 with these leaf hashes are appended.

    Precondition: the log holds exactly stored_hash_count(start) stored hashes, readable through `read`.
    The result goes at indexes stored_hash_count(start) .. stored_hash_count(start + k) - 1, in order.
    Reads only the old subtrees the batch completes (at most popcount(start) hashes, one call); costs
    k + (number of completed subtrees) SHA-256 calls, i.e. fewer than 2k.
    """
    if start < 0:
        raise ValueError(f"start must not be negative, got {start}")
    for h in leaf_hashes:
        if len(h) != HASH_SIZE:
            raise ValueError(f"leaf hashes must be {HASH_SIZE} bytes, got {len(h)}")
    # The old tree's right edge: complete subtrees of [0, start), by level, highest first (its set bits).
    edge_levels = [level for level in range(start.bit_length() - 1, -1, -1) if start >> level & 1]
    # The batch merges the old edge's lowest subtrees: those below the highest bit where start and
    # start + k differ (the carry stops there). Read only those.
    end = start + len(leaf_hashes)
    top = (start ^ end).bit_length() if leaf_hashes else 0
    consumed = [level for level in edge_levels if level < top]
    old = _read(read, [stored_hash_index(level, (start >> level) - 1) for level in consumed])
    stack: list[bytes] = list(old)  # hashes of the current right edge, highest level first
    out: list[bytes] = []
    for n, h in enumerate(leaf_hashes, start):
        out.append(h)
        level = 0
        while n >> level & 1:  # record n completes one subtree per trailing one bit of n
            h = node_hash(stack.pop(), h)
            out.append(h)
            level += 1
        stack.append(h)
    return out


def stored_hashes_for_leaf_hash(n: int, leaf: bytes, read: HashReader) -> list[bytes]:
    """The stored hashes to append for record n whose leaf hash (MTH({d})) is `leaf`.

    Precondition: the log holds exactly stored_hash_count(n) stored hashes. Returns 1 + t hashes where t is
    the number of trailing one bits of n; reads t stored hashes in one call.
    """
    return stored_hashes_for_batch(n, [leaf], read)


def stored_hashes(n: int, data: bytes, read: HashReader) -> list[bytes]:
    """The stored hashes to append for record n with entry bytes `data` (hashed here as leaf_hash(data)).

    Precondition and cost as stored_hashes_for_leaf_hash.
    """
    return stored_hashes_for_batch(n, [leaf_hash(data)], read)


# --- roots ---------------------------------------------------------------------------------------------


def tree_hash(size: int, read: HashReader) -> bytes:
    """Root MTH(D[0:size]) of the first `size` records; EMPTY_ROOT for 0.

    Reads popcount(size) <= log2(size) + 1 stored hashes in one call; costs popcount(size) - 1 hashes.
    """
    if size < 0:
        raise ValueError(f"tree size must not be negative, got {size}")
    if size == 0:
        return EMPTY_ROOT
    return _ranges_hashes([(0, size)], read)[0]


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes by the recursive definition of RFC 9162 §2.1.1 (for tests, small trees).

    Costs len(hashes) - 1 node hashes and O(n log n) list slicing; EMPTY_ROOT for no hashes.
    """
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _largest_power_of_two_below(n)
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


# --- proofs --------------------------------------------------------------------------------------------


def _inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """Subtree ranges whose MTHs form PATH(index, D[size]), leaf upward (RFC 9162 §2.1.3.1)."""
    ranges = []
    lo, hi = 0, size
    while hi - lo > 1:
        mid = lo + _largest_power_of_two_below(hi - lo)
        if index < mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
    ranges.reverse()
    return ranges


def _consistency_ranges(old_size: int, new_size: int) -> list[tuple[int, int]]:
    """Subtree ranges whose MTHs form PROOF(old_size, D[new_size]), RFC 9162 §2.1.4.1 (0 < old <= new)."""
    ranges = []
    lo, hi, whole_old_tree = 0, new_size, True  # `b` of SUBPROOF: still on the old tree's left edge
    while old_size != hi:
        mid = lo + _largest_power_of_two_below(hi - lo)
        if old_size <= mid:
            ranges.append((mid, hi))
            hi = mid
        else:
            ranges.append((lo, mid))
            lo = mid
            whole_old_tree = False
    if not whole_old_tree:
        ranges.append((lo, hi))  # the old tree's last subtree: its root is not known to the verifier
    ranges.reverse()
    return ranges


def inclusion_proof_indexes(index: int, size: int) -> list[int]:
    """Stored-hash indexes inclusion_proof reads (e.g. to prefetch tiles), in its read order."""
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is not in a tree of size {size}")
    return [i for lo, hi in _inclusion_ranges(index, size) for i in subtree_indexes(lo, hi)]


def consistency_proof_indexes(old_size: int, new_size: int) -> list[int]:
    """Stored-hash indexes consistency_proof reads, in its read order."""
    if not 0 < old_size <= new_size:
        raise OutOfRangeError(f"no consistency proof from size {old_size} to size {new_size}")
    return [i for lo, hi in _consistency_ranges(old_size, new_size) for i in subtree_indexes(lo, hi)]


def inclusion_proof(index: int, size: int, read: HashReader) -> list[bytes]:
    """RFC 9162 inclusion proof PATH(index, D[size]) (same bytes as §2.1.3.1), from stored hashes.

    Precondition: 0 <= index < size (else OutOfRangeError) and the log holds at least size records.
    Returns ceil(log2(size)) or fewer hashes, leaf upward. Reads at most 2 * ceil(log2(size)) - 1 stored
    hashes (for size >= 2; none for size 1) in one read_hashes call: each sibling is one complete subtree,
    except at most one that lies on the tree's right edge and is folded from popcount of its width.
    """
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is not in a tree of size {size}")
    return _ranges_hashes(_inclusion_ranges(index, size), read)


def consistency_proof(old_size: int, new_size: int, read: HashReader) -> list[bytes]:
    """RFC 9162 consistency proof PROOF(old_size, D[new_size]) (same bytes as §2.1.4.1), from stored hashes.

    Precondition: 0 < old_size <= new_size (else OutOfRangeError; there is no proof from the empty tree)
    and the log holds at least new_size records. Empty for equal sizes. Returns at most
    ceil(log2(new_size)) + 1 hashes; reads at most 2 * ceil(log2(new_size)) - 1 stored hashes in one call
    (each element is one complete subtree except at most one folded right-edge range).
    """
    if not 0 < old_size <= new_size:
        raise OutOfRangeError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == new_size:
        return []
    return _ranges_hashes(_consistency_ranges(old_size, new_size), read)
