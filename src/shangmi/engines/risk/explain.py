"""What an alert shows besides its numbers: the events behind it and the registered secrets involved.

`top_events` reads the store once more, but only the days of the alert windows (the store is partitioned
by day) and only the alerted users, and keeps at most 20 events a user, interleaving the reasons so one
noisy channel does not hide the others. `secrets` summarises the registered-carrier matches already
computed by the feature builder. Cost: one filtered scan plus O(matches)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from shangmi.engines.risk import destinations as d
from shangmi.engines.risk.context import LEVEL_LABELS, LEVELS, Context
from shangmi.engines.risk.features import ARCHIVE_RE

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


def _in(table: pl.DataFrame, flag: str) -> pl.Expr:
    values = table.filter(pl.col(flag))["destination"]
    return pl.col("destination").is_in(values.implode()) if values.len() else pl.lit(False)


def top_events(
    events: pl.LazyFrame,
    windows: pl.DataFrame,
    contributing: pl.DataFrame,
    context: Context,
    destinations: pl.DataFrame,
    matches: pl.DataFrame,
) -> dict[str, list[dict]]:
    """user -> up to MAX_EVENTS events of the user's alert window that support a contributing indicator.
    `windows`: user, start, end (dates); `contributing`: user, indicator (keys with contribution > 0)."""
    if windows.height == 0:
        return {}
    lo, hi = windows["start"].min(), windows["end"].max()
    users = windows["user"].unique()
    action = pl.col("action")
    register = context.prefilter_regex()
    upload, send = action == "upload", action == "email_send"
    attachments = send & (pl.col("count").fill_null(0) > 0)
    leaves = _in(destinations, d.PERSONAL_CLOUD) | _in(destinations, d.PERSONAL_WEBMAIL)
    leaves = leaves | _in(destinations, d.COMPETITOR) | _in(destinations, d.EXTERNAL)
    writes = action.is_in(("file_write", "file_copy", "usb_copy"))
    candidate = (
        pl.when(action == "usb_copy")
        .then(pl.lit("usb_copy"))
        .when((send | upload) & _in(destinations, d.COMPETITOR))
        .then(pl.lit("competitor"))
        .when(upload & _in(destinations, d.PERSONAL_CLOUD) & ~_in(destinations, d.OWN))
        .then(pl.lit("personal_cloud"))
        .when(
            (upload & _in(destinations, d.PERSONAL_WEBMAIL))
            | (attachments & _in(destinations, d.PERSONAL_WEBMAIL))
        )
        .then(pl.lit("personal_webmail"))
        .when(action.is_in(("download", "app_export")) & _in(destinations, "crm"))
        .then(pl.lit("customer_records"))
        .when(writes & pl.col("object").str.contains(ARCHIVE_RE).fill_null(False))
        .then(pl.lit("archive"))
        .when(action == "file_rename")
        .then(pl.lit("rename"))
        .when((attachments | upload) & leaves)
        .then(pl.lit("external"))
        .when(action == "print")
        .then(pl.lit("print"))
        .when((action == "web_visit") & _in(destinations, d.JOB_SITE))
        .then(pl.lit("job_site"))
    )
    registered = pl.col("object").str.contains(register).fill_null(False) if register else pl.lit(False)
    frame = (
        events.filter(pl.col("day").is_between(lo, hi) & pl.col("user").is_in(users.implode()))
        .with_columns(
            reason=candidate,
            _reg=registered
            & pl.col("action").is_in(
                (
                    "file_open",
                    "file_copy",
                    "file_write",
                    "usb_copy",
                    "upload",
                    "email_send",
                    "print",
                    "file_rename",
                )
            ),
        )
        .filter(pl.col("reason").is_not_null() | pl.col("_reg"))
        .join(windows.lazy(), on="user")
        .filter(pl.col("day").is_between(pl.col("start"), pl.col("end")))
        .select("time", "day", "user", "action", "object", "destination", "bytes", "reason", "_reg")
        .collect(engine="streaming")
    )
    # exact register matching and grants on the few rows the prefilter let through
    beyond = (
        matches.filter(~pl.col("granted"))
        .select("user", "object")
        .unique()
        .with_columns(_beyond=pl.lit(True))
    )
    exact = matches.select("object").unique().with_columns(_exact=pl.lit(True))
    frame = (
        frame.join(exact, on="object", how="left")
        .join(beyond, on=["user", "object"], how="left")
        .with_columns(
            reason=pl.when((pl.col("reason") == "usb_copy") & pl.col("_exact").fill_null(False))
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
        .sort("user", "_order", "time")
        .with_columns(_rank=pl.int_range(pl.len()).over("user", "reason"))
        .filter(pl.col("_rank") < MAX_EVENTS)
        .sort("user", pl.col("_rank") // PER_REASON, "_order", "time")
        .with_columns(_n=pl.int_range(pl.len()).over("user"))
        .filter(pl.col("_n") < MAX_EVENTS)
    )
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


def _zone(name: str) -> dt.tzinfo:
    import zoneinfo

    return zoneinfo.ZoneInfo(name)


def secrets(matches: pl.DataFrame, windows: pl.DataFrame, context: Context) -> dict[str, list[dict]]:
    """user -> the register patterns matched in the alert window, most sensitive level first:
    pattern, level (+ labels), distinct files, accesses, files beyond grants, copies to removable media,
    files that left. Cost: the window's registered rows only; one regex per register entry over their
    distinct objects."""
    if matches.height == 0 or windows.height == 0:
        return {}
    rank = {level: i for i, level in enumerate(LEVELS)}
    inside = matches.join(windows, on="user").filter(pl.col("day").is_between(pl.col("start"), pl.col("end")))
    inside = inside.join(context.match_patterns(inside["object"].unique()).drop("level"), on="object")
    summary = (
        inside.group_by("user", "pattern")
        .agg(
            pl.col("object").n_unique().alias("files"),
            pl.col("registered_events").sum().alias("accesses"),
            pl.col("object").filter(~pl.col("granted")).n_unique().alias("beyond_grants"),
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
