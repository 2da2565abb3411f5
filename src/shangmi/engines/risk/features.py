"""Per-user-day features from normalised events, in one streaming pass, and the baselines built on them.

`build()` reads the events twice at most: a cheap pass over the `destination` column alone (its distinct
values are few: domains, devices, printers) to classify destinations with regexes, then ONE streaming
group-by over (user, day, registered object) that sums per-event flags. Rows whose object is not a
registered carrier fall into the (user, day, null) group, so the result is about one row per user-day
plus one per (user, day, registered file touched) — small however many events there are.

Flags per event (all vectorised polars expressions, no Python per row):
registered carrier (a regex of short plain literals, the register's prefilter, over the objects of
file-like actions; exact glob matching runs later on the distinct candidates), destination classes
(exact `is_in` look-ups into the classified distinct destinations), off-hours (local hour from the UTC
time by integer arithmetic for fixed-offset zones), archives (.zip/.7z/.rar… written), customer records
(downloads/exports from the CRM host).

`daily()` then turns the grouped rows into a dense user × day table (`FEATURES` columns) with the
registered-carrier columns that need grants (beyond grants, level) and `baselines()` adds each user's own
trailing-30-day mean/std and the peer group's, for the metrics in `BASELINED`.

Cost: O(events) in the group-by (streaming; memory ~ users × days), O(users × days) afterwards."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass

import polars as pl

from shangmi.engines.risk import destinations as d
from shangmi.engines.risk.context import LEVELS, Context

FILE_ACTIONS = (
    "file_open",
    "file_copy",
    "file_write",
    "usb_copy",
    "upload",
    "download",
    "email_send",
    "print",
    "app_export",
    "file_rename",
)
ARCHIVE_RE = r"(?i)\.(?:zip|7z|rar|tar|gz|tgz|bz2|xz|cab|iso)\s*(?:$|[;|,(])"
# an archive written, or a file renamed to an archive's name (end-anchored, so the regex engine searches
# from the end). Renaming a registered carrier (to anything) is the other obfuscation step
# (`registered_renamed`): CERT r6 records no renames, DLP exports and JSON Lines logs may.
OBFUSCATION_RE = r"(?i)\.(?:zip|7z|rar|tar|gz|tgz|bz2|xz|cab|iso)$"
BASELINE_DAYS = 30
MIN_HISTORY_DAYS = 14  # a user's own baseline needs this many earlier days on record
MIN_PEERS = 5  # a peer group needs this many members to be a reference

# Summed per (user, day). Counts are events unless the name says bytes, pages or records.
SUMS = (
    "events",
    "offhours_events",  # before work_start_hour, from work_end_hour, or on a weekend
    "offhours_sensitive",  # off-hours events on registered carriers, leaving files, or USB attaches
    "registered_events",  # any file-like action on a registered carrier
    "usb_copies",
    "usb_registered",  # usb_copy of a registered carrier
    "cloud_personal_uploads",
    "cloud_personal_bytes",
    "cloud_own_uploads",
    "webmail_personal_with_attachments",  # e-mail with attachments to personal mail, or webmail uploads
    "competitor_mails",  # e-mails (or uploads) to a competitor's domain
    "external_attachments",  # other e-mails with attachments / uploads leaving the organisation
    "prints",
    "print_pages",
    "archives_created",  # archives written (.zip/.7z/.rar …), or files renamed to an archive's name
    "registered_renamed",  # registered carriers renamed or moved (the old path is registered)
    "customer_records",
    "job_site_visits",
    "exfil_items",  # files or attachments that left: USB + external uploads + external attachments
    "exfil_bytes",
    "registered_exfil",  # registered carriers among them
)
# Added by daily() from the registered-object rows.
REGISTERED = ("registered_objects", "registered_beyond_grants", "registered_level")
FEATURES = SUMS + REGISTERED
BASELINED = ("exfil_items", "print_pages", "offhours_sensitive", "registered_objects", "customer_records")


@dataclass
class Grouped:
    """The output of the streaming pass: per-(user, day) sums and per-(user, day, object) sums for the
    registered carriers touched, with the destinations' classes that were used."""

    days: pl.DataFrame  # user, day, SUMS
    registered: pl.DataFrame  # user, day, object, and the _REG_SUMS
    destinations: pl.DataFrame  # destination, class flags


def _events(source) -> pl.LazyFrame:
    return source.scan() if hasattr(source, "scan") else source


def destination_table(events: pl.LazyFrame, context: Context) -> pl.DataFrame:
    """Distinct destinations with their class flags (destinations.flags), `crm`, and `archive` (a
    rename's new name that is an archive). Cost: one streaming pass over the destination column; regexes
    over the distinct values only."""
    values = events.select(pl.col("destination").unique()).collect(engine="streaming")["destination"]
    table = context.destination_flags(values)
    return table.with_columns(
        crm=pl.col("destination").str.contains(context.crm_regex()),
        archive=pl.col("destination").str.contains(OBFUSCATION_RE),
    )


_HASH_SEED = 0x5A6D  # any fixed seed; hashes are compared only within one run


def _in(column: str, table: pl.DataFrame, flag: str) -> pl.Expr:
    """Whether `column` (a destination) is one of the table's values with `flag` set."""
    values = table.filter(pl.col(flag))["destination"]
    if values.len() == 0:
        return pl.lit(False)
    return pl.col(column).is_in(values.implode())


def _hashed_in(hashes: str, table: pl.DataFrame, flag: str) -> pl.Expr:
    """Like `_in` on the 64-bit hashes of the destinations (column `hashes`): an integer look-up instead
    of a string one, about twice as fast. A false match needs a 64-bit collision between two distinct
    destinations of one store (probability ~ distinct² / 2^64, below 10^-10 for a million)."""
    values = table.filter(pl.col(flag))["destination"]
    if values.len() == 0:
        return pl.lit(False)
    return pl.col(hashes).is_in(values.hash(_HASH_SEED).implode())


def _local_hour(context: Context) -> pl.Expr:
    zone = zoneinfo.ZoneInfo(context.timezone)
    offsets = {zone.utcoffset(dt.datetime(2020, m, 1)) for m in (1, 4, 7, 10)}  # noqa: DTZ001
    if len(offsets) == 1:
        offset = next(iter(offsets))
        assert offset is not None
        shift = int(offset.total_seconds()) * 1_000_000
        micros = pl.col("time").dt.epoch("us") + shift
        return ((micros // 3_600_000_000) % 24).cast(pl.Int8)
    return pl.col("time").dt.convert_time_zone(context.timezone).dt.hour()


def event_flags(events: pl.LazyFrame, context: Context, table: pl.DataFrame) -> pl.LazyFrame:
    """Per-event integer columns (one per SUMS name) and `reg_object` (the object when it may be a
    registered carrier, else null); no rows are dropped. The registered columns come from the register's
    prefilter (a superset); `daily()` recomputes them exactly from the few candidate objects.
    Cost: a plain-literal regex search per event (register prefilter), an end-anchored one (archives),
    integer look-ups of the destination's hash for its classes; each base flag is computed once
    (two projection stages)."""
    action = pl.col("action")
    register = context.prefilter_regex()
    obj = pl.col("object")
    writes = action.is_in(("file_write", "file_copy", "usb_copy"))
    base = events.select(
        "user",
        "day",
        "action",
        pl.col("bytes").fill_null(0).clip(0).alias("_bytes"),
        pl.col("count").fill_null(0).clip(0).alias("_count"),
        _local_hour(context).alias("_hour"),
        (pl.col("day").dt.weekday() >= 6).alias("_weekend"),
        (
            (obj.str.contains(register) & action.is_in(FILE_ACTIONS)).fill_null(False)
            if register
            else pl.lit(False)
        ).alias("_reg"),
        # searches over every row, masked by the action afterwards: cheaper than building a masked
        # string column first (when/then)
        (obj.str.contains(OBFUSCATION_RE) & writes).fill_null(False).alias("_obfuscation"),
        "object",
        pl.col("destination").hash(_HASH_SEED).alias("_dest_hash"),
    ).with_columns(
        *(_hashed_in("_dest_hash", table, name).alias(f"_{name}") for name in _CLASS_FLAGS),
    )
    c = pl.col
    upload, mail_send, usb = action == "upload", action == "email_send", action == "usb_copy"
    rename = action == "file_rename"
    attachments = mail_send & (c("_count") > 0)
    leaves = c("_personal_cloud") | c("_personal_webmail") | c("_competitor") | c("_external")
    staged = base.with_columns(
        _cloud_up=upload & c("_personal_cloud") & ~c("_own"),
        _webmail=(attachments & (c("_personal_cloud") | c("_personal_webmail")))
        | (upload & c("_personal_webmail") & ~c("_personal_cloud")),
        _to_comp=(mail_send | upload) & c("_competitor"),
        _exfil=usb | ((upload | attachments) & leaves),
        _items=pl.when(attachments).then(c("_count")).otherwise(1),
        _off=(c("_hour") < context.work_start_hour) | (c("_hour") >= context.work_end_hour) | c("_weekend"),
    )
    flags = {
        "offhours_events": c("_off"),
        "offhours_sensitive": c("_off") & (c("_reg") | c("_exfil") | (action == "usb_connect")),
        "registered_events": c("_reg"),
        "usb_copies": usb,
        "usb_registered": usb & c("_reg"),
        "cloud_personal_uploads": c("_cloud_up"),
        "cloud_personal_bytes": pl.when(c("_cloud_up")).then(c("_bytes")).otherwise(0),
        "cloud_own_uploads": upload & c("_own") & ~leaves,
        "webmail_personal_with_attachments": c("_webmail"),
        "competitor_mails": c("_to_comp"),
        "external_attachments": ((attachments | upload) & leaves)
        & ~c("_cloud_up")
        & ~c("_webmail")
        & ~c("_to_comp"),
        "prints": action == "print",
        "print_pages": pl.when(action == "print").then(pl.max_horizontal(c("_count"), 1)).otherwise(0),
        "archives_created": c("_obfuscation") | (rename & c("_archive")),
        "registered_renamed": rename & c("_reg"),
        "customer_records": pl.when(action.is_in(("download", "app_export")) & c("_crm"))
        .then(pl.max_horizontal(c("_count"), 1))
        .otherwise(0),
        "job_site_visits": (action == "web_visit") & c("_job_site"),
        "exfil_items": pl.when(c("_exfil")).then(c("_items")).otherwise(0),
        "exfil_bytes": pl.when(c("_exfil")).then(c("_bytes")).otherwise(0),
        "registered_exfil": c("_exfil") & c("_reg"),
    }
    # narrow types: the streaming group-by's cost grows with the bytes it sums (sums widen to Int64)
    wide = {"exfil_bytes": pl.Int64, "cloud_personal_bytes": pl.Int64}
    counts = {"print_pages": pl.Int32, "customer_records": pl.Int32, "exfil_items": pl.Int32}
    return staged.select(
        "user",
        "day",
        pl.when(c("_reg")).then(c("object")).alias("reg_object"),
        *(
            expr.cast(wide.get(name) or counts.get(name) or pl.UInt8).alias(name)
            for name, expr in flags.items()
        ),
    )


_CLASS_FLAGS = (
    d.OWN,
    d.COMPETITOR,
    d.PERSONAL_CLOUD,
    d.PERSONAL_WEBMAIL,
    d.JOB_SITE,
    d.EXTERNAL,
    "crm",
    "archive",
)
_REG_SUMS = ("registered_events", "usb_registered", "registered_exfil", "registered_renamed")


def group(source, context: Context) -> Grouped:
    """The streaming pass (see the module docstring). `source` is an EventStore (anything with `scan()`)
    or a LazyFrame of SCHEMA events."""
    events = _events(source)
    table = destination_table(events, context)
    flagged = event_flags(events, context, table)
    grouped = (
        flagged.group_by("user", "day", "reg_object")
        .agg(
            pl.len().cast(pl.Int64).alias("events"),
            *(pl.col(name).sum() for name in SUMS if name != "events"),
        )
        .collect(engine="streaming")
    )
    days = grouped.group_by("user", "day").agg(pl.col(name).sum() for name in SUMS)
    registered = grouped.filter(pl.col("reg_object").is_not_null()).select(
        "user",
        "day",
        pl.col("reg_object").alias("object"),
        "registered_events",
        "usb_registered",
        "registered_exfil",
        "registered_renamed",
    )
    return Grouped(days=days, registered=registered, destinations=table)


def registered_matches(grouped: Grouped, context: Context) -> pl.DataFrame:
    """One row per (user, day, registered object): the sums, `level` (the highest level among the
    register patterns the object matches) and `granted` (whether one of the user's grants covers it;
    always True when the organisation gave no grants). Candidates of the prefilter that match no pattern
    are dropped here. Which patterns matched is recomputed for the few alerted users (explain.secrets).
    Cost: one regex per register entry over the distinct candidate objects, joins over the rows."""
    rows = grouped.registered
    patterns = context.match_patterns(rows["object"].unique())
    if patterns.height == 0:
        schema = dict(rows.schema)
        schema.update(level=pl.String(), granted=pl.Boolean())
        return pl.DataFrame(schema=schema)
    rank = {level: i for i, level in enumerate(LEVELS)}
    levels = patterns.group_by("object").agg(
        pl.col("level").replace_strict(rank, return_dtype=pl.Int8).max().alias("_rank")
    )
    out = rows.join(levels, on="object").with_columns(
        level=pl.col("_rank").replace_strict(dict(enumerate(LEVELS)), return_dtype=pl.String)
    )
    if context.grants is None:
        return out.drop("_rank").with_columns(granted=pl.lit(True))
    pairs = out.select("user", "object").unique().join(patterns.select("object", "pattern"), on="object")
    pairs = pairs.with_columns(granted=context.granted(pairs))
    # an object is granted when any grant covers it, whichever register pattern matched
    covered = pairs.group_by("user", "object").agg(pl.col("granted").any())
    return out.drop("_rank").join(covered, on=["user", "object"], how="left")


def daily(grouped: Grouped, context: Context, matches: pl.DataFrame | None = None) -> pl.DataFrame:
    """A dense user × day table: every user from their first to the organisation's last day, zeros where
    nothing happened, with FEATURES columns plus `weekday` (1 = Monday) and `history` (days on record
    before this one)."""
    if matches is None:
        matches = registered_matches(grouped, context)
    rank = {level: i + 1 for i, level in enumerate(LEVELS)}
    per_day = matches.group_by("user", "day").agg(  # one row per (user, day, object)
        *(pl.col(name).sum() for name in _REG_SUMS),
        pl.len().cast(pl.Int64).alias("registered_objects"),
        (~pl.col("granted")).sum().cast(pl.Int64).alias("registered_beyond_grants"),
        pl.col("level").replace_strict(rank, return_dtype=pl.Int64).max().alias("registered_level"),
    )
    days = grouped.days
    if days.height == 0:
        schema = {"user": pl.String, "day": pl.Date, **dict.fromkeys(FEATURES, pl.Int64)}
        return pl.DataFrame(schema={**schema, "weekday": pl.Int8, "history": pl.Int64})
    end = days["day"].max()
    spans = days.group_by("user").agg(pl.col("day").min().alias("first"))
    grid = spans.select(
        "user", pl.date_ranges(pl.col("first"), pl.lit(end)).alias("day"), pl.col("first")
    ).explode("day")
    table = (
        grid.join(days.drop(_REG_SUMS), on=["user", "day"], how="left")
        .join(per_day, on=["user", "day"], how="left")
        .with_columns(pl.col(name).fill_null(0).cast(pl.Int64) for name in FEATURES)
        .with_columns(
            weekday=pl.col("day").dt.weekday(),
            history=(pl.col("day") - pl.col("first")).dt.total_days(),
        )
        .drop("first")
        .sort("user", "day")
    )
    return table


def baselines(table: pl.DataFrame, peer_groups: dict[str, str]) -> pl.DataFrame:
    """Add, for each metric m in BASELINED: `m_self_mean`, `m_self_std` (the user's previous 30 days,
    null before MIN_HISTORY_DAYS of history) and `m_peer_mean`, `m_peer_std` (all members of the user's
    peer group over the previous 30 days; null when the group has fewer than MIN_PEERS members).
    Cost: rolling sums over the users × days table."""
    groups = pl.DataFrame(
        {"user": list(peer_groups), "peer_group": list(peer_groups.values())},
        schema={"user": pl.String, "peer_group": pl.String},
    )
    table = table.join(groups, on="user", how="left").with_columns(pl.col("peer_group").fill_null(""))
    w = BASELINE_DAYS
    self_exprs = []
    for m in BASELINED:
        x = pl.col(m).cast(pl.Float64)
        mean = x.rolling_mean(w, min_samples=1).shift(1).over("user")
        sq = (x * x).rolling_mean(w, min_samples=1).shift(1).over("user")
        enough = pl.col("history") >= MIN_HISTORY_DAYS
        self_exprs += [
            pl.when(enough).then(mean).alias(f"{m}_self_mean"),
            pl.when(enough).then((sq - mean * mean).clip(0).sqrt()).alias(f"{m}_self_std"),
        ]
    table = table.with_columns(self_exprs)
    size = groups.group_by("peer_group").len("peers")
    sums = (
        table.group_by("peer_group", "day")
        .agg(
            pl.len().alias("_n"),
            *(pl.col(m).cast(pl.Float64).sum().alias(f"_{m}_s1") for m in BASELINED),
            *((pl.col(m).cast(pl.Float64) ** 2).sum().alias(f"_{m}_s2") for m in BASELINED),
        )
        .sort("peer_group", "day")
    )
    cols = ["_n"] + [f"_{m}_s{k}" for m in BASELINED for k in (1, 2)]
    sums = sums.with_columns(
        pl.col(c).rolling_sum_by("day", window_size=f"{w}d").shift(1).over("peer_group").alias(c)
        for c in cols
    )
    peer = []
    for m in BASELINED:
        mean = pl.col(f"_{m}_s1") / pl.col("_n")
        var = pl.col(f"_{m}_s2") / pl.col("_n") - mean * mean
        peer += [mean.alias(f"{m}_peer_mean"), var.clip(0).sqrt().alias(f"{m}_peer_std")]
    sums = sums.join(size, on="peer_group", how="left").select(
        "peer_group",
        "day",
        *(pl.when((pl.col("peers") >= MIN_PEERS) & (pl.col("peer_group") != "")).then(e) for e in peer),
    )
    return table.join(sums, on=["peer_group", "day"], how="left")


def build(source, context: Context) -> tuple[pl.DataFrame, pl.DataFrame, Grouped]:
    """Everything the scorer needs: (user-day table with baselines, registered matches, grouped rows)."""
    grouped = group(source, context)
    matches = registered_matches(grouped, context)
    table = baselines(daily(grouped, context, matches), context.peer_groups)
    return table, matches, grouped
