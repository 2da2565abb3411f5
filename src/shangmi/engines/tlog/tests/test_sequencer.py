"""The log writer: tiles and roots against a reference tree, write-once tiles, recovery, batching front end."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from shangmi.engines.tlog import merkle
from shangmi.engines.tlog.checkpoint import Checkpoint, sign_checkpoint
from shangmi.engines.tlog.hashing import EMPTY_ROOT, leaf_hash
from shangmi.engines.tlog.sequencer import (
    CHECKPOINT_PATH,
    CheckpointMismatch,
    Log,
    LogClosed,
    LogCorrupt,
    LogLocked,
    Sequencer,
    edge_root,
)
from shangmi.engines.tlog.storage import ImmutableTileError, read_entries
from shangmi.engines.tlog.tiles import (
    EntryTooLarge,
    Tile,
    encode_bundle,
    new_tiles,
    parse_tile_path,
    right_edge,
)

from .sequencer_support import ORIGIN, SIGNER, ReferenceTree, open_published, publish


def _tile_files(root: Path) -> dict[str, bytes]:
    """Every tile resource under ``root`` (temp files would fail to parse and so fail the caller)."""
    out = {}
    for directory, _, names in os.walk(root / "tile"):
        for name in names:
            full = os.path.join(directory, name)
            rel = os.path.relpath(full, root)
            parse_tile_path(rel)
            with open(full, "rb") as f:
                out[rel] = f.read()
    return out


def _expected_tile(tile: Tile, ref: ReferenceTree, entries: list[bytes]) -> bytes:
    if tile.is_entries:
        return encode_bundle(entries[tile.start : tile.end])
    span = 256**tile.level
    return b"".join(ref.subtree((tile.index * 256 + i) * span, span) for i in range(tile.width))


def _entry(i: int, tag: str = "") -> bytes:
    return f"{tag}entry {i} ".encode() * (1 + i % 5)


# --- tiles and roots ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("batch", [1, 7, 256, 1000])
def test_tiles_and_roots_match_reference(tmp_path: Path, batch: int) -> None:
    log = Log(tmp_path, ORIGIN, publish, fsync=False, prune_partials=False)
    ref, entries, sizes = ReferenceTree(), [], []
    first_seen: dict[str, bytes] = {}  # every tile's bytes when first written
    assert _tile_files(tmp_path) == {}
    assert open_published(log.checkpoint).size == 0 and log.root_hash == EMPTY_ROOT
    while log.size < 2000:
        old = log.size
        new_entries = [_entry(i) for i in range(old, min(old + batch, 2000))]
        assert log.append_batch(new_entries) == list(range(old, old + len(new_entries)))
        entries += new_entries
        ref.append(new_entries)
        size = log.size
        sizes.append(size)
        assert log.root_hash == ref.root()
        cp = open_published(log.checkpoint)
        assert (cp.size, cp.root_hash) == (size, log.root_hash)
        assert (tmp_path / CHECKPOINT_PATH).read_bytes() == log.checkpoint
        for tile in new_tiles(old, size):
            assert tile.path not in first_seen
            data = first_seen[tile.path] = (tmp_path / tile.path).read_bytes()
            assert data == _expected_tile(tile, ref, entries), tile.path
        if len(sizes) % 100 == 0 or size == 2000:  # the batches wrote nothing else and changed nothing
            assert _tile_files(tmp_path) == first_seen
        assert merkle.tree_hash(size, log.hash_reader()) == log.root_hash
    assert read_entries(log.storage, 0, 2000, 2000) == entries
    for size in sizes[:: max(1, len(sizes) // 25)]:  # every checkpointed size stays provable
        assert merkle.tree_hash(size, log.hash_reader(size)) == ref.root(size)
    log.close()
    reopened = Log(tmp_path, ORIGIN, publish, fsync=False)
    assert (reopened.size, reopened.root_hash) == (2000, ref.root())
    reopened.append_batch([b"more"])
    after = _tile_files(tmp_path)
    for path, data in first_seen.items():  # unchanged, or a partial pruned after its full tile appeared
        tile = parse_tile_path(path)
        assert after.get(path) == data or (not tile.is_full and tile.full().path in after), path
    reopened.close()


def test_proofs_from_tiles_for_every_index(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        entries = [_entry(i) for i in range(700)]
        log.append_batch(entries[:300])
        old_size, old_root = log.size, log.root_hash
        log.append_batch(entries[300:])
        reader = log.hash_reader()
        for i, e in enumerate(entries):
            proof = merkle.inclusion_proof(i, 700, reader)
            merkle.verify_inclusion(i, 700, leaf_hash(e), proof, log.root_hash)
        proof = merkle.consistency_proof(old_size, 700, reader)
        merkle.verify_consistency(old_size, 700, old_root, log.root_hash, proof)


def test_edge_root() -> None:
    ref = ReferenceTree()
    ref.append([_entry(i) for i in range(300)])
    assert edge_root([]) == EMPTY_ROOT
    assert edge_root([ref.leaves[256:300], [ref.subtree(0, 256)]]) == ref.root()
    assert edge_root([ref.leaves[:5]]) == ref.root(5)


def test_pruning_removes_only_partials_superseded_by_full_tiles(tmp_path: Path) -> None:
    log = Log(tmp_path, ORIGIN, publish, fsync=False)
    ref, sizes = ReferenceTree(), []
    for start in range(0, 1300, 100):
        batch = [_entry(i) for i in range(start, start + 100)]
        log.append_batch(batch)
        ref.append(batch)
        sizes.append(log.size)
        for path in _tile_files(tmp_path):
            tile = parse_tile_path(path)
            if not tile.is_full:
                assert not (tmp_path / tile.full().path).exists(), path
        for tile in right_edge(log.size):
            assert (tmp_path / tile.path).exists()
    assert not (tmp_path / "tile/0/000.p").exists()
    # partials of checkpointed sizes are kept until their full tile exists: 1300, and 800 .. 1200 at level 1
    assert (tmp_path / "tile/0/005.p/20").exists()
    assert {p.name for p in (tmp_path / "tile/1/000.p").iterdir()} == {"1", "2", "3", "4", "5"}
    for size in sizes:  # old sizes still resolve (pruned partials fall back to full tiles)
        assert merkle.tree_hash(size, log.hash_reader(size)) == ref.root(size)
    log.close()


def test_storage_refuses_to_rewrite_full_tiles(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([_entry(i) for i in range(300)])
        path = Tile(0, 0).path
        before = (tmp_path / path).read_bytes()
        with pytest.raises(ImmutableTileError):
            log.storage.write_tiles([(path, b"\x00" * 8192)])
        assert (tmp_path / path).read_bytes() == before


# --- bad input and misuse ----------------------------------------------------------------------------------


def test_bad_entries_rejected_before_any_write(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([b"a"])
        before = _tile_files(tmp_path), log.checkpoint
        with pytest.raises(EntryTooLarge):
            log.append_batch([b"ok", b"x" * 65536])
        with pytest.raises(TypeError):
            log.append_batch([b"ok", "text"])  # type: ignore[list-item]
        assert log.append_batch([]) == []
        assert (_tile_files(tmp_path), log.checkpoint) == before
        assert log.append_batch([b"x" * 65535, b""]) == [1, 2]
        assert read_entries(log.storage, 0, 3, 3) == [b"a", b"x" * 65535, b""]


def test_single_writer_lock(tmp_path: Path) -> None:
    log = Log(tmp_path, ORIGIN, publish, fsync=False)
    with pytest.raises(LogLocked):
        Log(tmp_path, ORIGIN, publish, fsync=False)
    log.close()
    log.close()
    with pytest.raises(LogClosed):
        log.append_batch([b"x"])
    Log(tmp_path, ORIGIN, publish, fsync=False).close()


def test_origin_mismatch(tmp_path: Path) -> None:
    Log(tmp_path, ORIGIN, publish, fsync=False).close()
    with pytest.raises(LogCorrupt):
        Log(tmp_path, "other.example/log", publish, fsync=False)


def test_publish_must_sign_this_tree(tmp_path: Path) -> None:
    def wrong_size(size: int, root: bytes) -> str:
        return sign_checkpoint(Checkpoint(ORIGIN, size + 1, root), SIGNER)

    def unsigned(size: int, root: bytes) -> str:
        return Checkpoint(ORIGIN, size, root).format()

    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([b"a", b"b"])
        state = _tile_files(tmp_path), log.checkpoint
    for bad in (wrong_size, unsigned):
        with Log(tmp_path, ORIGIN, bad, fsync=False) as log, pytest.raises(CheckpointMismatch):
            log.append_batch([b"c"])
        assert (_tile_files(tmp_path), (tmp_path / CHECKPOINT_PATH).read_bytes()) == state


# --- recovery ----------------------------------------------------------------------------------------------


def test_failed_publish_discards_the_batch_and_the_log_goes_on(tmp_path: Path) -> None:
    fail = {"on": False}

    def flaky(size: int, root: bytes) -> str:
        if fail["on"]:
            raise RuntimeError("signer unavailable")
        return publish(size, root)

    log = Log(tmp_path, ORIGIN, flaky, fsync=False)
    log.append_batch([_entry(i) for i in range(200)])
    before = _tile_files(tmp_path), log.checkpoint, log.size, log.root_hash
    fail["on"] = True
    with pytest.raises(RuntimeError):
        log.append_batch([_entry(i, "lost ") for i in range(200, 900)])  # completes tiles, then fails
    assert (_tile_files(tmp_path), log.checkpoint, log.size, log.root_hash) == before
    fail["on"] = False
    log.append_batch([_entry(i, "kept ") for i in range(200, 900)])  # the same paths, other content
    proof = merkle.consistency_proof(200, 900, log.hash_reader())
    merkle.verify_consistency(200, 900, before[3], log.root_hash, proof)
    assert read_entries(log.storage, 200, 201, 900) == [_entry(200, "kept ")]
    log.close()


_CRASHING_WRITER = """
import os, signal, sys
from shangmi.engines.tlog.sequencer import Log
from shangmi.engines.tlog.tests.sequencer_support import ORIGIN, publish

def publish_then_die(size, root):
    if size > int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # tiles are written, the checkpoint is not
    return publish(size, root)

log = Log(sys.argv[1], ORIGIN, publish_then_die)
log.append_batch([b"before %d" % i for i in range(300)])
log.append_batch([b"crashed %d" % i for i in range(300, 1000)])
"""


def test_recovery_after_kill_between_tiles_and_checkpoint(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(tmp_path), "300"], check=False)
    assert result.returncode == -9
    cp = open_published((tmp_path / CHECKPOINT_PATH).read_bytes())
    assert cp.size == 300
    leftovers = {t.path for t in new_tiles(300, 1000)}
    assert leftovers <= set(_tile_files(tmp_path))  # the torn batch left its tiles behind
    log = Log(tmp_path, ORIGIN, publish)
    assert (log.size, log.root_hash) == (300, cp.root_hash)
    assert not leftovers & set(_tile_files(tmp_path))  # ... and recovery removed exactly those
    assert {t.path for t in right_edge(300)} <= set(_tile_files(tmp_path))
    log.append_batch([b"after %d" % i for i in range(300, 1000)])  # would clash with leftovers
    proof = merkle.consistency_proof(300, 1000, log.hash_reader())
    merkle.verify_consistency(300, 1000, cp.root_hash, log.root_hash, proof)
    assert read_entries(log.storage, 299, 301, 1000) == [b"before 299", b"after 300"]
    log.close()


def test_recovery_when_the_first_batch_is_torn(tmp_path: Path) -> None:
    result = subprocess.run([sys.executable, "-c", _CRASHING_WRITER, str(tmp_path), "0"], check=False)
    assert result.returncode == -9
    assert open_published((tmp_path / CHECKPOINT_PATH).read_bytes()).size == 0
    (tmp_path / CHECKPOINT_PATH).unlink()  # even without the size-0 checkpoint the intent suffices
    with Log(tmp_path, ORIGIN, publish) as log:
        assert log.size == 0 and _tile_files(tmp_path) == {}
        log.append_batch([b"x"])


def test_tiles_without_checkpoint_are_corrupt(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([b"a"])
        log.append_batch([b"b"])
    (tmp_path / CHECKPOINT_PATH).unlink()
    with pytest.raises(LogCorrupt):
        Log(tmp_path, ORIGIN, publish, fsync=False)


def test_garbled_checkpoint_is_corrupt(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([b"a"])
    (tmp_path / CHECKPOINT_PATH).write_bytes(b"not a checkpoint\n")
    with pytest.raises(LogCorrupt):
        Log(tmp_path, ORIGIN, publish, fsync=False)


def test_rolled_back_checkpoint_is_corrupt(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([b"a"])
        old = log.checkpoint
        log.append_batch([b"b"])
        log.append_batch([b"c"])
    (tmp_path / CHECKPOINT_PATH).write_bytes(old)
    with pytest.raises(LogCorrupt):
        Log(tmp_path, ORIGIN, publish, fsync=False)


@pytest.mark.parametrize("victim", ["tile/0/001.p/44", "tile/entries/001.p/44", "tile/1/000.p/1"])
def test_tampered_right_edge_is_detected_on_open(tmp_path: Path, victim: str) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([_entry(i) for i in range(300)])
    data = bytearray((tmp_path / victim).read_bytes())
    data[-1] ^= 1
    (tmp_path / victim).write_bytes(bytes(data))
    with pytest.raises(LogCorrupt):
        Log(tmp_path, ORIGIN, publish, fsync=False)


def test_missing_right_edge_is_detected_on_open(tmp_path: Path) -> None:
    with Log(tmp_path, ORIGIN, publish, fsync=False) as log:
        log.append_batch([_entry(i) for i in range(300)])
    (tmp_path / "tile/0/001.p/44").unlink()
    with pytest.raises(LogCorrupt):
        Log(tmp_path, ORIGIN, publish, fsync=False)


# --- the batching front end -------------------------------------------------------------------------------


def test_sequencer_concurrent_submissions(tmp_path: Path) -> None:
    log = Log(tmp_path, ORIGIN, publish)
    results: dict[bytes, int] = {}
    groups: list[tuple[list[bytes], list[int]]] = []
    lock = threading.Lock()
    with Sequencer(log, max_batch=500, linger=0.01) as seq:

        def worker(t: int) -> None:
            futures = [(e, seq.submit(e)) for e in (f"t{t} e{i}".encode() for i in range(300))]
            group = [f"t{t} g{i}".encode() for i in range(40)]
            indexes = seq.submit_many(group).result(30)
            with lock:
                groups.append((group, indexes))
                for e, f in futures:
                    results[e] = f.result(30)
            with lock:
                results[f"t{t} last".encode()] = seq.add(f"t{t} last".encode(), timeout=30)

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    total = 8 * (300 + 40 + 1)
    assert log.size == total and seq.acknowledged == total
    assert seq.batches < total // 10  # submissions were gathered into batches
    stored = read_entries(log.storage, 0, total, total)
    for entry, index in results.items():
        assert stored[index] == entry
    for group, indexes in groups:
        assert indexes == list(range(indexes[0], indexes[0] + 40))
        assert stored[indexes[0] : indexes[0] + 40] == group
    assert sorted([*results.values(), *(i for _, ix in groups for i in ix)]) == list(range(total))
    log.close()


def test_sequencer_reports_failures_per_batch(tmp_path: Path) -> None:
    fail = {"on": True}

    def flaky(size: int, root: bytes) -> str:
        if fail["on"] and size > 0:
            raise RuntimeError("signer unavailable")
        return publish(size, root)

    log = Log(tmp_path, ORIGIN, flaky, fsync=False)
    with Sequencer(log, linger=0) as seq:
        with pytest.raises(EntryTooLarge):
            seq.submit(b"x" * 70000)
        with pytest.raises(RuntimeError):
            seq.add(b"first", timeout=10)
        fail["on"] = False
        assert seq.add(b"second", timeout=10) == 0
        assert seq.submit_many([]).result() == []
    with pytest.raises(LogClosed):
        seq.submit(b"late")
    assert read_entries(log.storage, 0, 1, 1) == [b"second"]
    log.close()


def test_sequencer_close_flushes_queue(tmp_path: Path) -> None:
    log = Log(tmp_path, ORIGIN, publish, fsync=False)
    seq = Sequencer(log, max_batch=1000, linger=1.0)
    futures = [seq.submit(b"%d" % i) for i in range(50)]
    seq.close()
    assert [f.result(0) for f in futures] == list(range(50))
    log.close()


def test_checkpoint_at_least_every_second_under_load(tmp_path: Path) -> None:
    published: list[float] = []

    def timed(size: int, root: bytes) -> str:
        published.append(time.monotonic())
        return publish(size, root)

    log = Log(tmp_path, ORIGIN, timed)  # real fsync
    stop = time.monotonic() + 2.5
    with Sequencer(log) as seq:

        def producer(t: int) -> None:
            i = 0
            while time.monotonic() < stop:
                batch = [os.urandom(48) for _ in range(random.randrange(1, 200))]
                if i % 3:
                    seq.submit_many(batch).result(10)
                else:
                    for f in [seq.submit(e) for e in batch]:
                        f.result(10)
                i += 1

        start = time.monotonic()
        threads = [threading.Thread(target=producer, args=(t,)) for t in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    times = [start, *[t for t in published if t >= start], time.monotonic()]
    gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
    assert max(gaps) < 1.0, max(gaps)
    assert log.size > 1000
    log.close()
