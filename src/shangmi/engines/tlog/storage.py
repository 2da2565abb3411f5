"""Storage for a tiled log: a small interface, its filesystem implementation, and a tile-backed HashReader.

Durability contract of `FileStorage` (with ``fsync=True``, the default):

* ``write_atomic(path, data)`` — temp file in the same directory, fsync it, rename over ``path``, fsync the
  directory. Readers see the old or the new bytes, never a mix; after return the new bytes survive a crash.
* ``write_tiles(items)`` — the same for many files at once with one fsync per file and one per directory,
  but *write-once*: a path that already exists is left alone when its bytes are equal and raises
  `ImmutableTileError` when they differ. Every ``tile/...`` path is content-addressed by the tree (a partial
  tile of another width is another path), so nothing there is ever legitimately rewritten. The one exception,
  deleting tiles written beyond the last durable checkpoint by a crashed append, goes through ``remove``.

Obsolete partial tiles: the tlog-tiles spec says logs MUST serve the partial tiles of every tree size they
published a checkpoint for, and MAY delete them once the full tile exists. The sequencer keeps them until the
checkpoint that includes the full tile is durable, then deletes them (``remove_partials``); `TileHashReader`
falls back to the full tile when a partial one is gone.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from typing import Protocol

from .hashing import HASH_SIZE
from .merkle import split_stored_hash_index
from .tiles import (
    ENTRIES_LEVEL,
    TILE_WIDTH,
    Tile,
    TileError,
    decode_bundle,
    format_index,
    hash_tile,
    level_count,
    split_hashes,
    subtree_hash,
)


class StorageError(Exception):
    """Base of storage errors."""


class NotFound(StorageError, FileNotFoundError):
    """The path does not exist."""


class ImmutableTileError(StorageError):
    """A write would change the bytes of an existing tile."""


class CorruptTile(StorageError):
    """A stored tile or bundle has the wrong length or encoding."""


class Storage(Protocol):
    """What the sequencer and readers need from a store. Paths are relative, ``/``-separated."""

    def read(self, path: str) -> bytes: ...  # raises NotFound

    def exists(self, path: str) -> bool: ...

    def write_atomic(self, path: str, data: bytes) -> None: ...

    def write_tiles(self, items: Sequence[tuple[str, bytes]]) -> int: ...

    def remove(self, path: str) -> None: ...

    def remove_partials(self, tile: Tile) -> None: ...

    def sync_parents(self, paths: Iterable[str]) -> None: ...


def _check_relative(path: str) -> None:
    parts = path.split("/")
    if not path or path.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise StorageError(f"bad storage path {path!r}")


class FileStorage:
    """Files under ``root``; see the module docstring for the durability contract.

    Not safe for two writers; many concurrent readers (threads or processes) are fine because every file
    appears by an atomic rename or link.
    """

    def __init__(self, root: str | os.PathLike[str], *, fsync: bool = True) -> None:
        self.root = os.path.abspath(os.fspath(root))
        self.fsync = fsync
        self._dirs: set[str] = set()  # directories known to exist (and, if we created them, to be durable)
        created: set[str] = set()
        self._ensure_dir(self.root, created)
        self._sync_dirs(created)

    # -- reading --------------------------------------------------------------------------------------------

    def _full(self, path: str) -> str:
        _check_relative(path)
        return os.path.join(self.root, *path.split("/"))

    def read(self, path: str) -> bytes:
        try:
            with open(self._full(path), "rb") as f:
                return f.read()
        except FileNotFoundError as exc:
            raise NotFound(path) from exc

    def exists(self, path: str) -> bool:
        return os.path.exists(self._full(path))

    # -- writing --------------------------------------------------------------------------------------------

    def _ensure_dir(self, directory: str, to_sync: set[str]) -> None:
        """Create ``directory`` and missing parents; parents of created directories go into ``to_sync``."""
        if directory in self._dirs:
            return
        missing = []
        d = directory
        while not os.path.isdir(d):
            missing.append(d)
            d = os.path.dirname(d)
        for d in reversed(missing):
            with contextlib.suppress(FileExistsError):
                os.mkdir(d)
            to_sync.add(os.path.dirname(d))
        self._dirs.add(directory)

    def _write_temp(self, full: str, data: bytes) -> tuple[str, int]:
        directory, name = os.path.split(full)
        temp = os.path.join(directory, f".{name}.tmp")
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), 0o644)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        except BaseException:
            os.close(fd)
            raise
        return temp, fd

    def _sync_dirs(self, dirs: Iterable[str]) -> None:
        if not self.fsync:
            return
        for d in sorted(dirs, key=len, reverse=True):  # children before parents
            fd = os.open(d, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            try:
                os.fsync(fd)
            finally:
                os.close(fd)

    def write_atomic(self, path: str, data: bytes) -> None:
        """Replace ``path`` by ``data`` atomically and durably (temp, fsync, rename, fsync directory)."""
        full = self._full(path)
        to_sync: set[str] = set()
        self._ensure_dir(os.path.dirname(full), to_sync)
        temp, fd = self._write_temp(full, data)
        try:
            if self.fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, full)
        to_sync.add(os.path.dirname(full))
        self._sync_dirs(to_sync)

    def write_tiles(self, items: Sequence[tuple[str, bytes]]) -> int:
        """Durably create write-once files; returns how many were new.

        All files are written first, then each is fsynced, linked into place without replacing (so an
        existing path is never clobbered), and every touched directory is fsynced once.
        """
        to_sync: set[str] = set()
        pending: list[tuple[str, str, int, bytes]] = []
        try:
            for path, data in items:
                full = self._full(path)
                self._ensure_dir(os.path.dirname(full), to_sync)
                temp, fd = self._write_temp(full, data)
                pending.append((full, temp, fd, data))
            if self.fsync:
                for _, _, fd, _ in pending:
                    os.fsync(fd)
        finally:
            for _, _, fd, _ in pending:
                os.close(fd)
        created = 0
        for full, temp, _, data in pending:
            if self._link_new(temp, full, data):
                created += 1
                to_sync.add(os.path.dirname(full))
        self._sync_dirs(to_sync)
        return created

    def _link_new(self, temp: str, full: str, data: bytes) -> bool:
        try:
            os.link(temp, full)
        except FileExistsError:
            os.unlink(temp)
            with open(full, "rb") as f:
                existing = f.read()
            if existing != data:
                raise ImmutableTileError(f"{full} exists with different content") from None
            return False
        except OSError as exc:  # filesystems without hard links: check, then rename
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            if os.path.exists(full):
                os.unlink(temp)
                with open(full, "rb") as f:
                    if f.read() != data:
                        raise ImmutableTileError(f"{full} exists with different content") from None
                return False
            os.replace(temp, full)
            return True
        os.unlink(temp)
        return True

    def remove(self, path: str) -> None:
        """Delete ``path`` and its temp file if present (no fsync: callers order deletions before writes)."""
        full = self._full(path)
        directory, name = os.path.split(full)
        for victim in (full, os.path.join(directory, f".{name}.tmp")):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(victim)

    def remove_partials(self, tile: Tile) -> None:
        """Delete every partial version of ``tile`` (its ``<N>.p/`` directory)."""
        level = "entries" if tile.is_entries else str(tile.level)
        directory = self._full(f"tile/{level}/{format_index(tile.index)}.p")
        shutil.rmtree(directory, ignore_errors=True)
        self._dirs = {d for d in self._dirs if d != directory and not d.startswith(directory + os.sep)}

    def sync_parents(self, paths: Iterable[str]) -> None:
        """fsync the directories holding ``paths`` (makes earlier creations or removals there durable)."""
        dirs = {os.path.dirname(self._full(p)) for p in paths}
        self._sync_dirs(d for d in dirs if os.path.isdir(d))


# ---------------------------------------------------------------------------------------------------------
# Reading tiles


def read_tile(storage: Storage, tile: Tile) -> bytes:
    """Read ``tile``; if it is partial and gone (pruned after the full tile appeared), use the full tile's prefix.

    Raises NotFound when neither exists and CorruptTile when the full tile is too short.
    """
    try:
        return storage.read(tile.path)
    except NotFound:
        if tile.is_full:
            raise
    data = storage.read(tile.full().path)
    if tile.is_entries:
        entries = decode_bundle(data, TILE_WIDTH)
        return b"".join(len(e).to_bytes(2, "big") + e for e in entries[: tile.width])
    if len(data) != TILE_WIDTH * HASH_SIZE:
        raise CorruptTile(f"{tile.full().path} is {len(data)} bytes")
    return data[: tile.width * HASH_SIZE]


def tile_for(level: int, index: int, size: int) -> Tile:
    """The tile at ``level``/``index`` as it is in a tree of ``size`` (full, or partial of the right width)."""
    count = level_count(size, max(level, 0))
    if (index + 1) * TILE_WIDTH <= count:
        return Tile(level, index)
    width = count - index * TILE_WIDTH
    if width <= 0:
        raise IndexError(f"tile {level}/{index} is not in a tree of size {size}")
    return Tile(level, index, width)


def read_entries(storage: Storage, start: int, end: int, size: int) -> list[bytes]:
    """Entries ``[start, end)`` of the tree of ``size`` from the entry bundles. Reads ceil(span / 256) + 1 bundles."""
    if not 0 <= start <= end <= size:
        raise IndexError(f"entries [{start}, {end}) not in a tree of size {size}")
    out: list[bytes] = []
    index = start // TILE_WIDTH
    while index * TILE_WIDTH < end:
        tile = tile_for(ENTRIES_LEVEL, index, size)
        try:
            entries = decode_bundle(read_tile(storage, tile), tile.width)
        except TileError as exc:
            raise CorruptTile(f"{tile.path}: {exc}") from exc
        lo = max(start - tile.start, 0)
        hi = min(end - tile.start, tile.width)
        out.extend(entries[lo:hi])
        index += 1
    return out


class TileCache:
    """A thread-safe LRU of full tiles' hashes, shareable between readers (full tiles never change)."""

    def __init__(self, max_tiles: int = 1024) -> None:
        self.max_tiles = max_tiles
        self._items: OrderedDict[Tile, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, tile: Tile) -> list[bytes] | None:
        with self._lock:
            hashes = self._items.get(tile)
            if hashes is not None:
                self._items.move_to_end(tile)
            return hashes

    def put(self, tile: Tile, hashes: list[bytes]) -> None:
        with self._lock:
            self._items[tile] = hashes
            self._items.move_to_end(tile)
            while len(self._items) > self.max_tiles:
                self._items.popitem(last=False)


class TileHashReader:
    """A merkle ``HashReader`` over the stored tiles of the tree of ``size``.

    ``read_hashes`` takes Go sumdb/tlog stored-hash indexes. It reads each needed tile once per call (full
    tiles through the shared cache) and rebuilds in-tile interior hashes, so one hash costs at most 127
    SHA-256 calls; a proof in a tree of 10^7 reads at most 1 + log256(size) tiles per level touched.
    Tiles are not authenticated here: verify what you compute from them against a signed root.
    """

    def __init__(self, storage: Storage, size: int, cache: TileCache | None = None) -> None:
        self.storage = storage
        self.size = size
        self.cache = cache if cache is not None else TileCache()

    def _hashes(self, tile: Tile) -> list[bytes]:
        if tile.is_full:
            cached = self.cache.get(tile)
            if cached is not None:
                return cached
        try:
            hashes = split_hashes(read_tile(self.storage, tile), tile.width)
        except TileError as exc:
            raise CorruptTile(f"{tile.path}: {exc}") from exc
        if tile.is_full:
            self.cache.put(tile, hashes)
        return hashes

    def read_hashes(self, indexes: Sequence[int]) -> list[bytes]:
        tiles: dict[tuple[int, int], list[bytes]] = {}
        out: list[bytes] = []
        for stored in indexes:
            level, n = split_stored_hash_index(stored)
            tile_level, tile_index, offset, count = hash_tile(level, n)
            key = (tile_level, tile_index)
            hashes = tiles.get(key)
            if hashes is None:
                hashes = tiles[key] = self._hashes(tile_for(tile_level, tile_index, self.size))
            if offset + count > len(hashes):
                raise IndexError(f"hash ({level}, {n}) is not in a tree of size {self.size}")
            out.append(hashes[offset] if count == 1 else subtree_hash(hashes[offset : offset + count]))
        return out
