"""tlog-tiles layout: path vectors from the C2SP spec, strict parsing, tile sets, entry bundles."""

from __future__ import annotations

import random

import pytest

from shangmi.engines.tlog import merkle
from shangmi.engines.tlog.hashing import leaf_hash, node_hash
from shangmi.engines.tlog.tiles import (
    ENTRIES_LEVEL,
    BadBundle,
    BadTilePath,
    EntryTooLarge,
    Tile,
    TileError,
    decode_bundle,
    encode_bundle,
    format_index,
    hash_tile,
    iter_tiles,
    new_tiles,
    parse_tile_path,
    partial_tile,
    right_edge,
    split_hashes,
    subtree_hash,
    tree_levels,
)

# --- paths -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("index", "text"),
    [
        (0, "000"),
        (5, "005"),
        (67, "067"),
        (999, "999"),
        (1000, "x001/000"),
        (1234067, "x001/x234/067"),  # the spec's example
        (1000000, "x001/x000/000"),
        (123456789012, "x123/x456/x789/012"),
    ],
)
def test_index_encoding(index: int, text: str) -> None:
    assert format_index(index) == text
    assert parse_tile_path(f"tile/0/{text}") == Tile(0, index)


@pytest.mark.parametrize(
    ("tile", "path"),
    [
        (Tile(0, 1234067), "tile/0/x001/x234/067"),
        (Tile(0, 1234067, 8), "tile/0/x001/x234/067.p/8"),
        (Tile(1, 0, 17), "tile/1/000.p/17"),
        (Tile(2, 0, 1), "tile/2/000.p/1"),
        (Tile(63, 7), "tile/63/007"),
        (Tile(ENTRIES_LEVEL, 1234067), "tile/entries/x001/x234/067"),
        (Tile(ENTRIES_LEVEL, 273, 112), "tile/entries/273.p/112"),
        (Tile(0, 0, 255), "tile/0/000.p/255"),
    ],
)
def test_tile_paths_round_trip(tile: Tile, path: str) -> None:
    assert tile.path == path
    assert parse_tile_path(path) == tile


@pytest.mark.parametrize(
    "path",
    [
        "tile/00/000",  # leading zero in level
        "tile/64/000",  # level out of range
        "tile/-1/000",
        "tile/+1/000",
        "tile/ 1/000",
        "tile/Entries/000",
        "tile/0/67",  # index element not 3 digits
        "tile/0/0067",
        "tile/0/x1/067",
        "tile/0/x001",  # last element must not carry x
        "tile/0/001/002",  # non-last element must carry x
        "tile/0/x000/067",  # redundant leading group
        "tile/0/x000/x001/067",
        "tile/0/X001/067",
        "tile/0/\u0661\u0662\u0663",  # non-ASCII digits
        "tile/0/000.p/0",  # width out of range
        "tile/0/000.p/256",
        "tile/0/000.p/07",  # leading zero in width
        "tile/0/000.p",
        "tile/0/000.p/",
        "tile/0/000.p/1/2",
        "tile/0/x001.p/3",
        "tile/0/000/",
        "/tile/0/000",
        "tile/0/",
        "tile/0",
        "tiles/0/000",
        "tile/entries/000.q/3",
    ],
)
def test_bad_paths_rejected(path: str) -> None:
    with pytest.raises(BadTilePath):
        parse_tile_path(path)


def test_format_and_parse_agree_on_random_tiles() -> None:
    rng = random.Random(7)
    for _ in range(2000):
        tile = Tile(rng.randrange(-1, 64), rng.randrange(10 ** rng.randrange(1, 19)), rng.randrange(1, 257))
        assert parse_tile_path(tile.path) == tile


def test_tile_validation() -> None:
    for bad in [(0, -1, 256), (0, 0, 0), (0, 0, 257), (64, 0, 256), (-2, 0, 256)]:
        with pytest.raises(TileError):
            Tile(*bad)


# --- which tiles -----------------------------------------------------------------------------------------


def test_spec_example_size_70000() -> None:
    tiles = list(iter_tiles(70000, entries=False))
    level0 = [t for t in tiles if t.level == 0]
    assert sum(t.is_full for t in level0) == 273
    assert [t for t in level0 if not t.is_full] == [Tile(0, 273, 112)]
    assert [t for t in tiles if t.level == 1] == [Tile(1, 0), Tile(1, 1, 17)]
    assert [t for t in tiles if t.level == 2] == [Tile(2, 0, 1)]
    assert len(tiles) == 273 + 1 + 2 + 1
    assert right_edge(70000) == [
        Tile(0, 273, 112),
        Tile(1, 1, 17),
        Tile(2, 0, 1),
        Tile(ENTRIES_LEVEL, 273, 112),
    ]


def test_spec_example_size_256() -> None:
    assert list(iter_tiles(256)) == [Tile(0, 0), Tile(1, 0, 1), Tile(ENTRIES_LEVEL, 0)]
    assert partial_tile(256, 0) is None
    assert partial_tile(256, 1) == Tile(1, 0, 1)


@pytest.mark.parametrize(("size", "levels"), [(0, 0), (1, 1), (255, 1), (256, 2), (65535, 2), (65536, 3)])
def test_tree_levels(size: int, levels: int) -> None:
    assert tree_levels(size) == levels


def test_tile_spans_match_spec_formula() -> None:
    # start = n * 256**(l+1), end = (n + 1) * 256**(l+1) for full tiles
    assert (Tile(0, 3).start, Tile(0, 3).end) == (768, 1024)
    assert (Tile(1, 2).start, Tile(1, 2).end) == (2 * 65536, 3 * 65536)
    assert Tile(1, 1, 17).end == 65536 + 17 * 256
    assert Tile(ENTRIES_LEVEL, 273, 112).end == 70000


def test_new_tiles_is_the_difference_of_tile_sets() -> None:
    rng = random.Random(11)
    sizes = [0, 1, 255, 256, 257, 511, 512, 65535, 65536, 65537, 70000]
    pairs = [(a, b) for a in sizes for b in sizes if a <= b]
    for _ in range(150):
        a = rng.randrange(0, 140000)
        pairs.append((a, a + rng.choice([1, 2, 7, 255, 256, 1000, 70000])))
    for a, b in pairs:
        expected = set(iter_tiles(b)) - set(iter_tiles(a))
        got = new_tiles(a, b)
        assert len(got) == len(set(got))
        assert set(got) == expected, (a, b)
        assert all(t.end > a for t in got)  # everything an append writes lies beyond the old tree


def test_new_tiles_rejects_shrinking() -> None:
    with pytest.raises(TileError):
        new_tiles(5, 4)


def test_hash_tile_locates_stored_hashes() -> None:
    assert hash_tile(0, 0) == (0, 0, 0, 1)
    assert hash_tile(0, 300) == (0, 1, 44, 1)
    assert hash_tile(3, 1) == (0, 0, 8, 8)
    assert hash_tile(8, 0) == (1, 0, 0, 1)  # a 256-leaf subtree is a level-1 tile hash
    assert hash_tile(9, 5) == (1, 0, 10, 2)
    assert hash_tile(16, 2) == (2, 0, 2, 1)
    # every (level, n) maps back through the stored-hash numbering of merkle.py
    for index in range(5000):
        level, n = merkle.split_stored_hash_index(index)
        assert merkle.stored_hash_index(level, n) == index
        tile_level, tile_index, offset, count = hash_tile(level, n)
        assert tile_level == level // 8 and count == 1 << (level % 8)
        assert (tile_index * 256 + offset) == n << (level % 8)


# --- contents --------------------------------------------------------------------------------------------


def test_subtree_hash() -> None:
    leaves = [leaf_hash(bytes([i])) for i in range(4)]
    assert subtree_hash(leaves[:1]) == leaves[0]
    assert subtree_hash(leaves) == node_hash(node_hash(leaves[0], leaves[1]), node_hash(leaves[2], leaves[3]))
    assert subtree_hash(leaves) == merkle.root_from_leaf_hashes(leaves)
    for bad in ([], leaves[:3]):
        with pytest.raises(TileError):
            subtree_hash(bad)


def test_split_hashes_checks_length() -> None:
    assert split_hashes(b"a" * 64, 2) == [b"a" * 32, b"a" * 32]
    with pytest.raises(TileError):
        split_hashes(b"a" * 63, 2)


def test_entry_bundle_encoding_is_uint16_length_prefixed() -> None:
    assert encode_bundle([b"abc", b"", b"\x00" * 2]) == b"\x00\x03abc\x00\x00\x00\x02\x00\x00"
    big = b"x" * 65535
    assert encode_bundle([big])[:2] == b"\xff\xff"
    assert decode_bundle(encode_bundle([big])) == [big]
    with pytest.raises(EntryTooLarge):
        encode_bundle([b"x" * 65536])


def test_entry_bundle_round_trip() -> None:
    rng = random.Random(3)
    for width in (1, 2, 17, 255, 256):
        entries = [rng.randbytes(rng.choice([0, 1, 32, 100, 1000])) for _ in range(width)]
        assert decode_bundle(encode_bundle(entries), width) == entries


@pytest.mark.parametrize(
    ("data", "width"),
    [
        (b"\x00", None),  # truncated length
        (b"\x00\x05abc", None),  # entry overruns
        (b"\x00\x01a", 2),  # too few entries
        (b"\x00\x01a\x00\x01b", 1),  # too many entries
        (b"\x00\x00" * 257, None),  # more than a full bundle
    ],
)
def test_bad_bundles_rejected(data: bytes, width: int | None) -> None:
    with pytest.raises(BadBundle):
        decode_bundle(data, width)
