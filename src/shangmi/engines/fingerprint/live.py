"""The index's fingerprint tables held in memory as sorted int64 arrays, 8 bytes a fingerprint.

A scan needs, for each suspect file, which of its fingerprints the index holds (live), which are
suppressed, and how many registered items hold each shared one. Python sets and dicts of ints cost about
100 bytes an entry, which puts a 10,000-file register (over 20 million fingerprints) past 2 GB; sorted
arrays answer the same questions for a whole file at once with `searchsorted`, and the per-file answers
are small sets and dicts, so the scoring code is unchanged. Fingerprints are 63-bit, so int64 holds them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np


def sorted_unique(values: Iterable[int]) -> np.ndarray:
    return np.unique(np.fromiter(values, dtype=np.int64))


def member(sorted_values: np.ndarray, probe: np.ndarray) -> np.ndarray:
    """Boolean mask: which of `probe` are in `sorted_values` (sorted, unique)."""
    if not len(sorted_values) or not len(probe):
        return np.zeros(len(probe), dtype=bool)
    at = np.searchsorted(sorted_values, probe)
    at[at == len(sorted_values)] = 0
    return sorted_values[at] == probe


class SharedCounts:
    """Fingerprint -> number of registered items holding it (2..max_item_share), as two sorted arrays."""

    __slots__ = ("counts", "keys")

    def __init__(self, keys: np.ndarray, counts: np.ndarray) -> None:
        order = np.argsort(keys, kind="stable")
        self.keys = keys[order]
        self.counts = counts[order]

    def __len__(self) -> int:
        return len(self.keys)

    def values(self) -> list[int]:
        return self.counts.tolist()

    def items(self) -> Iterator[tuple[int, int]]:
        return zip(map(int, self.keys), map(int, self.counts), strict=True)

    def local(self, probe: np.ndarray) -> dict[int, int]:
        """The entries for the fingerprints of `probe` only."""
        if not len(self.keys) or not len(probe):
            return {}
        at = np.searchsorted(self.keys, probe)
        at[at == len(self.keys)] = 0
        found = self.keys[at] == probe
        return dict(zip(probe[found].tolist(), self.counts[at[found]].tolist(), strict=True))


class LiveTables:
    """`hashes`: live fingerprints; `suppressed`: public or held by too many items; `shared`: counts."""

    __slots__ = ("hashes", "shared", "suppressed")

    def __init__(self, hashes: np.ndarray, suppressed: np.ndarray, shared: SharedCounts) -> None:
        self.hashes, self.suppressed, self.shared = hashes, suppressed, shared

    def for_file(self, fps: set[int]) -> tuple[set[int], set[int], dict[int, int]]:
        """(fingerprints the index holds live, suppressed ones, shared counts) among one file's `fps`."""
        probe = np.fromiter(fps, dtype=np.int64, count=len(fps))
        hits = set(probe[member(self.hashes, probe)].tolist())
        suppressed = set(probe[member(self.suppressed, probe)].tolist())
        return hits, suppressed, self.shared.local(probe)
