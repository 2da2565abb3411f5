"""Each user's own and the peer group's recent normal, for the metrics that are judged against it.

Over daily()'s table: dense from each user's first day to the last, sorted by user and day, so a user's
days are one run of rows and a trailing window is a difference of running sums. The windows are computed
by one compiled loop per metric (numba; the metrics run on several threads): as numpy array arithmetic
the same sums took ~0.8 s at 730,000 user-days, most of it in temporaries and 2-D fancy indexing."""

from __future__ import annotations

import datetime as dt
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import polars as pl
from numba import njit

BASELINE_DAYS = 30
MIN_HISTORY_DAYS = 14  # a user's own baseline needs this many earlier days on record
MIN_PEERS = 5  # a peer group needs this many members to be a reference
BASELINED = ("exfil_items", "print_pages", "offhours_sensitive", "registered_objects", "customer_records")
_EPOCH = dt.date(1970, 1, 1)
_THREADS = max(1, len(os.sched_getaffinity(0)))


@njit(cache=True, nogil=True)
def _running(x, group_codes, day_index, n_groups, span):  # pragma: no cover - compiled
    """[g, d] = the sum of `x` over group g's rows on days before d (x None: the number of rows)."""
    sums = np.zeros((n_groups, span + 1), dtype=np.int64)
    for i in range(len(group_codes)):
        sums[group_codes[i], day_index[i] + 1] += 1 if x is None else x[i]
    for g in range(n_groups):
        for d in range(1, span + 1):
            sums[g, d] += sums[g, d - 1]
    return sums


@njit(cache=True, nogil=True)
def _windows(  # pragma: no cover - compiled
    x, block_start, enough, day_index, group_codes, usable_group, members, n_groups, span, window, out
):
    """out[0..3] = self mean, self std, peer mean, peer std of `x` over the previous `window` days (NaN
    where there is no baseline). The same integer sums and float operations, in the same order, as the
    array formulas they replace, so the figures are identical."""
    rows = len(x)
    squares = x * x
    s1 = np.zeros(rows + 1, dtype=np.int64)
    s2 = np.zeros(rows + 1, dtype=np.int64)
    for i in range(rows):
        s1[i + 1] = s1[i] + x[i]
        s2[i + 1] = s2[i] + squares[i]
    g1 = _running(x, group_codes, day_index, n_groups, span)
    g2 = _running(squares, group_codes, day_index, n_groups, span)
    for i in range(rows):
        first = max(block_start[i], i - window)
        count = i - first
        if enough[i] and count > 0:
            mean = (s1[i] - s1[first]) / count
            square = (s2[i] - s2[first]) / count
            out[0, i] = mean
            out[1, i] = np.sqrt(max(square - mean * mean, 0.0))
        else:
            out[0, i] = np.nan
            out[1, i] = np.nan
        g, d = group_codes[i], day_index[i]
        lo = max(d - window, 0)
        n = members[g, d] - members[g, lo]
        if usable_group[g] and n > 0:
            p1 = (g1[g, d] - g1[g, lo]) / n
            p2 = (g2[g, d] - g2[g, lo]) / n
            out[2, i] = p1
            out[3, i] = np.sqrt(max(p2 - p1 * p1, 0.0))
        else:
            out[2, i] = np.nan
            out[3, i] = np.nan


def add(table: pl.DataFrame, peer_groups: dict[str, str]) -> pl.DataFrame:
    """Add, for each metric m in BASELINED: `m_self_mean`, `m_self_std` (the user's previous 30 days,
    null before MIN_HISTORY_DAYS of history) and `m_peer_mean`, `m_peer_std` (all members of the user's
    peer group over the previous 30 days; null when the group has fewer than MIN_PEERS members), and
    `peer_group`. `table` is daily()'s: dense, sorted by user and day, so a user's days are one run of
    rows and a window is a difference of running sums (integers, so exact).
    Cost: O(users × days)."""
    rows = table.height
    groups = pl.Series(
        "peer_group", [peer_groups.get(u, "") for u in table["user"].unique(maintain_order=True)]
    )
    users = table["user"].rle()  # runs: one per user, in order
    lengths = users.struct.field("len").to_numpy().astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]) if rows else np.zeros(0, np.int64)
    block_start = np.repeat(starts, lengths)  # per row: the first row of its user
    enough = table["history"].to_numpy() >= MIN_HISTORY_DAYS
    day_index = (table["day"] - (table["day"].min() or _EPOCH)).dt.total_days().to_numpy().astype(np.int64)
    span = int(day_index.max()) + 1 if rows else 0
    names, codes = np.unique(np.array(groups.to_list(), dtype=object), return_inverse=True)
    codes = codes.astype(np.int64)
    group_codes = np.repeat(codes, lengths)
    n_groups = len(names)
    sizes = np.bincount(codes, minlength=n_groups)
    usable_group = (sizes >= MIN_PEERS) & np.array([name != "" for name in names], dtype=bool)
    members = _running(None, group_codes, day_index, n_groups, span)  # member-days before each day

    def windows(metric: str) -> np.ndarray:
        out = np.empty((4, rows), dtype=np.float64)
        x = np.ascontiguousarray(table[metric].to_numpy(), dtype=np.int64)
        _windows(
            x,
            block_start,
            enough,
            day_index,
            group_codes,
            usable_group,
            members,
            n_groups,
            span,
            BASELINE_DAYS,
            out,
        )
        return out

    with ThreadPoolExecutor(_THREADS) as pool:
        computed = dict(zip(BASELINED, pool.map(windows, BASELINED), strict=True))
    suffixes = ("self_mean", "self_std", "peer_mean", "peer_std")
    return table.with_columns(
        pl.Series(
            "peer_group", groups.to_numpy()[np.repeat(np.arange(len(lengths)), lengths)], dtype=pl.String
        ),
        *(
            pl.Series(f"{m}_{suffix}", values[k]).fill_nan(None)
            for m, values in computed.items()
            for k, suffix in enumerate(suffixes)
        ),
    )
