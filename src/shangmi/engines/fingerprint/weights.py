"""Inverse item frequency: a fingerprint held by d registered items weighs 1/d in containment.

Why: material that several unrelated registered items share (a licence header, a file template, the
`main` boilerplate of a language, a company letterhead) is common, not secret, and a suspect that shares
only it with an item is not evidence of copying that item. Suppression (public corpus, more than
`max_item_share` items) removes the clearly common material; between 2 and N items a fingerprint is
neither unique nor clearly common, so it counts for one item's worth split over the d items that hold it.
A fingerprint held by one item, or found only in the suspect, weighs 1, so an index whose items share
nothing scores exactly as plain containment does.

The weights are a property of the index alone (never of the suspect batch), so a pair scores the same
whatever else is scanned with it. Cost at load: one grouped pass over the postings of shared fingerprints.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from .params import CHANNEL_NAME


def weight(fp: int, shared: dict[int, int]) -> float:
    """The weight of one live fingerprint: 1 / number of registered items that hold it."""
    return 1.0 / shared.get(fp, 1)


def total(fps: Iterable[int], shared: dict[int, int]) -> float:
    """Sum of the weights of distinct fingerprints."""
    return sum(1.0 / shared.get(fp, 1) for fp in fps)


def apply(con: sqlite3.Connection, items: dict, shared: dict[int, int]) -> None:
    """Set `item.weighted[channel]`: the item's distinct live fingerprints of the channel, each weighted.

    Precondition: `item.totals` already excludes suppressed fingerprints; `shared` maps every live
    fingerprint held by 2..max_item_share items to that number."""
    for item in items.values():
        item.weighted = {name: float(n) for name, n in item.totals.items()}
    if not shared:
        return
    con.execute("CREATE TEMP TABLE IF NOT EXISTS shared (hash INTEGER PRIMARY KEY, n INTEGER NOT NULL)")
    con.execute("DELETE FROM temp.shared")
    con.executemany("INSERT INTO temp.shared VALUES (?, ?)", shared.items())
    for iid, channel, lost in con.execute(
        "SELECT item, channel, SUM(1.0 - 1.0 / n) FROM"
        " (SELECT DISTINCT fps.item, fps.channel, fps.hash, shared.n FROM fps JOIN temp.shared"
        " ON fps.hash = shared.hash) GROUP BY item, channel"
    ):
        item = items.get(iid)
        name = CHANNEL_NAME[channel]
        if item is not None and name in item.weighted:
            item.weighted[name] = max(0.0, item.weighted[name] - lost)
