"""Per-user-day features from normalised events, in one compiled pass, and the baselines built on them.

`group()` reads each day's events as integers: the user, object and destination columns as their 64-bit
keys (keys.py; stored by ingestion, computed on the fly for frames and older stores), the action code,
the local hour, bytes and count. The strings are classified once, over the dictionary's distinct values:
registered carrier (the register's prefilter, then its exact globs), archive names, destination classes
(own, competitor, personal cloud and webmail, job sites, other external), the CRM host. The compiled
loop (kernel.day_sums) then adds every event's flags to its user's row — one read of each event and a few
table look-ups instead of ~100 vectorised passes — and lists the events on registered carriers or that
may explain an alert. Days run on all cores.

`daily()` then turns the grouped rows into a dense user × day table (`FEATURES` columns) with the
registered-carrier columns that need grants (beyond grants, level) and `baselines.add()` adds each user's
own trailing-30-day mean/std and the peer group's, for the metrics in `BASELINED`. The classes of the
strings are in lookups.py.

Cost: O(events) in the compiled pass, O(distinct strings) for the classes, O(users × days) afterwards;
memory ~ one day's events per core plus the users × days table."""

from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import polars as pl

from shangmi.engines.risk import baselines, kernel, lookups, schema
from shangmi.engines.risk import keys as k
from shangmi.engines.risk.context import LEVELS, Context

SUMS = kernel.SUMS  # summed per (user, day); see kernel.py for what each counts
# Added by daily() from the registered-object rows.
REGISTERED = ("registered_objects", "registered_beyond_grants", "registered_level")
FEATURES = SUMS + REGISTERED
BASELINED = baselines.BASELINED
MIN_HISTORY_DAYS = baselines.MIN_HISTORY_DAYS
# kernel.registered_pairs' sums, in its column order
_REG_SUMS = ("registered_events", "usb_registered", "registered_exfil", "registered_renamed")


@dataclass
class Encoded:
    """Events ready for the compiled pass: per day, a frame with SCHEMA and keys.KEY_COLUMNS, and the
    dictionary of their keys."""

    days: dict[dt.date, pl.LazyFrame]
    dictionary: pl.DataFrame


@dataclass
class Grouped:
    """The output of the event pass: per-(user, day) sums and per-(user, day, object) sums for the
    registered carriers touched, with the destinations' classes. Users and objects are integer
    positions (`u`, `o`) into `users` and `objects`."""

    users: pl.Series  # distinct user names, sorted
    objects: pl.Series  # the objects with a class (registered carriers, archives)
    start: dt.date  # the first day on record
    sums: np.ndarray  # SUMS × users × days (int64): day index = days since `start`
    registered: pl.DataFrame  # u, day, o, and the _REG_SUMS
    hits: pl.DataFrame  # the listed events (see _day): registered carriers and possible explanations
    encoded: Encoded  # the events it came from
    destinations: pl.DataFrame  # destination, class flags


def encode(events: pl.LazyFrame) -> Encoded:
    """Keys and dictionary computed from the strings (collects `events` into memory): for frames and
    for store files written before ingestion kept keys."""
    keyed = k.with_keys(events).collect()
    dictionary = k.dictionary(keyed.lazy()).collect()
    days = {key[0]: part.lazy() for key, part in keyed.partition_by("day", as_dict=True).items()}
    return Encoded(days, dictionary)


def _encoded(source) -> Encoded:
    if hasattr(source, "encoded"):
        return source.encoded()
    return encode(source.scan() if hasattr(source, "scan") else source)


def _fixed_shift(context: Context) -> int | None:
    """The zone's offset from UTC in µs when it has no daylight saving, else None."""
    zone = zoneinfo.ZoneInfo(context.timezone)
    offsets = {zone.utcoffset(dt.datetime(2020, m, 1)) for m in (1, 4, 7, 10)}  # noqa: DTZ001
    if len(offsets) != 1:
        return None
    offset = next(iter(offsets))
    assert offset is not None
    return int(offset.total_seconds()) * 1_000_000


_FILE_MASK = kernel.action_mask(k.FILE_ACTIONS)
# the actions whose destination's class counts for something (web visits use the job-site table)
_DESTINATION_MASK = kernel.action_mask(("upload", "email_send", "download", "app_export", "file_rename"))


def _columns(events: pl.LazyFrame, context: Context) -> pl.LazyFrame:
    """What the kernel reads of a day's events."""
    return events.select(
        pl.col("user_key"),
        pl.col("action").to_physical().cast(pl.UInt8),
        pl.col("time").dt.epoch("us"),
        *(
            []
            if _fixed_shift(context) is not None
            else [pl.col("time").dt.convert_time_zone(context.timezone).dt.hour().cast(pl.Int8).alias("hour")]
        ),
        pl.col("bytes").fill_null(-1),  # the kernel counts negatives as 0; explanations show null
        pl.col("count").fill_null(0),
        pl.col("object_key"),
        pl.col("destination_key"),
    )


def _read(days: list[tuple[dt.date, pl.LazyFrame]], context: Context) -> list[tuple[dt.date, pl.DataFrame]]:
    """Several days read at once: polars decodes their files in parallel (one file at a time costs
    about 2.5× the CPU)."""
    frames = pl.collect_all([_columns(events, context) for _, events in days])
    return [(day, frame) for (day, _), frame in zip(days, frames, strict=True)]


def _day(
    day: dt.date, frame: pl.DataFrame, sums: np.ndarray, at: int, look: lookups.Lookups, context: Context
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """One day through the kernel, its sums stored in sums[:, :, at]. Returns the day's listed events
    (registered carriers, possible explanations: u, o, flags, reason, day, and the _LISTED columns) and
    its registered table (_registered), as arrays: polars frames built per day cost more than the
    kernel's own work on the day's listed events."""
    n = frame.height
    out = np.zeros((look.users.len(), len(SUMS)), dtype=np.int64)  # users × SUMS: the kernel's rows
    index = np.empty(n, dtype=np.int32)
    user = np.empty(n, dtype=np.int32)
    obj = np.empty(n, dtype=np.int32)
    flags = np.empty(n, dtype=np.uint8)
    reason = np.empty(n, dtype=np.uint8)
    listed: dict[str, list[np.ndarray]] = {name: [] for name in _LISTED}
    hits = 0
    for col in _chunks(frame):
        found = kernel.day_sums(
            col["user_key"],
            col["action"],
            col["time"],
            _fixed_shift(context) or 0,
            col.get("hour", _NO_HOURS),
            col["bytes"],
            col["count"],
            col["object_key"],
            col["destination_key"],
            look.user_table,
            look.user_index,
            look.object_table,
            look.object_filter,
            look.object_bits,
            look.destination_table,
            look.destination_filter,
            look.destination_bits,
            look.job_table,
            day.isoweekday() >= 6,
            context.work_start_hour,
            context.work_end_hour,
            _FILE_MASK,
            _DESTINATION_MASK,
            out,
            index[hits:],
            user[hits:],
            obj[hits:],
            flags[hits:],
            reason[hits:],
        )
        positions = index[hits : hits + found]  # within this chunk
        for name in _LISTED:
            listed[name].append(col[name][positions])
        hits += found
    if sums.shape[2]:
        sums[:, :, at] = out.T
    day_number = (day - _EPOCH).days
    events = {
        # copies: views would keep the day's full-length scratch arrays alive
        "u": user[:hits].copy(),
        "o": obj[:hits].copy(),
        "flags": flags[:hits].copy(),
        "reason": reason[:hits].copy(),
        "day": np.full(hits, day_number, dtype=np.int32),
        **{
            name: np.concatenate(parts) if parts else frame[name].to_numpy()[:0]
            for name, parts in listed.items()
        },
    }
    return events, _registered(events["u"], events["o"], events["flags"], day_number)


def _registered(u: np.ndarray, o: np.ndarray, flags: np.ndarray, day_number: int) -> dict[str, np.ndarray]:
    """A day's registered table: per (user, registered object), the events and how many of them were
    copies to USB, exfiltrations and renames."""
    users, objects, counts = kernel.registered_pairs(u, o, flags)
    return {
        "u": users,
        "day": np.full(len(users), day_number, dtype=np.int32),
        "o": objects,
        **{name: np.ascontiguousarray(counts[:, k]) for k, name in enumerate(_REG_SUMS)},
    }


def _frame(parts: list[dict[str, np.ndarray]]) -> pl.DataFrame:
    """The days' arrays as one frame, `day` as a date."""
    names = parts[0].keys()
    frame = pl.DataFrame({name: np.concatenate([part[name] for part in parts]) for name in names})
    return frame.with_columns(pl.col("day").cast(pl.Date))


def _chunks(frame: pl.DataFrame) -> list[dict[str, np.ndarray]]:
    """The frame's columns as numpy views, one dict per chunk: a file read in row groups arrives in
    chunks, and making each column contiguous first copied every event once more (~0.5 CPU-s at 50 M
    events)."""
    columns = frame.get_columns()
    lengths = [[len(chunk) for chunk in column.get_chunks()] for column in columns]
    if any(chunk_lengths != lengths[0] for chunk_lengths in lengths):
        columns = frame.rechunk().get_columns()
    parts = [column.get_chunks() for column in columns]
    return [
        {column.name: part[k].to_numpy() for column, part in zip(columns, parts, strict=True)}
        for k in range(len(parts[0]) if parts else 0)
    ]


def group(source, context: Context) -> Grouped:
    """The event pass (see the module docstring). `source` is an EventStore (anything with `encoded()`
    or `scan()`) or a LazyFrame of SCHEMA events."""
    encoded = _encoded(source)
    items = sorted(encoded.days.items())
    start = items[0][0] if items else _EPOCH
    span = (items[-1][0] - start).days + 1 if items else 0
    chunks = [items[i : i + CHUNK_DAYS] for i in range(0, len(items), CHUNK_DAYS)]
    results = []
    # read the next chunk while the kernel runs over this one (and the first while the look-ups are built)
    with ThreadPoolExecutor(1) as reader, ThreadPoolExecutor(KERNEL_THREADS) as pool:
        pending = reader.submit(_read, chunks[0], context) if chunks else None
        look = lookups.build(encoded.dictionary, context)
        sums = np.zeros((len(SUMS), look.users.len(), span), dtype=np.int64)
        for i in range(len(chunks)):
            assert pending is not None
            frames = pending.result()
            if i + 1 < len(chunks):
                pending = reader.submit(_read, chunks[i + 1], context)
            results += pool.map(
                lambda item: _day(item[0], item[1], sums, (item[0] - start).days, look, context), frames
            )
    if not results:
        results = [_day(_EPOCH, _columns(_NO_EVENTS, context).collect(), sums, 0, look, context)]
    return Grouped(
        users=look.users,
        objects=look.objects,
        start=start,
        sums=sums,
        registered=_frame([registered for _, registered in results]),
        hits=_frame([hits for hits, _ in results]),
        encoded=encoded,
        destinations=look.destinations,
    )


_EPOCH = dt.date(1970, 1, 1)
_NO_HOURS = np.zeros(0, dtype=np.int8)
_LISTED = ("time", "action", "bytes", "object_key", "destination_key")  # read again for listed events
_NO_EVENTS = k.with_keys(schema.empty().lazy())
CHUNK_DAYS = 16  # days read at once: ~55 bytes an event in memory, twice (one chunk read ahead)
KERNEL_THREADS = max(1, len(os.sched_getaffinity(0)))


def registered_matches(grouped: Grouped, context: Context) -> pl.DataFrame:
    """One row per (user, day, registered object): the sums, `level` (the highest level among the
    register patterns the object matches) and `granted` (whether one of the user's grants covers it;
    always True when the organisation gave no grants), with `u` and `o` (the user's and the object's
    positions in grouped.users and grouped.objects; names are gathered only where shown: 1.65 M rows
    of user and path strings cost more than the rest of this function). Which patterns matched is recomputed for the few
    alerted users (explain.secrets). Cost: one regex per register entry and per grant pattern over the
    distinct objects; levels and grants are then array look-ups by position (Context.grant_masks)."""
    rows = grouped.registered
    objects = rows.select(pl.col("o").unique()).with_columns(
        object=pl.col("o").map_batches(grouped.objects.gather, return_dtype=pl.String)
    )
    patterns = objects.join(context.match_patterns(objects["object"]), on="object")
    schema = {**dict(rows.schema), "level_rank": pl.Int8(), "level": pl.String(), "granted": pl.Boolean()}
    if patterns.height == 0:
        return pl.DataFrame(schema=schema)
    rank = {level: i for i, level in enumerate(LEVELS)}
    levels = patterns.group_by("o").agg(pl.col("level").replace_strict(rank, return_dtype=pl.Int8).max())
    rank_of = np.full(grouped.objects.len(), -1, dtype=np.int8)
    rank_of[levels["o"].to_numpy()] = levels["level"].to_numpy()
    ranks = rank_of[rows["o"].to_numpy()]
    keep = ranks >= 0
    out = rows.filter(pl.Series(keep)).with_columns(level_rank=pl.Series(ranks[keep]))
    if context.grants is None:
        granted = np.ones(out.height, dtype=bool)
    else:
        # an object is granted when any grant covers it, whichever register pattern matched
        object_masks, user_masks, free = context.grant_masks(grouped.objects, grouped.users)
        u, o = out["u"].to_numpy(), out["o"].to_numpy()
        granted = (object_masks[o] & user_masks[u]).any(axis=1) | free[u]
    names = dict(enumerate(LEVELS))
    return out.with_columns(
        level=pl.col("level_rank").replace_strict(names, return_dtype=pl.String),
        granted=pl.Series(granted),
    )


def daily(grouped: Grouped, context: Context, matches: pl.DataFrame | None = None) -> pl.DataFrame:
    """A dense user × day table: every user from their first to the organisation's last day, zeros where
    nothing happened, with FEATURES columns plus `weekday` (1 = Monday) and `history` (days on record
    before this one), sorted by user and day. Cut from the pass's SUMS × users × days array; the registered
    columns that need grants are placed from the matches by position."""
    if matches is None:
        matches = registered_matches(grouped, context)
    sums = grouped.sums
    users, span = sums.shape[1], sums.shape[2]
    active = sums[kernel.EVENTS] > 0  # users × days
    seen = active.any(axis=1)
    if not seen.any():
        schema = {"user": pl.String, "day": pl.Date, **dict.fromkeys(FEATURES, pl.Int64)}
        return pl.DataFrame(schema={**schema, "weekday": pl.Int8, "history": pl.Int64})
    first = active.argmax(axis=1)
    keep = (np.arange(span)[None, :] >= first[:, None]) & seen[:, None]  # users × days
    flat = np.flatnonzero(keep)  # sorted by user, then day; a take by index is faster than a mask
    u, d = flat // span, flat % span
    position = np.full(users * span, -1, dtype=np.int64)
    position[u.astype(np.int64) * span + d] = np.arange(len(u))
    # matches hold one row per (user, day, object); every matched (user, day) had events, so is kept
    at = position[
        matches["u"].to_numpy().astype(np.int64) * span
        + (matches["day"].cast(pl.Int32).to_numpy() - (grouped.start - _EPOCH).days)
    ]
    level = np.zeros(len(u), dtype=np.int64)
    ranks = matches["level_rank"].to_numpy()
    for r in range(len(LEVELS)):  # the highest level present (bincounts: ufunc.at is slow)
        level[np.bincount(at, weights=ranks == r, minlength=len(u)) > 0] = r + 1
    registered = {
        "registered_objects": np.bincount(at, minlength=len(u)).astype(np.int64),
        "registered_beyond_grants": np.bincount(
            at, weights=~matches["granted"].to_numpy(), minlength=len(u)
        ).astype(np.int64),
        "registered_level": level,
    }
    day = pl.Series("day", d.astype(np.int32) + (grouped.start - _EPOCH).days).cast(pl.Date)
    return pl.DataFrame(
        {
            "user": grouped.users.gather(u),
            "day": day,
            # when every user has every day (the usual case) the rows are the array itself
            **{
                name: sums[i].reshape(-1) if len(flat) == users * span else np.take(sums[i], flat)
                for i, name in enumerate(SUMS)
            },
            **registered,
            "weekday": day.dt.weekday(),
            "history": (d - first[u]).astype(np.int64),
        }
    )


def build(source, context: Context) -> tuple[pl.DataFrame, pl.DataFrame, Grouped]:
    """Everything the scorer needs: (user-day table with baselines, registered matches, grouped rows)."""
    grouped = group(source, context)
    matches = registered_matches(grouped, context)
    table = baselines.add(daily(grouped, context, matches), context.peer_groups)
    return table, matches, grouped
