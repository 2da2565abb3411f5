"""Each user's own and the peer group's recent normal, for the metrics that are judged against it.

Over daily()'s table: dense from each user's first day to the last, sorted by user and day, so a user's
days are one run of rows and a trailing window is a difference of running sums."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

BASELINE_DAYS = 30
MIN_HISTORY_DAYS = 14  # a user's own baseline needs this many earlier days on record
MIN_PEERS = 5  # a peer group needs this many members to be a reference
BASELINED = ("exfil_items", "print_pages", "offhours_sensitive", "registered_objects", "customer_records")
_EPOCH = dt.date(1970, 1, 1)


def add(table: pl.DataFrame, peer_groups: dict[str, str]) -> pl.DataFrame:
    """Add, for each metric m in BASELINED: `m_self_mean`, `m_self_std` (the user's previous 30 days,
    null before MIN_HISTORY_DAYS of history) and `m_peer_mean`, `m_peer_std` (all members of the user's
    peer group over the previous 30 days; null when the group has fewer than MIN_PEERS members), and
    `peer_group`. `table` is daily()'s: dense, sorted by user and day, so a user's days are one run of
    rows and a window is a difference of running sums (integers, so exact).
    Cost: O(users × days) array arithmetic."""
    rows = table.height
    groups = pl.Series(
        "peer_group", [peer_groups.get(u, "") for u in table["user"].unique(maintain_order=True)]
    )
    users = table["user"].rle()  # runs: one per user, in order
    lengths = users.struct.field("len").to_numpy().astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if rows else np.zeros(0, np.int64)
    block_start = np.repeat(starts, lengths)  # per row: the first row of its user
    position = np.arange(rows, dtype=np.int64)
    first = np.maximum(block_start, position - BASELINE_DAYS)  # the window's first row
    count = position - first  # previous days in the window (0 on a user's first day)
    enough = table["history"].to_numpy() >= MIN_HISTORY_DAYS
    day_index = (table["day"] - (table["day"].min() or _EPOCH)).dt.total_days().to_numpy().astype(np.int64)
    span = int(day_index.max()) + 1 if rows else 0
    names, codes = np.unique(np.array(groups.to_list(), dtype=object), return_inverse=True)
    codes = codes.astype(np.int64)
    group_codes = np.repeat(codes, lengths)
    n_groups = len(names)
    sizes = np.bincount(codes, minlength=n_groups)
    valid_group = (sizes >= MIN_PEERS) & np.array([name != "" for name in names], dtype=bool)
    cells = group_codes * (span + 1) + day_index + 1  # (group, day + 1), flattened

    def per_group_day(weights) -> np.ndarray:
        """Running sums over days of `weights` summed per group and day: [g, d] = days before d."""
        sums = np.bincount(cells, weights=weights, minlength=n_groups * (span + 1))
        return np.cumsum(np.rint(sums).astype(np.int64).reshape(n_groups, span + 1), axis=1)

    members = per_group_day(None)  # members on record
    lo = np.maximum(day_index - BASELINE_DAYS, 0)
    peer_n = members[group_codes, day_index] - members[group_codes, lo]  # member-days d-30 … d-1
    peer_ok = valid_group[group_codes] & (peer_n > 0)
    out = {}
    for m in BASELINED:
        x = table[m].to_numpy().astype(np.int64)
        s1 = np.concatenate([[0], np.cumsum(x)])
        s2 = np.concatenate([[0], np.cumsum(x * x)])
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (s1[position] - s1[first]) / count
            square = (s2[position] - s2[first]) / count
            ok = enough & (count > 0)
            out[f"{m}_self_mean"] = np.where(ok, mean, np.nan)
            out[f"{m}_self_std"] = np.where(ok, np.sqrt(np.clip(square - mean * mean, 0, None)), np.nan)
            g1, g2 = per_group_day(x), per_group_day(x * x)
            p1 = (g1[group_codes, day_index] - g1[group_codes, lo]) / peer_n
            p2 = (g2[group_codes, day_index] - g2[group_codes, lo]) / peer_n
            out[f"{m}_peer_mean"] = np.where(peer_ok, p1, np.nan)
            out[f"{m}_peer_std"] = np.where(peer_ok, np.sqrt(np.clip(p2 - p1 * p1, 0, None)), np.nan)
    return table.with_columns(
        pl.Series(
            "peer_group", groups.to_numpy()[np.repeat(np.arange(len(lengths)), lengths)], dtype=pl.String
        ),
        *(pl.Series(name, values).fill_nan(None) for name, values in out.items()),
    )
