"""The log writer: appends batches to a C2SP tlog-tiles directory and acknowledges only what is durable.

`Log` is the single writer of one log directory (an exclusive ``flock`` enforces it). Per batch from tree
size ``n`` to ``m``:

1. write the *intent* record ``(n, m)`` in place and ``fdatasync`` it;
2. write every new entry bundle and hash tile (``tiles.new_tiles(n, m)``) with one fsync per file, link
   them into place without replacing anything, fsync their directories;
3. compute the root from the in-memory right edge, call ``publish_checkpoint(m, root)`` for the signed
   checkpoint text and check that it names this origin, size and root;
4. replace ``checkpoint`` atomically (temp, fsync, rename, fsync directory) — the commit point;
5. only then return the indexes (the acknowledgement), and delete partial tiles made obsolete by full ones.

On open (and after any failure inside a batch) the log recovers from the durable ``checkpoint``: if the intent
says a batch from that size was under way, every file that batch could have written (all of them lie beyond
the checkpoint) is deleted and the deletions are made durable, so the next batch rewrites those paths from
the checkpoint's tree and its checkpoint is consistent with the last published one. The right edge (the
partial tile at every level and the partial entry bundle, at most 255 hashes/entries each) is then read back
and its root checked against the checkpoint; appends never read the tree again.

``publish_checkpoint`` must only *sign*: a checkpoint it returns is published when ``append_batch`` returns.
Handing it to witnesses or a TSA before then could publish a tree head that a crash takes back.

`Sequencer` is the concurrent front end: ``submit(entry) -> Future[int]`` from any thread; one background
thread gathers submissions into batches of at most ``max_batch`` entries, waiting at most ``linger`` seconds
after the first, so under load a checkpoint is published at least every ``linger`` + one batch's time.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from .checkpoint import CheckpointError, parse_checkpoint
from .hashing import EMPTY_ROOT, LEAF_PREFIX, node_hash
from .note import NoteError, parse_note
from .storage import FileStorage, NotFound, Storage, StorageError, TileCache, TileHashReader, read_tile
from .tiles import (
    ENTRIES_LEVEL,
    MAX_ENTRY_SIZE,
    TILE_WIDTH,
    EntryTooLarge,
    Tile,
    TileError,
    decode_bundle,
    encode_bundle,
    level_count,
    new_tiles,
    partial_tile,
    split_hashes,
    subtree_hash,
    tree_levels,
)

CHECKPOINT_PATH = "checkpoint"
INTENT_PATH = ".sequencer-intent"  # not a tlog-tiles path: never served
LOCK_PATH = ".sequencer-lock"
_INTENT_MAGIC = b"SMQ1"

PublishCheckpoint = Callable[[int, bytes], str | bytes]


class LogError(Exception):
    """Base of sequencer errors."""


class LogLocked(LogError):
    """Another process (or Log object) holds the writer lock of this directory."""


class LogCorrupt(LogError):
    """The stored log disagrees with its checkpoint (or has tiles but no checkpoint)."""


class CheckpointMismatch(LogError):
    """``publish_checkpoint`` returned text that is not a signed checkpoint of this origin, size and root."""


class LogClosed(LogError):
    """The Log or Sequencer was closed."""


@dataclass(frozen=True)
class PublishedCheckpoint:
    """The body fields of a stored checkpoint; its signature is checked by `checkpoint.open_checkpoint`."""

    text: bytes
    origin: str
    size: int
    root_hash: bytes


def parse_published(text: str | bytes) -> PublishedCheckpoint:
    """Split a signed checkpoint note and parse its body (signatures are not verified here)."""
    raw = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    try:
        body = parse_checkpoint(parse_note(raw).text)
    except (NoteError, CheckpointError, UnicodeError) as exc:
        raise CheckpointMismatch(f"not a signed checkpoint: {exc}") from exc
    return PublishedCheckpoint(raw, body.origin, body.size, body.root_hash)


def read_checkpoint(storage: Storage) -> PublishedCheckpoint | None:
    """The log's current checkpoint, or None when it has none yet."""
    try:
        return parse_published(storage.read(CHECKPOINT_PATH))
    except NotFound:
        return None


def edge_root(levels: Sequence[Sequence[bytes]]) -> bytes:
    """Tree root from the right edge: ``levels[L]`` holds the hashes of the partial tile at level L.

    The tree's complete subtrees, largest first, are the binary decomposition of each level's partial
    tile from the top level down; the root folds them from the right. Costs < 256 hashes per level.
    """
    subtrees: list[bytes] = []
    for hashes in reversed(levels):
        offset, width = 0, len(hashes)
        for bit in range(7, -1, -1):
            if width >> bit & 1:
                subtrees.append(subtree_hash(hashes[offset : offset + (1 << bit)]))
                offset += 1 << bit
    if not subtrees:
        return EMPTY_ROOT
    root = subtrees[-1]
    for left in reversed(subtrees[:-1]):
        root = node_hash(left, root)
    return root


def _check_entry(entry: object) -> bytes:
    if not isinstance(entry, bytes | bytearray | memoryview):
        raise TypeError(f"log entries must be bytes, not {type(entry).__name__}")
    entry = bytes(entry)
    if len(entry) > MAX_ENTRY_SIZE:
        raise EntryTooLarge(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE}")
    return entry


class Log:
    """The single writer of the tiled log in ``root_dir``. Thread-safe (appends are serialised).

    Opening recovers from the last durable checkpoint (see the module docstring); a directory without
    tiles and checkpoint becomes an empty log whose size-0 checkpoint is published at once.
    ``fsync=False`` is for tests only.
    """

    def __init__(
        self,
        root_dir: str | os.PathLike[str],
        origin: str,
        publish_checkpoint: PublishCheckpoint,
        *,
        fsync: bool = True,
        prune_partials: bool = True,
        cache: TileCache | None = None,
    ) -> None:
        self.origin = origin
        self.storage = FileStorage(root_dir, fsync=fsync)
        self.prune_partials = prune_partials
        self.cache = cache if cache is not None else TileCache()
        self._publish_checkpoint = publish_checkpoint
        self._mutex = threading.Lock()
        self._closed = False
        self._broken: BaseException | None = None
        self._lock_fd = os.open(
            os.path.join(self.storage.root, LOCK_PATH), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644
        )
        try:
            try:
                fcntl.flock(self._lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise LogLocked(f"{self.storage.root} is open by another writer") from None
            self._intent_fd = self._open_intent()
            try:
                self._load()
            except BaseException:
                os.close(self._intent_fd)
                raise
        except BaseException:
            os.close(self._lock_fd)
            raise

    # -- state ---------------------------------------------------------------------------------------------

    @property
    def size(self) -> int:
        return self._size

    @property
    def root_hash(self) -> bytes:
        return self._root

    @property
    def checkpoint(self) -> bytes:
        """The signed checkpoint text last made durable."""
        return self._checkpoint

    def hash_reader(self, size: int | None = None) -> TileHashReader:
        """A merkle HashReader over this log's tiles for the tree of ``size`` (default: the current size)."""
        return TileHashReader(self.storage, self._size if size is None else size, self.cache)

    def close(self) -> None:
        with self._mutex:
            if self._closed:
                return
            self._closed = True
            os.close(self._intent_fd)
            os.close(self._lock_fd)  # releases the flock

    def __enter__(self) -> Log:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- intent record -------------------------------------------------------------------------------------

    def _open_intent(self) -> int:
        path = os.path.join(self.storage.root, INTENT_PATH)
        created = not os.path.exists(path)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        if created and self.storage.fsync:
            os.fsync(fd)
            self.storage.sync_parents([INTENT_PATH])
        return fd

    def _write_intent(self, old: int, new: int) -> None:
        body = _INTENT_MAGIC + old.to_bytes(8, "big") + new.to_bytes(8, "big")
        record = body + hashlib.sha256(body).digest()[:8]
        if os.pwrite(self._intent_fd, record, 0) != len(record):
            raise StorageError("short write of the intent record")
        if self.storage.fsync:
            os.fdatasync(self._intent_fd)

    def _read_intent(self) -> tuple[int, int] | None:
        record = os.pread(self._intent_fd, 28, 0)
        body, check = record[:20], record[20:]
        if len(record) != 28 or body[:4] != _INTENT_MAGIC or hashlib.sha256(body).digest()[:8] != check:
            return None  # absent, or torn while being written: that batch wrote nothing else
        return int.from_bytes(body[4:12], "big"), int.from_bytes(body[12:20], "big")

    # -- recovery ------------------------------------------------------------------------------------------

    def _discard(self, old: int, new: int) -> None:
        """Delete everything an interrupted batch ``old -> new`` may have written (all of it lies beyond ``old``)."""
        victims = [t.path for t in new_tiles(old, new)]
        for path in victims:
            self.storage.remove(path)
        self.storage.sync_parents(victims)

    def _prune(self, old: int, new: int) -> None:
        if self.prune_partials:
            for tile in new_tiles(old, new):
                if tile.is_full:
                    self.storage.remove_partials(tile)

    def _has_tiles(self) -> bool:
        return any(files for _, _, files in os.walk(os.path.join(self.storage.root, "tile")))

    def _load(self) -> None:
        """(Re)establish the in-memory state from the durable checkpoint, discarding an interrupted batch."""
        try:
            published = read_checkpoint(self.storage)
        except CheckpointMismatch as exc:
            raise LogCorrupt(f"the stored checkpoint is unreadable: {exc}") from exc
        intent = self._read_intent()
        if published is None:
            if intent is not None and intent[0] == 0:
                self._discard(0, intent[1])
            if self._has_tiles():
                raise LogCorrupt(f"{self.storage.root} has tiles but no checkpoint")
            self._levels: list[list[bytes]] = []
            self._bundle: list[bytes] = []
            self._size = 0
            self._root = EMPTY_ROOT
            text = self._signed(0, EMPTY_ROOT)
            self.storage.write_atomic(CHECKPOINT_PATH, text)
            self._checkpoint = text
            return
        if published.origin != self.origin:
            raise LogCorrupt(f"checkpoint origin {published.origin!r} is not {self.origin!r}")
        size = published.size
        if intent is not None:
            old, new = intent
            if old == size and new > size:
                self._discard(old, new)
            elif new == size:
                self._prune(old, new)
            else:
                raise LogCorrupt(f"interrupted batch {old} -> {new} does not start at checkpoint size {size}")
        try:
            levels = []
            for level in range(tree_levels(size)):
                tile = partial_tile(size, level)
                levels.append(split_hashes(read_tile(self.storage, tile), tile.width) if tile else [])
            tile = partial_tile(size, ENTRIES_LEVEL)
            bundle = decode_bundle(read_tile(self.storage, tile), tile.width) if tile else []
        except (StorageError, TileError) as exc:
            raise LogCorrupt(f"cannot read the right edge of the tree of size {size}: {exc}") from exc
        sha256 = hashlib.sha256
        if levels and [sha256(LEAF_PREFIX + e).digest() for e in bundle] != levels[0]:
            raise LogCorrupt("the partial entry bundle does not match the partial level-0 tile")
        root = edge_root(levels)
        if root != published.root_hash:
            raise LogCorrupt(f"tiles of size {size} give root {root.hex()}, the checkpoint says otherwise")
        self._levels, self._bundle = levels, bundle
        self._size, self._root, self._checkpoint = size, root, published.text

    def _signed(self, size: int, root: bytes) -> bytes:
        published = parse_published(self._publish_checkpoint(size, root))
        if (published.origin, published.size, published.root_hash) != (self.origin, size, root):
            raise CheckpointMismatch(
                f"publish_checkpoint returned ({published.origin!r}, {published.size}) for "
                f"({self.origin!r}, {size}) or a different root"
            )
        return published.text

    # -- appending -----------------------------------------------------------------------------------------

    def _plan(self, entries: list[bytes]) -> tuple[list[tuple[str, bytes]], list[list[bytes]], list[bytes]]:
        """Files to write and the new right edge for appending ``entries``. Pure; ~2 SHA-256 per entry."""
        n = self._size
        m = n + len(entries)
        writes: list[tuple[str, bytes]] = []

        bundle = self._bundle + entries
        first = n // TILE_WIDTH
        full = len(bundle) // TILE_WIDTH
        for i in range(full):
            chunk = bundle[i * TILE_WIDTH : (i + 1) * TILE_WIDTH]
            writes.append((Tile(ENTRIES_LEVEL, first + i).path, encode_bundle(chunk)))
        new_bundle = bundle[full * TILE_WIDTH :]
        if new_bundle:
            writes.append(
                (Tile(ENTRIES_LEVEL, m // TILE_WIDTH, len(new_bundle)).path, encode_bundle(new_bundle))
            )

        sha256 = hashlib.sha256
        carry = [sha256(LEAF_PREFIX + e).digest() for e in entries]
        new_levels: list[list[bytes]] = []
        level = 0
        while carry or level < len(self._levels):
            current = self._levels[level] if level < len(self._levels) else []
            if not carry:
                new_levels.append(current)
                level += 1
                continue
            hashes = current + carry
            first = level_count(n, level) // TILE_WIDTH
            full = len(hashes) // TILE_WIDTH
            carry = []
            for i in range(full):
                chunk = hashes[i * TILE_WIDTH : (i + 1) * TILE_WIDTH]
                writes.append((Tile(level, first + i).path, b"".join(chunk)))
                carry.append(subtree_hash(chunk))
            rest = hashes[full * TILE_WIDTH :]
            if rest:
                writes.append((Tile(level, first + full, len(rest)).path, b"".join(rest)))
            new_levels.append(rest)
            level += 1
        return writes, new_levels, new_bundle

    def append_batch(self, entries: Sequence[bytes]) -> list[int]:
        """Append ``entries`` and return their indexes once tiles and the new checkpoint are durable.

        Raises EntryTooLarge/TypeError before writing anything; on any later failure the batch is
        discarded (not acknowledged) and the log stays usable at its previous checkpoint. Costs about
        2 SHA-256 per entry, one signature, and (entries / 128 + levels + 3) fsyncs.
        """
        batch = [_check_entry(e) for e in entries]
        with self._mutex:
            if self._closed:
                raise LogClosed("the log is closed")
            if self._broken is not None:
                raise LogError("the log failed to recover from an earlier error; reopen it") from self._broken
            if not batch:
                return []
            n = self._size
            m = n + len(batch)
            writes, levels, bundle = self._plan(batch)
            root = edge_root(levels)
            try:
                self._write_intent(n, m)
                self.storage.write_tiles(writes)
                text = self._signed(m, root)
                self.storage.write_atomic(CHECKPOINT_PATH, text)
            except BaseException:
                try:
                    self._load()
                except BaseException as exc:
                    self._broken = exc
                raise
            self._levels, self._bundle = levels, bundle
            self._size, self._root, self._checkpoint = m, root, text
            self._prune(n, m)
            return list(range(n, m))


# ---------------------------------------------------------------------------------------------------------


class _Group:
    __slots__ = ("arrival", "entries", "future", "single")

    def __init__(self, entries: list[bytes], future: Future, single: bool) -> None:
        self.entries = entries
        self.future = future
        self.single = single
        self.arrival = time.monotonic()


class Sequencer:
    """Batches concurrent submissions into `Log.append_batch` calls on one background thread.

    Group commit: while one batch is being written, new submissions queue up and become the next batch.
    A batch holds at most ``max_batch`` entries and is flushed at the latest ``linger`` seconds after its
    first entry arrived (default 0: as soon as the writer is free; a small linger trades latency for fewer
    checkpoints). ``submit_many`` keeps its entries together in one batch (all or nothing). With the
    default ``max_batch`` a batch takes ~0.1 s here, so under load a checkpoint is published several times
    a second.
    """

    def __init__(self, log: Log, *, max_batch: int = 10_000, linger: float = 0.0) -> None:
        if max_batch < 1 or not 0 <= linger <= 1:
            raise ValueError("max_batch must be >= 1 and linger between 0 and 1 second")
        self.log = log
        self.max_batch = max_batch
        self.linger = linger
        self._cond = threading.Condition()
        self._queue: deque[_Group] = deque()
        self._queued = 0
        self._closing = False
        self.batches = 0  # statistics: batches written and entries acknowledged
        self.acknowledged = 0
        self._thread = threading.Thread(target=self._run, name="tlog-sequencer", daemon=True)
        self._thread.start()

    def _enqueue(self, entries: list[bytes], single: bool) -> Future:
        future: Future = Future()
        with self._cond:
            if self._closing:
                raise LogClosed("the sequencer is closed")
            self._queue.append(_Group(entries, future, single))
            self._queued += len(entries)
            self._cond.notify()
        return future

    def submit(self, entry: bytes) -> Future[int]:
        """Queue one entry; the future resolves to its index once acknowledged (durable)."""
        return self._enqueue([_check_entry(entry)], True)

    def submit_many(self, entries: Sequence[bytes]) -> Future[list[int]]:
        """Queue entries to be appended together in one batch; resolves to their indexes."""
        batch = [_check_entry(e) for e in entries]
        if not batch:
            done: Future[list[int]] = Future()
            done.set_result([])
            return done
        return self._enqueue(batch, False)

    def add(self, entry: bytes, timeout: float | None = None) -> int:
        """Append one entry and block until it is acknowledged; returns its index."""
        return self.submit(entry).result(timeout)

    def close(self, timeout: float | None = None) -> None:
        """Stop accepting entries, write everything already queued, and stop the thread (the Log stays open)."""
        with self._cond:
            self._closing = True
            self._cond.notify()
        self._thread.join(timeout)

    def __enter__(self) -> Sequencer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _take(self) -> list[_Group] | None:
        with self._cond:
            while not self._queue:
                if self._closing:
                    return None
                self._cond.wait()
            deadline = self._queue[0].arrival + self.linger
            while self._queued < self.max_batch and not self._closing:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            taken: list[_Group] = []
            count = 0
            while self._queue and (not taken or count + len(self._queue[0].entries) <= self.max_batch):
                group = self._queue.popleft()
                taken.append(group)
                count += len(group.entries)
            self._queued -= count
            return taken

    def _run(self) -> None:
        while True:
            groups = self._take()
            if groups is None:
                return
            groups = [g for g in groups if g.future.set_running_or_notify_cancel()]
            entries = [e for g in groups for e in g.entries]
            try:
                indexes = self.log.append_batch(entries)
            except BaseException as exc:
                for g in groups:
                    g.future.set_exception(exc)
                continue
            self.batches += 1
            self.acknowledged += len(indexes)
            at = 0
            for g in groups:
                k = len(g.entries)
                g.future.set_result(indexes[at] if g.single else indexes[at : at + k])
                at += k
