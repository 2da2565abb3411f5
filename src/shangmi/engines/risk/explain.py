"""What an alert shows besides its numbers: the events behind it and the registered secrets involved.

`top_events` picks from the events the feature pass listed (those on registered carriers or with a reason
below), for the alerted users within their windows, and keeps at most 20 events a user, interleaving the
reasons so one noisy channel does not hide the others. `secrets` summarises the registered-carrier
matches already computed by the feature builder. Cost: O(listed events + matches)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from shangmi.engines.risk import kernel, keys
from shangmi.engines.risk.context import LEVEL_LABELS, LEVELS, Context
from shangmi.engines.risk.features import Grouped
from shangmi.engines.risk.schema import ACTIONS

MAX_EVENTS = 20
PER_REASON = 5
MAX_SECRETS = 20

# reason -> (label_zh, label_en, the indicator it supports); order = priority
REASONS: dict[str, tuple[str, str, str]] = {
    "usb_registered": (
        "登记载体拷贝至移动介质",
        "registered carrier copied to removable media",
        "usb_registered",
    ),
    "competitor": ("发往竞争对手", "sent to a competitor", "competitor_mail"),
    "personal_cloud": ("上传个人网盘", "uploaded to a personal cloud drive", "personal_cloud_upload"),
    "personal_webmail": ("发往个人邮箱", "sent to personal webmail", "personal_email_attachments"),
    "customer_records": ("下载客户记录", "customer record downloaded", "customer_records"),
    "archive": ("打包", "archive written", "sequence"),
    "rename": ("改名", "renamed or moved", "sequence"),
    "beyond_grants": (
        "超出知悉范围访问登记载体",
        "registered carrier beyond grants",
        "registered_beyond_grants",
    ),
    "usb_copy": ("拷贝至移动介质", "copied to removable media", "volume_vs_self"),
    "external": ("带附件外发", "sent outside with attachments", "cumulative_exfil"),
    "print": ("打印", "printed", "print_volume"),
    "job_site": ("访问招聘网站", "job site visited", "job_search"),
}


def top_events(
    grouped: Grouped,
    windows: pl.DataFrame,
    contributing: pl.DataFrame,
    context: Context,
    matches: pl.DataFrame,
) -> dict[str, list[dict]]:
    """user -> up to MAX_EVENTS events of the user's alert window that support a contributing indicator.
    `windows`: user, start, end (dates); `contributing`: user, indicator (keys with contribution > 0).
    The candidates are the events the feature pass listed (grouped.hits); their strings come from the
    key dictionary, and only a web visit's URL (not in the dictionary) is read from its day's events."""
    if windows.height == 0:
        return {}
    windows = _positions(grouped, windows)
    reasons = {i: name or None for i, name in enumerate(kernel.REASONS)}
    beyond = matches.filter(~pl.col("granted")).select("u", "o").unique().with_columns(_beyond=pl.lit(True))
    frame = (
        grouped.hits.join(windows, on="u", maintain_order="left")
        .filter(pl.col("day").is_between(pl.col("start"), pl.col("end")))
        .join(beyond, on=["u", "o"], how="left")
        .with_columns(
            reason=pl.col("reason").replace_strict(reasons, return_dtype=pl.String),
            _reg=(pl.col("flags") & kernel.FLAG_REGISTERED) > 0,
        )
        .with_columns(
            reason=pl.when((pl.col("reason") == "usb_copy") & pl.col("_reg"))
            .then(pl.lit("usb_registered"))
            .when(pl.col("reason").is_null() & pl.col("_beyond").fill_null(False))
            .then(pl.lit("beyond_grants"))
            .otherwise(pl.col("reason"))
        )
        .filter(pl.col("reason").is_not_null())
    )
    indicator = pl.col("reason").replace_strict({k: v[2] for k, v in REASONS.items()}, return_dtype=pl.String)
    order = pl.col("reason").replace_strict({k: i for i, k in enumerate(REASONS)}, return_dtype=pl.Int64)
    frame = (
        frame.with_columns(indicator=indicator, _order=order)
        .join(contributing, on=["user", "indicator"], how="semi")
        .sort("user", "_order", "time", maintain_order=True)
        .with_columns(_rank=pl.int_range(pl.len()).over("user", "reason"))
        .filter(pl.col("_rank") < MAX_EVENTS)
        .sort("user", pl.col("_rank") // PER_REASON, "_order", "time", maintain_order=True)
        .with_columns(_n=pl.int_range(pl.len()).over("user"))
        .filter(pl.col("_n") < MAX_EVENTS)
    )
    frame = _strings(frame, grouped)
    zone = context.timezone
    out: dict[str, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        zh, en, _ = REASONS[row["reason"]]
        time: dt.datetime = row["time"]
        out.setdefault(row["user"], []).append(
            {
                "time": time.astimezone(_zone(zone)).isoformat(),
                "action": row["action"],
                "object": row["object"],
                "destination": row["destination"],
                "bytes": row["bytes"],
                "reason": row["reason"],
                "reason_zh": zh,
                "reason_en": en,
            }
        )
    return out


def _positions(grouped: Grouped, windows: pl.DataFrame) -> pl.DataFrame:
    """The windows (user, start, end) with each user's position `u` in grouped.users."""
    positions = pl.DataFrame({"user": grouped.users, "u": pl.int_range(grouped.users.len(), eager=True)})
    return windows.join(positions.with_columns(pl.col("u").cast(pl.Int32)), on="user")


def _strings(frame: pl.DataFrame, grouped: Grouped) -> pl.DataFrame:
    """The chosen events with time, action, object and destination as values (from the dictionary;
    web visits' URLs from their days' events)."""
    kind = pl.col("kind")

    def values(k: int, name: str) -> pl.DataFrame:
        rows = grouped.encoded.dictionary.filter(kind == k)
        return rows.select(pl.col("key").alias(f"{name}_key"), pl.col("value").alias(name))

    frame = (
        frame.join(values(keys.OBJECT, "object"), on="object_key", how="left", maintain_order="left")
        .join(
            values(keys.DESTINATION, "destination"), on="destination_key", how="left", maintain_order="left"
        )
        .with_columns(
            time=pl.from_epoch("time", time_unit="us").dt.replace_time_zone("UTC"),
            bytes=pl.when(pl.col("bytes") >= 0).then(pl.col("bytes")),
            action=pl.col("action").replace_strict(dict(enumerate(ACTIONS)), return_dtype=pl.String),
        )
    )
    missing = frame.filter(pl.col("object").is_null() & (pl.col("action") == "web_visit"))
    if missing.height:
        days = [grouped.encoded.days[day] for day in missing["day"].unique().sort()]
        found = (
            pl.concat(days)
            .select("user_key", pl.col("time"), pl.col("object").alias("_url"), "action")
            .filter((pl.col("action") == "web_visit") & pl.col("time").is_in(missing["time"].implode()))
            .unique(subset=["user_key", "time"])
            .collect()
        )
        user_keys = grouped.encoded.dictionary.filter(kind == keys.USER).select(
            pl.col("key").alias("user_key"), pl.col("value").alias("user")
        )
        found = found.join(user_keys, on="user_key").select("user", "time", "_url").unique(["user", "time"])
        frame = frame.join(found, on=["user", "time"], how="left", maintain_order="left").with_columns(
            object=pl.col("object").fill_null(pl.col("_url"))
        )
    return frame


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def secrets(
    grouped: Grouped, matches: pl.DataFrame, windows: pl.DataFrame, context: Context
) -> dict[str, list[dict]]:
    """user -> the register patterns matched in the alert window, most sensitive level first:
    pattern, level (+ labels), distinct files, accesses, files beyond grants, copies to removable media,
    files that left. Cost: the window's registered rows only, joined on integer positions; one regex per
    register entry over their distinct objects."""
    if matches.height == 0 or windows.height == 0:
        return {}
    rank = {level: i for i, level in enumerate(LEVELS)}
    # one row per (user, file) in the window first: a file's grant does not change from day to day, and
    # the patterns are then joined to far fewer rows
    inside = (
        matches.select("u", "o", "day", "registered_events", "usb_registered", "registered_exfil", "granted")
        .join(_positions(grouped, windows), on="u")
        .filter(pl.col("day").is_between(pl.col("start"), pl.col("end")))
        .group_by("u", "o")
        .agg(
            pl.col("user").first(),
            pl.col("registered_events", "usb_registered", "registered_exfil").sum(),
            (~pl.col("granted")).any().alias("beyond"),
        )
    )
    objects = inside.select(pl.col("o").unique()).with_columns(
        object=pl.col("o").map_batches(grouped.objects.gather, return_dtype=pl.String)
    )
    patterns = objects.join(context.match_patterns(objects["object"]).drop("level"), on="object")
    inside = inside.join(patterns.select("o", "pattern"), on="o")
    summary = (
        inside.group_by("user", "pattern")
        .agg(
            pl.len().alias("files"),
            pl.col("registered_events").sum().alias("accesses"),
            pl.col("beyond").sum().alias("beyond_grants"),
            pl.col("usb_registered").sum().alias("usb_copies"),
            pl.col("registered_exfil").sum().alias("exfiltrated"),
        )
        .join(
            pl.DataFrame(
                {
                    "pattern": [e.pattern for e in context.register],
                    "level": [e.level for e in context.register],
                }
            ),
            on="pattern",
        )
        .with_columns(_rank=pl.col("level").replace_strict(rank, return_dtype=pl.Int64))
        .sort("user", "_rank", "files", "pattern", descending=[False, True, True, False])
    )
    out: dict[str, list[dict]] = {}
    for row in summary.iter_rows(named=True):
        items = out.setdefault(row["user"], [])
        if len(items) >= MAX_SECRETS:
            continue
        zh, en = LEVEL_LABELS[row["level"]]
        items.append(
            {
                "pattern": row["pattern"],
                "level": row["level"],
                "level_zh": zh,
                "level_en": en,
                "files": row["files"],
                "accesses": row["accesses"],
                "beyond_grants": row["beyond_grants"],
                "usb_copies": row["usb_copies"],
                "exfiltrated": row["exfiltrated"],
            }
        )
    return out
