"""Hand-built normalised events for the feature and scoring tests."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import polars as pl

from shangmi.engines.risk.schema import conform

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 3, 2)  # a Monday
OWN = ("lanxi.example",)
REGISTER_ROWS = (
    (r"\\fs01\研发\图纸\P01\**", "core"),
    (r"\\fs01\研发\图纸\P02\**", "important"),
    (r"\\fs01\销售\客户\**", "important"),
)
DRAWING1 = r"\\fs01\研发\图纸\P01\总装\LX-P01-0001_A.dwg"
DRAWING2 = r"\\fs01\研发\图纸\P02\总装\LX-P02-0001_A.dwg"


def at(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    """Local time on day `day` after START (Asia/Shanghai), as an aware datetime."""
    local = dt.datetime.combine(
        START + dt.timedelta(days=day), dt.time(hour, minute, second), tzinfo=SHANGHAI
    )
    return local


def event(
    when: dt.datetime,
    user: str,
    action: str,
    obj: str | None = None,
    destination: str | None = None,
    nbytes: int | None = None,
    count: int | None = None,
) -> dict:
    return {
        "time": when.astimezone(dt.UTC),
        "day": when.astimezone(SHANGHAI).date(),
        "user": user,
        "host": "PC-1",
        "action": action,
        "object": obj,
        "destination": destination,
        "bytes": nbytes,
        "count": count,
        "source": "test",
    }


def frame(rows: list[dict]) -> pl.DataFrame:
    schema = {
        "time": pl.Datetime("us", "UTC"),
        "day": pl.Date(),
        "user": pl.String(),
        "host": pl.String(),
        "action": pl.String(),
        "object": pl.String(),
        "destination": pl.String(),
        "bytes": pl.Int64(),
        "count": pl.Int32(),
        "source": pl.String(),
    }
    return conform(pl.DataFrame(rows, schema=schema, orient="row"))


def routine(users: list[str], days: int, *, first: int = 0) -> list[dict]:
    """An ordinary working day for each user: logon 09:00, three document opens, logoff 18:00 (weekdays)."""
    rows = []
    for day in range(first, first + days):
        if (START + dt.timedelta(days=day)).weekday() >= 5:
            continue
        for user in users:
            rows.append(event(at(day, 9), user, "logon"))
            for k in range(3):
                rows.append(event(at(day, 10, k), user, "file_open", rf"\\fs01\公共\通知\doc{k}.docx"))
            rows.append(event(at(day, 18), user, "logoff"))
    return rows
