"""Filesystem storage (atomic, write-once tiles) and the tile-backed HashReader."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from shangmi.engines.tlog import merkle
from shangmi.engines.tlog.hashing import leaf_hash
from shangmi.engines.tlog.storage import (
    CorruptTile,
    FileStorage,
    ImmutableTileError,
    NotFound,
    StorageError,
    TileCache,
    TileHashReader,
    read_entries,
    read_tile,
    tile_for,
)
from shangmi.engines.tlog.tiles import ENTRIES_LEVEL, Tile, encode_bundle, iter_tiles, subtree_hash


def _files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def test_write_atomic_read_exists(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    assert not s.exists("checkpoint")
    with pytest.raises(NotFound):
        s.read("checkpoint")
    s.write_atomic("checkpoint", b"one")
    s.write_atomic("checkpoint", b"two")  # mutable: replaced
    assert s.read("checkpoint") == b"two"
    s.write_atomic("a/b/c", b"deep")
    assert s.read("a/b/c") == b"deep"
    assert _files(tmp_path) == {"checkpoint", "a/b/c"}  # no temp files left behind


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../x", "a/../b", "a//b", "a/./b", "a/"])
def test_bad_paths(tmp_path: Path, path: str) -> None:
    s = FileStorage(tmp_path)
    with pytest.raises(StorageError):
        s.write_atomic(path, b"x")
    with pytest.raises(StorageError):
        s.read(path)


def test_tiles_are_write_once(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    full = Tile(0, 1234067).path
    items = [(full, b"h" * 8192), (Tile(0, 0, 3).path, b"p" * 96)]
    assert s.write_tiles(items) == 2
    assert s.write_tiles(items) == 0  # identical bytes: nothing to do
    with pytest.raises(ImmutableTileError):
        s.write_tiles([(full, b"H" * 8192)])
    assert s.read(full) == b"h" * 8192
    assert _files(tmp_path) == {"tile/0/x001/x234/067", "tile/0/000.p/3"}


def test_unsynced_mode_writes_the_same(tmp_path: Path) -> None:
    s = FileStorage(tmp_path, fsync=False)
    s.write_tiles([("tile/0/000.p/1", b"x" * 32)])
    s.write_atomic("checkpoint", b"c")
    assert s.read("tile/0/000.p/1") == b"x" * 32 and s.read("checkpoint") == b"c"


def test_remove_and_remove_partials(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    s.write_tiles([(Tile(0, 0, w).path, b"x" * 32 * w) for w in (1, 2, 3)] + [(Tile(0, 0).path, b"y" * 8192)])
    s.remove(Tile(0, 0, 1).path)
    s.remove(Tile(0, 0, 1).path)  # idempotent
    assert _files(tmp_path) == {"tile/0/000.p/2", "tile/0/000.p/3", "tile/0/000"}
    s.remove_partials(Tile(0, 0))
    assert _files(tmp_path) == {"tile/0/000"}
    # a partial that was pruned is read from the full tile's prefix
    assert read_tile(s, Tile(0, 0, 2)) == b"y" * 64
    with pytest.raises(NotFound):
        read_tile(s, Tile(0, 1, 2))
    # the directory can be recreated after pruning
    s.write_tiles([(Tile(0, 1, 1).path, b"z" * 32)])
    assert s.read("tile/0/001.p/1") == b"z" * 32


def test_pruned_partial_bundle_falls_back_to_full_bundle(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    entries = [f"e{i}".encode() for i in range(256)]
    s.write_tiles([(Tile(ENTRIES_LEVEL, 0).path, encode_bundle(entries))])
    assert read_tile(s, Tile(ENTRIES_LEVEL, 0, 5)) == encode_bundle(entries[:5])
    assert read_entries(s, 3, 7, 10) == entries[3:7]


def test_tile_for() -> None:
    assert tile_for(0, 0, 256) == Tile(0, 0)
    assert tile_for(0, 1, 300) == Tile(0, 1, 44)
    assert tile_for(1, 0, 70000) == Tile(1, 0)
    assert tile_for(1, 1, 70000) == Tile(1, 1, 17)
    with pytest.raises(IndexError):
        tile_for(0, 2, 512)


def test_tile_cache_is_bounded_lru() -> None:
    cache = TileCache(max_tiles=2)
    a, b, c = Tile(0, 0), Tile(0, 1), Tile(0, 2)
    cache.put(a, [b"a"])
    cache.put(b, [b"b"])
    assert cache.get(a) == [b"a"]  # a is now most recent
    cache.put(c, [b"c"])
    assert cache.get(b) is None and cache.get(a) == [b"a"] and cache.get(c) == [b"c"]


def _write_tree(storage: FileStorage, leaves: list[bytes], sizes: list[int]) -> None:
    """Tiles of the trees of these sizes, built from the definition (independent of the sequencer)."""
    tiles = {t for size in sizes for t in iter_tiles(size, entries=False)}
    items = []
    for tile in sorted(tiles):
        span = 256**tile.level
        hashes = [
            merkle.root_from_leaf_hashes(
                leaves[(tile.index * 256 + i) * span : (tile.index * 256 + i + 1) * span]
            )
            for i in range(tile.width)
        ]
        items.append((tile.path, b"".join(hashes)))
    storage.write_tiles(items)


SIZES = [1, 2, 3, 255, 256, 257, 300, 511, 512, 4096, 65535, 65536, 65537, 70000]


@pytest.fixture(scope="module")
def big_tree(tmp_path_factory: pytest.TempPathFactory) -> tuple[FileStorage, list[bytes], list[bytes]]:
    """A 70,000-leaf tree written as tiles, plus merkle's in-memory stored hashes for the same leaves."""
    rng = random.Random(5)
    leaves = [leaf_hash(rng.randbytes(8)) for _ in range(70000)]
    storage = FileStorage(tmp_path_factory.mktemp("tree"), fsync=False)
    _write_tree(storage, leaves, SIZES)
    stored = merkle.stored_hashes_for_batch(0, leaves, merkle.ListHashReader([]))
    return storage, leaves, stored


def test_tile_reader_agrees_with_stored_hashes(
    big_tree: tuple[FileStorage, list[bytes], list[bytes]],
) -> None:
    storage, leaves, stored = big_tree
    rng = random.Random(9)
    for size in SIZES:
        reader = TileHashReader(storage, size)
        count = merkle.stored_hash_count(size)
        indexes = list(range(min(count, 600))) + [rng.randrange(count) for _ in range(400)] + [count - 1]
        assert reader.read_hashes(indexes) == [stored[i] for i in indexes], size
        assert merkle.tree_hash(size, reader) == merkle.root_from_leaf_hashes(leaves[:size])


def test_tile_reader_proofs(big_tree: tuple[FileStorage, list[bytes], list[bytes]]) -> None:
    storage, leaves, _ = big_tree
    rng = random.Random(10)
    for size in SIZES:
        reader = TileHashReader(storage, size)
        root = merkle.tree_hash(size, reader)
        for index in {0, size - 1, rng.randrange(size)}:
            merkle.verify_inclusion(
                index, size, leaves[index], merkle.inclusion_proof(index, size, reader), root
            )
        old = rng.choice([s for s in SIZES if s <= size])
        old_root = merkle.tree_hash(old, TileHashReader(storage, old))
        merkle.verify_consistency(old, size, old_root, root, merkle.consistency_proof(old, size, reader))


def test_tile_reader_refuses_hashes_beyond_its_size(
    big_tree: tuple[FileStorage, list[bytes], list[bytes]],
) -> None:
    storage, _, _ = big_tree
    reader = TileHashReader(storage, 300)
    with pytest.raises(IndexError):
        reader.read_hashes([merkle.stored_hash_index(0, 300)])
    with pytest.raises(IndexError):
        reader.read_hashes([merkle.stored_hash_index(9, 0)])  # 512-leaf subtree in a 300-leaf tree


def test_tile_reader_interior_hash(big_tree: tuple[FileStorage, list[bytes], list[bytes]]) -> None:
    storage, leaves, _ = big_tree
    reader = TileHashReader(storage, 70000)
    (h,) = reader.read_hashes([merkle.stored_hash_index(7, 3)])  # 128 hashes inside level-0 tile 1
    assert h == subtree_hash(leaves[384:512])


def test_tile_reader_reports_corrupt_tiles(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    s.write_tiles([(Tile(0, 0, 3).path, b"x" * 95)])
    with pytest.raises(CorruptTile):
        TileHashReader(s, 3).read_hashes([0])
    s.write_tiles([(Tile(ENTRIES_LEVEL, 0, 3).path, b"\x00\x01a")])
    with pytest.raises(CorruptTile):
        read_entries(s, 0, 3, 3)


def test_full_tiles_cached(tmp_path: Path) -> None:
    s = FileStorage(tmp_path)
    leaves = [leaf_hash(bytes([i % 256, i // 256])) for i in range(600)]
    _write_tree(s, leaves, [600])
    cache = TileCache()
    reader = TileHashReader(s, 600, cache)
    reader.read_hashes([0])
    assert cache.get(Tile(0, 0)) is not None
    os.unlink(tmp_path / "tile/0/000")  # later reads of that tile come from the cache
    assert TileHashReader(s, 600, cache).read_hashes([0]) == [leaves[0]]
