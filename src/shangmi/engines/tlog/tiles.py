"""C2SP tlog-tiles layout: tile coordinates, paths, entry bundles, and where stored hashes live in tiles.

Tiles have height 8: a full tile holds 256 hashes (8,192 bytes). The hashes of a level-L tile are the Merkle
Tree Hashes of complete subtrees of 256**L leaves, so tile N of level L spans the leaves
``[N * 256**(L+1), (N+1) * 256**(L+1))``. A tree of size ``s`` has, at each level L with
``s // 256**L > 0``, ``s // 256**(L+1)`` full tiles and, when ``w = (s // 256**L) % 256`` is not zero, one
partial tile of width ``w``. Entry bundles follow the level-0 tiles one for one.

Paths (relative to the log prefix)::

    tile/<L>/<N>            full hash tile            tile/0/x001/x234/067
    tile/<L>/<N>.p/<W>      partial hash tile          tile/1/000.p/17
    tile/entries/<N>        full entry bundle          tile/entries/005
    tile/entries/<N>.p/<W>  partial entry bundle       tile/entries/x001/000.p/3

``<N>`` is written in 3-digit groups, every group but the last prefixed with ``x``; ``<L>`` is 0..63 and
``<W>`` is 1..255, both without leading zeros. Entry bundles are the entries, each preceded by its length
as a big-endian uint16.

Nothing here touches storage; every function is pure and costs O(number of path elements) unless stated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from .hashing import HASH_SIZE, node_hash

TILE_HEIGHT = 8
TILE_WIDTH = 1 << TILE_HEIGHT  # 256 hashes in a full tile
FULL_TILE_BYTES = TILE_WIDTH * HASH_SIZE  # 8,192
MAX_LEVEL = 63
ENTRIES_LEVEL = -1  # the level of entry bundles (they parallel level 0)
MAX_ENTRY_SIZE = 0xFFFF  # entry bundles prefix each entry with a uint16 length


class TileError(ValueError):
    """Base of this module's errors."""


class BadTilePath(TileError):
    """A path is not a canonical tlog-tiles resource path."""


class BadBundle(TileError):
    """Entry-bundle bytes do not decode to the expected number of entries."""


class EntryTooLarge(TileError):
    """An entry longer than 65,535 bytes cannot be stored in an entry bundle."""


@dataclass(frozen=True, slots=True, order=True)
class Tile:
    """One resource: a hash tile (``level`` 0..63) or an entry bundle (``level == ENTRIES_LEVEL``).

    ``width`` is 256 for a full tile and 1..255 for a partial one.
    """

    level: int
    index: int
    width: int = TILE_WIDTH

    def __post_init__(self) -> None:
        if not (ENTRIES_LEVEL <= self.level <= MAX_LEVEL):
            raise TileError(f"tile level {self.level} out of range")
        if self.index < 0:
            raise TileError(f"tile index {self.index} is negative")
        if not (1 <= self.width <= TILE_WIDTH):
            raise TileError(f"tile width {self.width} out of range 1..256")

    @property
    def is_entries(self) -> bool:
        return self.level == ENTRIES_LEVEL

    @property
    def is_full(self) -> bool:
        return self.width == TILE_WIDTH

    @property
    def hash_level(self) -> int:
        """Level in the tile tree; entry bundles sit at level 0 for the purpose of coordinates."""
        return max(self.level, 0)

    @property
    def start(self) -> int:
        """First leaf index the tile spans."""
        return self.index << (TILE_HEIGHT * (self.hash_level + 1))

    @property
    def end(self) -> int:
        """Leaf index just past what the tile spans *at its width* (its coverage of the tree)."""
        return (self.index * TILE_WIDTH + self.width) << (TILE_HEIGHT * self.hash_level)

    @property
    def path(self) -> str:
        return tile_path(self)

    def full(self) -> Tile:
        """The full tile this (possibly partial) tile grows into."""
        return Tile(self.level, self.index)


# ---------------------------------------------------------------------------------------------------------
# Paths

_GROUP = re.compile(r"[0-9]{3}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def format_index(n: int) -> str:
    """``1234067 -> "x001/x234/067"``, ``5 -> "005"``."""
    if n < 0:
        raise TileError(f"tile index {n} is negative")
    groups = [f"{n % 1000:03d}"]
    n //= 1000
    while n:
        groups.append(f"x{n % 1000:03d}")
        n //= 1000
    return "/".join(reversed(groups))


def parse_index(elements: Sequence[str]) -> int:
    """Inverse of `format_index` over already-split path elements; strict (no redundant ``x000`` lead)."""
    if not elements:
        raise BadTilePath("missing tile index")
    n = 0
    for i, element in enumerate(elements):
        last = i == len(elements) - 1
        digits = element if last else element[1:]
        if (not last and not element.startswith("x")) or not _GROUP.fullmatch(digits):
            raise BadTilePath(f"bad tile index element {element!r}")
        if i == 0 and not last and digits == "000":
            raise BadTilePath(f"redundant leading index element {element!r}")
        n = n * 1000 + int(digits)
    return n


def tile_path(tile: Tile) -> str:
    level = "entries" if tile.is_entries else str(tile.level)
    path = f"tile/{level}/{format_index(tile.index)}"
    if not tile.is_full:
        path += f".p/{tile.width}"
    return path


def _parse_decimal(text: str, what: str, low: int, high: int) -> int:
    if not _DECIMAL.fullmatch(text) or not (low <= int(text) <= high):
        raise BadTilePath(f"bad {what} {text!r}")
    return int(text)


def parse_tile_path(path: str) -> Tile:
    """Parse ``tile/<L>/<N>[.p/<W>]`` or ``tile/entries/<N>[.p/<W>]``; anything non-canonical raises BadTilePath."""
    parts = path.split("/")
    if len(parts) < 3 or parts[0] != "tile":
        raise BadTilePath(f"not a tile path: {path!r}")
    level = ENTRIES_LEVEL if parts[1] == "entries" else _parse_decimal(parts[1], "tile level", 0, MAX_LEVEL)
    rest = parts[2:]
    width = TILE_WIDTH
    if len(rest) >= 2 and rest[-2].endswith(".p"):
        width = _parse_decimal(rest[-1], "partial tile width", 1, TILE_WIDTH - 1)
        rest = [*rest[:-2], rest[-2][:-2]]
    return Tile(level, parse_index(rest), width)


# ---------------------------------------------------------------------------------------------------------
# Which tiles a tree has


def level_count(size: int, level: int) -> int:
    """How many hashes level ``level`` of the tile tree has for a tree of ``size`` leaves."""
    return size >> (TILE_HEIGHT * level)


def partial_tile(size: int, level: int) -> Tile | None:
    """The partial tile of ``level`` in a tree of ``size`` (``None`` when that level's count is a multiple of 256)."""
    count = level_count(size, max(level, 0))
    width = count % TILE_WIDTH
    return Tile(level, count // TILE_WIDTH, width) if width else None


def tree_levels(size: int) -> int:
    """Number of hash-tile levels a tree of ``size`` has (0 for the empty tree)."""
    levels = 0
    while level_count(size, levels):
        levels += 1
    return levels


def right_edge(size: int, *, entries: bool = True) -> list[Tile]:
    """The partial tiles of a tree of ``size``: together they hold its compact range (at most one per level)."""
    found = [partial_tile(size, level) for level in range(tree_levels(size))]
    if entries:
        found.append(partial_tile(size, ENTRIES_LEVEL))
    return [t for t in found if t is not None]


def iter_tiles(size: int, *, entries: bool = True) -> Iterator[Tile]:
    """Every tile (and entry bundle) of a tree of ``size``: full ones, then the partial one, level by level.

    Yields about ``size / 255`` tiles.
    """
    levels = list(range(tree_levels(size)))
    if entries and size:
        levels.append(ENTRIES_LEVEL)
    for level in levels:
        count = level_count(size, max(level, 0))
        for index in range(count // TILE_WIDTH):
            yield Tile(level, index)
        if count % TILE_WIDTH:
            yield Tile(level, count // TILE_WIDTH, count % TILE_WIDTH)


def new_tiles(old_size: int, new_size: int, *, entries: bool = True) -> list[Tile]:
    """Tiles of the tree of ``new_size`` whose content depends on leaves at or beyond ``old_size``.

    These are exactly the files an append from ``old_size`` to ``new_size`` writes (full tiles completed by
    the append and the new partial tiles); every other tile of the new tree is already in the old one.
    Costs O((new_size - old_size) / 256 + levels).
    """
    if not 0 <= old_size <= new_size:
        raise TileError(f"bad sizes {old_size} -> {new_size}")
    out: list[Tile] = []
    levels = list(range(tree_levels(new_size)))
    if entries and new_size:
        levels.append(ENTRIES_LEVEL)
    for level in levels:
        lv = max(level, 0)
        old_count, new_count = level_count(old_size, lv), level_count(new_size, lv)
        if new_count == old_count:
            continue
        for index in range(old_count // TILE_WIDTH, new_count // TILE_WIDTH):
            out.append(Tile(level, index))
        if new_count % TILE_WIDTH:
            out.append(Tile(level, new_count // TILE_WIDTH, new_count % TILE_WIDTH))
    return out


# ---------------------------------------------------------------------------------------------------------
# Where stored hashes live (stored-hash numbering: see merkle.stored_hash_index)


def hash_tile(level: int, n: int) -> tuple[int, int, int, int]:
    """Where the hash of subtree (``level``, ``n``) lives: ``(tile_level, tile_index, offset, count)``.

    It is the Merkle Tree Hash of the ``count = 2**(level % 8)`` hashes at ``offset`` in level
    ``level // 8`` tile ``tile_index`` (``count == 1``: the stored hash itself).
    """
    tile_level, k = divmod(level, TILE_HEIGHT)
    first = n << k
    return tile_level, first // TILE_WIDTH, first % TILE_WIDTH, 1 << k


# ---------------------------------------------------------------------------------------------------------
# Contents


def subtree_hash(hashes: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash of a power-of-two-long run of sibling hashes (a complete subtree). O(len) hashing."""
    level = list(hashes)
    if not level or len(level) & (len(level) - 1):
        raise TileError(f"subtree of {len(level)} hashes is not a power of two")
    while len(level) > 1:
        level = [node_hash(level[i], level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def split_hashes(data: bytes, width: int) -> list[bytes]:
    """Split tile bytes into ``width`` hashes; raise TileError on a length mismatch."""
    if len(data) != width * HASH_SIZE:
        raise TileError(f"tile of width {width} must be {width * HASH_SIZE} bytes, got {len(data)}")
    return [data[i : i + HASH_SIZE] for i in range(0, len(data), HASH_SIZE)]


def encode_bundle(entries: Sequence[bytes]) -> bytes:
    """Entry bundle bytes: each entry preceded by its big-endian uint16 length."""
    parts: list[bytes] = []
    for entry in entries:
        if len(entry) > MAX_ENTRY_SIZE:
            raise EntryTooLarge(f"entry of {len(entry)} bytes exceeds {MAX_ENTRY_SIZE}")
        parts.append(len(entry).to_bytes(2, "big"))
        parts.append(entry)
    return b"".join(parts)


def decode_bundle(data: bytes, width: int | None = None) -> list[bytes]:
    """Decode an entry bundle; with ``width`` also insist on exactly that many entries."""
    entries: list[bytes] = []
    pos, end = 0, len(data)
    while pos < end:
        if pos + 2 > end:
            raise BadBundle(f"truncated length prefix at byte {pos}")
        length = int.from_bytes(data[pos : pos + 2], "big")
        pos += 2
        if pos + length > end:
            raise BadBundle(f"entry {len(entries)} of {length} bytes overruns the bundle")
        entries.append(data[pos : pos + length])
        pos += length
    if width is not None and len(entries) != width:
        raise BadBundle(f"bundle holds {len(entries)} entries, expected {width}")
    if len(entries) > TILE_WIDTH:
        raise BadBundle(f"bundle holds {len(entries)} entries, more than {TILE_WIDTH}")
    return entries
