"""Per-suspect facts of a winnowed channel that do not depend on the registered item, computed once.

A scanned file typically shares fingerprints with tens to hundreds of registered items (structure common to
many programs), and `match.score_pair` runs once per (file, item) pair. The set of the file's live
fingerprints, their weighted total and where each fingerprint sits in the stream are the same for every
item, so they are computed on first use and reused for the file's other pairs. The values are built by the
same expressions in the same order as before, so scores are bit-identical.

Valid for one (Document, suppressed set, item-frequency map): a scan builds one `SuspectCache` per file.
Cost: O(n) per channel once, instead of O(n) per pair.
"""

from __future__ import annotations

from collections import defaultdict

from . import weights
from .document import Channel


class SuspectChannel:
    """`valid`: live (non-suppressed) distinct fingerprints; `weight`: their weighted total;
    `where[fp]`: stream indices (increasing) at which `fp` was taken."""

    __slots__ = ("valid", "weight", "where")

    def __init__(self, ch: Channel, suppressed: set[int], shared_items: dict[int, int]) -> None:
        self.valid = {fp for fp in ch.fps if fp not in suppressed}
        self.weight = weights.total(self.valid, shared_items)
        where: dict[int, list[int]] = defaultdict(list)
        for i, fp in enumerate(ch.fps):
            where[fp].append(i)
        self.where = where

    def indices(self, fps: set[int]) -> list[int]:
        """Sorted stream indices of every occurrence of the fingerprints `fps`."""
        where = self.where
        return sorted(i for fp in fps for i in where[fp])


class SuspectCache(dict):
    """channel name -> SuspectChannel of one Document, filled on first use."""

    def get_channel(
        self, name: str, ch: Channel, suppressed: set[int], shared_items: dict[int, int]
    ) -> SuspectChannel:
        view = self.get(name)
        if view is None:
            view = self[name] = SuspectChannel(ch, suppressed, shared_items)
        return view
