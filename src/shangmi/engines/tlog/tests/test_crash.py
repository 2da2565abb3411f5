"""Crash test: SIGKILL a writer at random moments, restart it on the same directory, check every promise.

After each kill the parent checks, against the durable checkpoint (signature verified):
* every acknowledged entry is in the entry bundles with the bytes of the generation that wrote it;
* no committed entry ever changes (leaf hashes of the old prefix are compared) and the checkpoint root is the
  RFC 6962 root of all committed entries (independent compact-range reference);
* acknowledged entries are provable: inclusion proofs built from the tiles verify against the root;
* the checkpoint is consistent with the previous one: a consistency proof built from the tiles verifies.
The restarted writer must recover to exactly the checkpoint's size before appending again.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from shangmi.engines.tlog import merkle
from shangmi.engines.tlog.hashing import EMPTY_ROOT, leaf_hash, node_hash
from shangmi.engines.tlog.sequencer import CHECKPOINT_PATH, Log
from shangmi.engines.tlog.storage import FileStorage, TileHashReader, read_entries
from shangmi.engines.tlog.tiles import ENTRIES_LEVEL, Tile

from .sequencer_crash_writer import crash_entry
from .sequencer_support import ORIGIN, open_published, publish

ITERATIONS = 24


class CompactRange:
    """Reference RFC 6962 root by a stack of complete subtrees (independent of the sequencer's code)."""

    def __init__(self) -> None:
        self.stack: list[tuple[int, bytes]] = []

    def append(self, h: bytes) -> None:
        height = 0
        while self.stack and self.stack[-1][0] == height:
            h = node_hash(self.stack.pop()[1], h)
            height += 1
        self.stack.append((height, h))

    def root(self) -> bytes:
        if not self.stack:
            return EMPTY_ROOT
        root = self.stack[-1][1]
        for _, left in reversed(self.stack[:-1]):
            root = node_hash(left, root)
        return root


def _beyond(root: Path, size: int) -> bool:
    """Whether the kill left entry bundles beyond the checkpoint (a batch torn before its checkpoint)."""
    index, width = divmod(size, 256)
    partials = root / Tile(ENTRIES_LEVEL, index, 1).path
    return (
        (width > 0 and (root / Tile(ENTRIES_LEVEL, index).path).exists())
        or (root / Tile(ENTRIES_LEVEL, index + 1, 1).path).parent.exists()
        or (root / Tile(ENTRIES_LEVEL, index + 1).path).exists()
        or (
            partials.parent.exists()
            and any(int(p.name) > width for p in partials.parent.iterdir() if p.name.isdigit())
        )
    )


def _spawn(root: Path, generation: int, seed: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shangmi.engines.tlog.tests.sequencer_crash_writer",
            str(root),
            str(generation),
            str(seed),
        ],
        stdout=subprocess.PIPE,
    )


def test_sigkill_at_random_points(tmp_path: Path) -> None:
    rng = random.Random(int.from_bytes(os.urandom(4), "big"))
    storage = FileStorage(tmp_path, fsync=False)  # the parent only reads
    acked: dict[int, int] = {}  # index -> generation that wrote it and had it acknowledged
    leaves: list[bytes] = []  # leaf hashes of every committed entry so far
    reference = CompactRange()
    prev_size, prev_root = 0, EMPTY_ROOT
    kills_in_batches = torn = 0
    started = time.monotonic()

    for generation in range(ITERATIONS):
        writer = _spawn(tmp_path, generation, rng.randrange(2**32))
        assert writer.stdout is not None
        if generation and rng.random() < 0.2:
            time.sleep(rng.uniform(0.0, 0.3))  # sometimes during start-up or recovery
        else:
            opened = writer.stdout.readline().split()
            assert opened[0] == b"open" and int(opened[1]) == prev_size  # recovered exactly the checkpoint
            time.sleep(rng.uniform(0.005, 0.4))
        writer.send_signal(signal.SIGKILL)
        out, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        lines = out.split(b"\n")[:-1]  # a line cut by the kill has no newline and does not count
        acks = [tuple(map(int, line.split()[1:])) for line in lines if line.startswith(b"ack ")]
        kills_in_batches += bool(acks)
        for start, end in acks:
            for i in range(start, end):
                acked[i] = generation

        cp = open_published((tmp_path / CHECKPOINT_PATH).read_bytes())
        size, root = cp.size, cp.root_hash
        assert size >= prev_size
        torn += _beyond(tmp_path, size)
        assert all(i < size for i in acked)  # nothing acknowledged is missing from the checkpoint

        entries = read_entries(storage, 0, size, size)
        hashes = [leaf_hash(e) for e in entries]
        assert hashes[: len(leaves)] == leaves  # committed entries never change
        for h in hashes[len(leaves) :]:
            reference.append(h)
        leaves = hashes
        assert reference.root() == root
        for i, g in acked.items():
            assert entries[i] == crash_entry(i, g), (i, g)

        reader = TileHashReader(storage, size)
        sample = {i for start, end in acks for i in (start, end - 1)}
        if acked:
            sample |= set(rng.sample(sorted(acked), min(40, len(acked))))
        for i in sample:
            merkle.verify_inclusion(i, size, leaves[i], merkle.inclusion_proof(i, size, reader), root)
        if prev_size:
            proof = merkle.consistency_proof(prev_size, size, reader)
            merkle.verify_consistency(prev_size, size, prev_root, root, proof)
        prev_size, prev_root = size, root

    # A final clean open recovers the last kill's leftovers and appends consistently.
    with Log(tmp_path, ORIGIN, publish) as log:
        assert (log.size, log.root_hash) == (prev_size, prev_root)
        log.append_batch([b"final"])
        proof = merkle.consistency_proof(prev_size, log.size, log.hash_reader())
        merkle.verify_consistency(prev_size, log.size, prev_root, log.root_hash, proof)

    assert len(acked) > 1000, len(acked)
    assert kills_in_batches >= ITERATIONS // 2  # most kills hit a writer in its append loop
    print(
        f"crash test: {ITERATIONS} kills ({torn} tore a batch before its checkpoint), {len(acked)} "
        f"acknowledged entries, final size {prev_size}, "
        f"{time.monotonic() - started:.1f}s"
    )
