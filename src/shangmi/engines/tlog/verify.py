"""Verification of RFC 9162 inclusion and consistency proofs (§2.1.3.2, §2.1.4.2), with typed errors.

This module needs nothing but the hashing rules in `hashing.py`, so an offline verifier (the CLI, the
receipt checker) can use it without any storage. Every function here is pure and costs O(log size) hashes.

Acceptance rules (the vectors in ../shared/vectors/merkle/ agree with all of them; docs/tlog-proofs.md):

Inclusion of `leaf_hash` at `index` in a tree of `size` leaves with root `root`:
  * `0 <= index < size`; so a tree of size 0 never includes anything.
  * `leaf_hash`, `root` and every proof element are exactly HASH_SIZE (32) bytes; an empty or truncated
    hash is malformed, never "equal".
  * the proof has exactly the number of elements RFC 9162 PATH(index, D[size]) has;
  * the root recomputed by §2.1.3.2 equals `root`.

Consistency of (old_size, old_root) with (new_size, new_root):
  * `old_size > new_size` is rejected.
  * `old_size == new_size`: the proof must be empty and the roots byte-equal; when the sizes are 0 both
    roots must also be EMPTY_ROOT (the empty tree has exactly one root). Nothing is hashed in this case, so
    the roots' length is not checked: two equal opaque roots describe the same tree.
  * `old_size == 0 < new_size` is rejected: RFC 9162 defines PROOF(m, D[n]) only for 0 < m, every tree
    extends the empty tree, and accepting would vouch for an arbitrary `new_root`. A monitor starting from
    nothing trusts its first checkpoint and checks consistency from there on.
  * otherwise (0 < old_size < new_size) both roots and every proof element are exactly 32 bytes, the proof
    has exactly the number of elements RFC 9162 PROOF(old_size, D[new_size]) has, and the two roots
    recomputed by §2.1.4.2 equal `old_root` and `new_root`.

What a proof does NOT bind: an inclusion proof commits to the path of the leaf, not to the tree size
itself. For some (index, size') with the same path shape as (index, size) — e.g. index 0 in trees of 5
and 7 leaves — the same proof recomputes the same root. That is inherent in RFC 9162; the size is bound
to the root by the signed checkpoint, and the real root of a tree of size' differs from it.
"""

from __future__ import annotations

from collections.abc import Sequence

from .hashing import EMPTY_ROOT, HASH_SIZE, node_hash

__all__ = [
    "MalformedHashError",
    "OutOfRangeError",
    "ProofError",
    "ProofLengthError",
    "RootMismatchError",
    "consistency_proof_size",
    "inclusion_proof_size",
    "root_from_consistency_proof",
    "root_from_inclusion_proof",
    "verify_consistency",
    "verify_inclusion",
]


class ProofError(Exception):
    """A proof does not establish what it claims. Subclasses say why."""


class OutOfRangeError(ProofError):
    """Index or sizes are impossible: index >= size, old_size > new_size, negative, or old_size 0 < new_size."""


class MalformedHashError(ProofError):
    """A hash (leaf hash, root or proof element) is not exactly HASH_SIZE bytes."""


class ProofLengthError(ProofError):
    """The proof has more or fewer elements than RFC 9162 prescribes for these sizes."""


class RootMismatchError(ProofError):
    """The root recomputed from the proof differs from the expected one. `which` is "root", "old" or "new"."""

    def __init__(self, message: str, *, which: str = "root") -> None:
        super().__init__(message)
        self.which = which


_BYTES_LIKE = (bytes, bytearray, memoryview)


def _check_hash(value: bytes, what: str) -> None:
    if type(value) is bytes and len(value) == HASH_SIZE:
        return
    if not isinstance(value, _BYTES_LIKE):
        raise MalformedHashError(f"{what} must be {HASH_SIZE} bytes, got {type(value).__name__}")
    if len(value) != HASH_SIZE:
        raise MalformedHashError(f"{what} must be {HASH_SIZE} bytes, got {len(value)}")


def _check_elements(proof: Sequence[bytes], what: str) -> None:
    for i, element in enumerate(proof):
        if type(element) is not bytes or len(element) != HASH_SIZE:
            _check_hash(element, f"{what}[{i}]")


def _check_proof(proof: Sequence[bytes], expected: int, what: str) -> None:
    if len(proof) != expected:
        raise ProofLengthError(f"{what} has {len(proof)} elements, expected {expected}")
    _check_elements(proof, what)


def _inclusion_sides(index: int, size: int) -> list[bool]:
    """For each element of PATH(index, D[size]), leaf upward: True when it is the left sibling.

    This is the index arithmetic of RFC 9162 §2.1.3.2 without the hashing.
    """
    return _path_sides(index, size - 1)


def _consistency_sides(old_size: int, new_size: int) -> list[bool]:
    """For each element after the first of the (possibly seeded) §2.1.4.2 path: True when it also feeds
    the old root (it is a left sibling), False when it only extends the new root."""
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    return _path_sides(fn, sn)


def _path_sides(fn: int, sn: int) -> list[bool]:
    """The walk both verifications share: node `fn` up to the root of a tree whose last node is `sn`."""
    sides = []
    while sn:
        if fn & 1 or fn == sn:
            sides.append(True)
            # On the right edge a node without a right sibling moves up unchanged until it is a right child.
            while fn and not fn & 1:
                fn >>= 1
                sn >>= 1
        else:
            sides.append(False)
        fn >>= 1
        sn >>= 1
    return sides


def _is_power_of_two(n: int) -> bool:
    return n > 0 and n & (n - 1) == 0


def inclusion_proof_size(index: int, size: int) -> int:
    """Number of hashes in the RFC 9162 inclusion proof for `index` in a tree of `size` (0 <= index < size)."""
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is not in a tree of size {size}")
    return len(_inclusion_sides(index, size))


def consistency_proof_size(old_size: int, new_size: int) -> int:
    """Number of hashes in the RFC 9162 consistency proof from old_size to new_size (0 < old_size <= new_size)."""
    if not 0 < old_size <= new_size:
        raise OutOfRangeError(f"no consistency proof from size {old_size} to size {new_size}")
    if old_size == new_size:
        return 0
    return len(_consistency_sides(old_size, new_size)) + (0 if _is_power_of_two(old_size) else 1)


def root_from_inclusion_proof(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes]) -> bytes:
    """The root that `proof` yields for `leaf_hash` at `index` in a tree of `size` (RFC 9162 §2.1.3.2).

    Raises OutOfRangeError, MalformedHashError or ProofLengthError; never returns a root for a proof of the
    wrong shape. Costs len(proof) <= ceil(log2(size)) node hashes.
    """
    if not 0 <= index < size:
        raise OutOfRangeError(f"leaf index {index} is not in a tree of size {size}")
    _check_hash(leaf_hash, "leaf hash")
    _check_elements(proof, "inclusion proof")
    # RFC 9162 §2.1.3.2 step by step; fn walks up from the leaf, sn from the last leaf.
    fn, sn = index, size - 1
    r = bytes(leaf_hash)
    used = 0
    for p in proof:
        if sn == 0:
            break  # more elements than the path has
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while fn and not fn & 1:  # right edge: move up to where the node is a right child
                fn >>= 1
                sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
        used += 1
    if sn or used != len(proof):
        expected = len(_inclusion_sides(index, size))
        raise ProofLengthError(f"inclusion proof has {len(proof)} elements, expected {expected}")
    return r


def verify_inclusion(index: int, size: int, leaf_hash: bytes, proof: Sequence[bytes], root: bytes) -> None:
    """Check that `leaf_hash` is the leaf at `index` of the tree of `size` leaves whose root is `root`.

    Returns None on success; raises a ProofError subclass otherwise (rules in the module docstring:
    index < size, every hash exactly 32 bytes, exact proof length, recomputed root equal). The leaf hash is
    MTH({d}) = SHA-256(0x00 || d), not the entry. Costs at most ceil(log2(size)) node hashes.
    """
    _check_hash(root, "root")
    computed = root_from_inclusion_proof(index, size, leaf_hash, proof)
    if computed != root:
        raise RootMismatchError(f"inclusion proof for leaf {index} of {size} yields a different root")


def _consistency_roots(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> tuple[bytes, bytes]:
    """(old root, new root) recomputed by §2.1.4.2 for 0 < old_size < new_size, after shape checks."""
    _check_hash(old_root, "old root")
    expected = consistency_proof_size(old_size, new_size)
    _check_proof(proof, expected, "consistency proof")
    path = [bytes(p) for p in proof]
    if _is_power_of_two(old_size):
        path.insert(0, bytes(old_root))
    fr = sr = path[0]
    for left, c in zip(_consistency_sides(old_size, new_size), path[1:], strict=True):
        if left:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
        else:
            sr = node_hash(sr, c)
    return fr, sr


def _check_sizes(old_size: int, new_size: int) -> None:
    if old_size < 0 or new_size < 0:
        raise OutOfRangeError(f"tree sizes must not be negative (got {old_size}, {new_size})")
    if old_size > new_size:
        raise OutOfRangeError(f"old size {old_size} is larger than new size {new_size}")
    if old_size == 0 and new_size > 0:
        raise OutOfRangeError("there is no consistency proof from the empty tree (old size 0)")


def root_from_consistency_proof(
    old_size: int, new_size: int, old_root: bytes, proof: Sequence[bytes]
) -> bytes:
    """The new root that `proof` yields, after checking that it also yields `old_root` for old_size.

    Same rules as verify_consistency; for equal sizes returns old_root (EMPTY_ROOT required for size 0).
    Raises RootMismatchError(which="old") when the proof does not reproduce old_root. Costs at most
    2 * (ceil(log2(new_size)) + 1) node hashes.
    """
    _check_sizes(old_size, new_size)
    if old_size == new_size:
        if not isinstance(old_root, _BYTES_LIKE):
            raise MalformedHashError(f"old root must be bytes, got {type(old_root).__name__}")
        if proof:
            raise ProofLengthError(f"consistency proof between equal sizes must be empty, has {len(proof)}")
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise RootMismatchError("the root of the empty tree is SHA-256 of the empty string", which="old")
        return bytes(old_root)
    fr, sr = _consistency_roots(old_size, new_size, old_root, proof)
    if fr != old_root:
        raise RootMismatchError(
            f"consistency proof {old_size}->{new_size} yields a different old root", which="old"
        )
    return sr


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree (new_size, new_root) extends the tree (old_size, old_root), RFC 9162 §2.1.4.2.

    Returns None on success; raises a ProofError subclass otherwise. Rules (module docstring):
      * old_size > new_size, a negative size, or old_size == 0 < new_size -> OutOfRangeError;
      * equal sizes: proof must be empty (ProofLengthError) and roots byte-equal (RootMismatchError), both
        EMPTY_ROOT when the sizes are 0; the roots' length is not checked because nothing is hashed;
      * 0 < old_size < new_size: 32-byte roots and elements (MalformedHashError), exact proof length
        (ProofLengthError), both recomputed roots equal (RootMismatchError, `which` = "old" or "new").
    Costs at most 2 * (ceil(log2(new_size)) + 1) node hashes.
    """
    _check_sizes(old_size, new_size)
    if old_size == new_size:
        computed = root_from_consistency_proof(old_size, new_size, old_root, proof)
        if not isinstance(new_root, _BYTES_LIKE):
            raise MalformedHashError(f"new root must be bytes, got {type(new_root).__name__}")
        if computed != new_root:
            raise RootMismatchError(f"roots differ for equal tree sizes {old_size}", which="new")
        return
    _check_hash(new_root, "new root")
    computed = root_from_consistency_proof(old_size, new_size, old_root, proof)
    if computed != new_root:
        raise RootMismatchError(
            f"consistency proof {old_size}->{new_size} yields a different new root", which="new"
        )
