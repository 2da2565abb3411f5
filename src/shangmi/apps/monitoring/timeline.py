"""A person's activity around an alert, read from the organisation's event store: events per day and
kind, drawn as a stacked bar chart with the alert's window and the last working day marked."""

from __future__ import annotations

from datetime import timedelta

import polars as pl
from django.utils.translation import gettext as _

from shangmi.apps.monitoring import storage
from shangmi.engines.risk.store import EventStore

LOOK_BACK_DAYS = 30
# Kinds of action drawn, in stacking order; the rest is summed as "other".
DRAWN = ("file_open", "file_copy", "file_write", "usb_copy", "upload", "download", "email_send", "print")


def _labels() -> dict[str, str]:
    return {
        "file_open": _("打开文件"),
        "file_copy": _("复制文件"),
        "file_write": _("写入文件"),
        "usb_copy": _("拷贝到移动介质"),
        "upload": _("上传"),
        "download": _("下载"),
        "email_send": _("发送邮件"),
        "print": _("打印"),
        "other": _("其他"),
    }


def daily_activity(alert) -> pl.DataFrame:
    """(day, action, events) for the alert's person from LOOK_BACK_DAYS before its window to its end."""
    path = storage.store_dir(alert.organisation_id)
    if not path.exists():
        return pl.DataFrame(schema={"day": pl.Date(), "action": pl.String(), "events": pl.UInt32()})
    start = alert.window_start - timedelta(days=LOOK_BACK_DAYS)
    return (
        EventStore(path)
        .scan()
        .filter((pl.col("user") == alert.user_key) & pl.col("day").is_between(start, alert.window_end))
        .group_by("day", pl.col("action").cast(pl.String))
        .agg(pl.len().alias("events"))
        .sort("day")
        .collect()
    )


def activity_chart(alert) -> dict | None:
    frame = daily_activity(alert)
    if frame.is_empty():
        return None
    days = sorted(set(frame["day"].to_list()))
    counts: dict[str, dict] = {}
    for day, action, events in frame.iter_rows():
        key = action if action in DRAWN else "other"
        counts.setdefault(key, {}).setdefault(day, 0)
        counts[key][day] += events
    labels = _labels()
    series = [
        {
            "name": labels[key],
            "type": "bar",
            "stack": "events",
            "data": [counts[key].get(d, 0) for d in days],
        }
        for key in (*DRAWN, "other")
        if key in counts
    ]
    marks = [{"xAxis": alert.window_start.isoformat(), "name": _("告警窗口")}]
    if alert.last_day:
        marks.append({"xAxis": alert.last_day.isoformat(), "name": _("最后工作日")})
    series[0]["markLine"] = {"symbol": "none", "data": marks, "label": {"formatter": "{b}"}}
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 48, "right": 16, "top": 24, "bottom": 56},
        "xAxis": {"type": "category", "data": [d.isoformat() for d in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }
