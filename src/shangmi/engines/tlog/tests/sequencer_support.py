"""Shared by the sequencer, crash and benchmark code: a test log key, and a reference Merkle tree."""

from __future__ import annotations

import hashlib

from shangmi.engines.tlog.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from shangmi.engines.tlog.hashing import leaf_hash, node_hash
from shangmi.engines.tlog.keys import parse_verifier_key, signer_from_seed

ORIGIN = "log.shangmi.test/sequencer"
SIGNER = signer_from_seed(ORIGIN, hashlib.sha256(b"shangmi sequencer test key").digest())
VERIFIER = parse_verifier_key(SIGNER.verifier_key)


def publish(size: int, root: bytes) -> str:
    """The publish_checkpoint callback an app would wire: sign a C2SP checkpoint with the log key."""
    return sign_checkpoint(Checkpoint(ORIGIN, size, root), SIGNER)


def open_published(text: bytes) -> Checkpoint:
    """Verify a stored checkpoint's signature and parse it."""
    return open_checkpoint(text, ORIGIN, VERIFIER)


class ReferenceTree:
    """RFC 6962 MTH by its recursive definition, memoising complete subtrees (O(log n) new hashes per root)."""

    def __init__(self) -> None:
        self.leaves: list[bytes] = []
        self._perfect: dict[tuple[int, int], bytes] = {}

    def append(self, entries: list[bytes]) -> None:
        self.leaves.extend(leaf_hash(e) for e in entries)

    def subtree(self, start: int, size: int) -> bytes:
        """MTH(D[start:start+size]) for a power-of-two ``size`` aligned at ``start``."""
        if size == 1:
            return self.leaves[start]
        key = (start, size)
        h = self._perfect.get(key)
        if h is None:
            half = size // 2
            h = self._perfect[key] = node_hash(self.subtree(start, half), self.subtree(start + half, half))
        return h

    def root(self, size: int | None = None, start: int = 0) -> bytes:
        n = len(self.leaves) if size is None else size
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n & (n - 1) == 0:
            return self.subtree(start, n)
        k = 1 << ((n - 1).bit_length() - 1)
        return node_hash(self.subtree(start, k), self.root(n - k, start + k))
