"""Scenario generator (issue 8 points 5 and 7): a synthetic organisation's logs in the CERT r6 layout,
with realistic background activity, injected insider-risk scenarios and benign look-alikes, and the
ground truth to measure a detector against.

Files written to `out_dir` (CSV with a header row, UTF-8, dates `MM/DD/YYYY HH:MM:SS` in local time,
Asia/Shanghai; ids `{XXXX-XXXXXXXX-XXXXXXXX}`, unique across all files; every event file sorted by time):

  logon.csv   id,date,user,pc,activity                       Logon / Logoff
  device.csv  id,date,user,pc,file_tree,activity             Connect / Disconnect (file_tree on Connect)
  file.csv    id,date,user,pc,filename,activity,to_removable_media,from_removable_media,content
              File Open / File Write / File Copy / File Delete; True/False strings. For File Copy the
              filename is the file copied (the source); to_removable_media True means it went to USB.
  email.csv   id,date,user,pc,to,cc,bcc,from,activity,size,attachments,content
              Send / View; addresses ';'-separated; attachments ';'-separated `path(size)`.
  http.csv    id,date,user,pc,url,activity,content           WWW Visit / WWW Download / WWW Upload;
              for an upload the url is `https://<domain>/upload?name=<basename>` and the content is the
              uploaded file's full local path.
  LDAP/YYYY-MM.csv  employee_name,user_id,email,role,projects,business_unit,functional_unit,department,
              team,supervisor — one per month; a user is listed while employed on some day of that month,
              so someone who left is absent from every month after their last day.
  hr.csv      user,resignation_date,last_day (ISO dates): scenario leavers and ordinary leavers.
  register.csv  pattern,level: glob patterns (`**` = anything below) of registered carriers, level
              核心 / 重要 / 一般.
  grants.csv  user,pattern: which registered patterns each user is entrusted with.
  competitors.txt  one domain a line: competitors and the side companies of the customer_list scenario.
  truth.json  generator version, parameters, and for each injected scenario and look-alike: kind, user,
              start, end (ISO dates), details, and the ids of its injected events by file.

The same arguments give byte-identical output. See generator_scenarios / generator_lookalikes for the
exact signatures. Cost: about 1–2 µs an event on two cores; 1,000 users × 365 days ≈ 35 million events."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from queue import Queue

import polars as pl

from . import generator_vocab as v
from .generator_background import background
from .generator_context import FILES, MAX_DAY_COUNT, Context
from .generator_org import LDAP_COLUMNS, GeneratorError, Organisation, build_organisation, ldap_frame
from .generator_plan import (
    LOOKALIKE_KINDS,
    SCENARIO_KINDS,
    Calendar,
    Injection,
    ScenarioParams,
    needs_for,
    plan,
    round_robin,
)
from .generator_random import chunk_table, sort_key, with_ids
from .generator_scenarios import build, frames

GENERATOR_VERSION = "shangmi-risk-generator/1"
DATE_FORMAT = "%m/%d/%Y %H:%M:%S"
TIMEZONE = "Asia/Shanghai"
HEADERS: dict[str, tuple[str, ...]] = {
    "logon": ("id", "date", "user", "pc", "activity"),
    "device": ("id", "date", "user", "pc", "file_tree", "activity"),
    "file": (
        "id",
        "date",
        "user",
        "pc",
        "filename",
        "activity",
        "to_removable_media",
        "from_removable_media",
        "content",
    ),
    "email": (
        "id",
        "date",
        "user",
        "pc",
        "to",
        "cc",
        "bcc",
        "from",
        "activity",
        "size",
        "attachments",
        "content",
    ),
    "http": ("id", "date", "user", "pc", "url", "activity", "content"),
}
SIDE_FILES = ("hr.csv", "register.csv", "grants.csv", "competitors.txt", "truth.json")
EVENTS_PER_CHUNK = 3_000_000

Progress = Callable[[int, int, int], None]  # (days done, days in total, events written so far)

__all__ = [
    "GENERATOR_VERSION",
    "GenerationReport",
    "GeneratorError",
    "InjectedSummary",
    "LOOKALIKE_KINDS",
    "OutputExistsError",
    "SCENARIO_KINDS",
    "ScenarioParams",
    "generate",
]


class OutputExistsError(GeneratorError):
    """The output folder is not empty and overwriting was not asked for."""


@dataclass(frozen=True)
class InjectedSummary:
    kind: str
    lookalike: bool
    user: str
    start: date
    end: date
    events: int


@dataclass(frozen=True)
class GenerationReport:
    out_dir: Path
    users: int
    days: int
    start: date
    end: date
    seed: int
    rows: dict[str, int]  # written file (relative path) → data rows
    bytes: int  # total size of everything written
    seconds: float
    injected: tuple[InjectedSummary, ...]

    @property
    def events(self) -> int:
        return sum(self.rows[f"{name}.csv"] for name in FILES)

    @property
    def events_per_second(self) -> float:
        return self.events / max(self.seconds, 1e-9)

    @property
    def scenarios(self) -> tuple[InjectedSummary, ...]:
        return tuple(i for i in self.injected if not i.lookalike)

    @property
    def lookalikes(self) -> tuple[InjectedSummary, ...]:
        return tuple(i for i in self.injected if i.lookalike)


def _kinds(value: int | Sequence[str] | None, default: int, known: tuple[str, ...], what: str) -> list[str]:
    if value is None:
        return round_robin(default, known)
    if isinstance(value, int):
        if value < 0:
            raise GeneratorError(f"{what} must not be negative (got {value})")
        return round_robin(value, known)
    unknown = [k for k in value if k not in known]
    if unknown:
        raise GeneratorError(f"unknown {what} kind {unknown[0]!r}; expected one of {', '.join(known)}")
    return list(value)


def _prepare(out_dir: Path, overwrite: bool) -> None:
    if out_dir.exists() and not out_dir.is_dir():
        raise GeneratorError(f"{out_dir} exists and is not a folder")
    if out_dir.is_dir() and any(out_dir.iterdir()):
        if not overwrite:
            raise OutputExistsError(f"{out_dir} is not empty")
        for name in [f"{f}.csv" for f in FILES] + list(SIDE_FILES):
            (out_dir / name).unlink(missing_ok=True)
        if (out_dir / "LDAP").is_dir():
            for month in (out_dir / "LDAP").glob("*.csv"):
                month.unlink()
    (out_dir / "LDAP").mkdir(parents=True, exist_ok=True)


def generate(
    out_dir: Path | str,
    *,
    users: int = 1000,
    days: int = 365,
    start: date = date(2026, 1, 1),
    seed: int = 7,
    scenarios: int | Sequence[str] | None = None,
    lookalikes: int | Sequence[str] | None = None,
    params: ScenarioParams | None = None,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> GenerationReport:
    """Write a synthetic organisation of `users` people over `days` days from `start` to `out_dir`.

    `scenarios` / `lookalikes`: a count (kinds taken round-robin from SCENARIO_KINDS / LOOKALIKE_KINDS),
    an explicit list of kinds, or None for the default (10 and 10 when users ≥ 200, else 4 and 3).
    Raises GeneratorError (OutputExistsError for a non-empty folder without `overwrite`)."""
    started = time.perf_counter()
    out = Path(out_dir)
    if not 21 <= days <= MAX_DAY_COUNT:
        raise GeneratorError(f"days must be between 21 and {MAX_DAY_COUNT} (got {days})")
    if isinstance(start, datetime) or not isinstance(start, date):
        raise GeneratorError(f"start must be a date (got {start!r})")
    scenario_kinds = _kinds(scenarios, 10 if users >= 200 else 4, SCENARIO_KINDS, "scenario")
    lookalike_kinds = _kinds(lookalikes, 10 if users >= 200 else 3, LOOKALIKE_KINDS, "look-alike")
    params = params or ScenarioParams()
    org = build_organisation(users, seed, needs_for(scenario_kinds + lookalike_kinds))
    cal = Calendar(start, days)
    injections = plan(org, cal, scenario_kinds, lookalike_kinds, params, seed)
    _prepare(out, overwrite)

    ctx = Context(org, seed, start, days)
    ctx.crm_quiet = {inj.user.index for inj in injections if inj.kind == "normal_crm"}
    forced = [(inj.user.index, d) for inj in injections for d in inj.forced]
    late = {(inj.user.index, d): s for inj in injections for d, s in inj.late.items()}
    ctx.set_overrides(forced, late)
    injected = frames(ctx, build(ctx, injections, params))

    rows, ids = _write_events(ctx, out, injected, progress)
    rows.update(_write_side_files(out, org, cal, injections, ids, seed))
    written = sum((out / name).stat().st_size for name in rows)
    summaries = tuple(
        InjectedSummary(
            inj.kind,
            inj.lookalike,
            inj.user.user_id,
            cal.date(inj.start),
            cal.date(inj.end),
            sum(len(x) for x in ids.get(tag, {}).values()),
        )
        for tag, inj in enumerate(injections)
    )
    return GenerationReport(
        out,
        users,
        days,
        start,
        cal.date(days - 1),
        seed,
        rows,
        written,
        time.perf_counter() - started,
        summaries,
    )


def _finish(ctx: Context, name: str, parts: list[pl.LazyFrame], base: int, table: pl.Series) -> pl.DataFrame:
    """Sort one chunk of a file by time, give every row its id, and shape it as CERT r6 (plus `tag`)."""
    frame = pl.concat(parts, how="vertical")
    frame = frame.with_columns(sort_key(pl.col("sec"), base, pl.col("key")).alias("_order")).sort("_order")
    frame = with_ids(frame, "key", ctx.seed, table)
    t = ctx.tables
    head = [
        pl.col("id"),
        pl.from_epoch("sec", time_unit="s").alias("date"),
        pl.lit(t.user).gather(pl.col("u")).alias("user"),
        pl.lit(t.pc).gather(pl.col("u")).alias("pc"),
    ]

    def flag(column: str, alias: str) -> pl.Expr:
        return pl.when(pl.col(column)).then(pl.lit("True")).otherwise(pl.lit("False")).alias(alias)

    if name == "file":
        rest = [
            pl.col("filename"),
            pl.col("activity"),
            flag("to_rm", "to_removable_media"),
            flag("from_rm", "from_removable_media"),
            _blank_as_null("content"),
        ]
    else:
        schema = frame.collect_schema()
        rest = [_blank_as_null(c) if schema[c] == pl.String else pl.col(c) for c in HEADERS[name][4:]]
    return frame.select(*head, *rest, pl.col("tag")).collect()


def _blank_as_null(column: str) -> pl.Expr:
    """Polars quotes empty strings (`""`); CERT files leave empty fields empty, which is how nulls are written."""
    return pl.when(pl.col(column) != "").then(pl.col(column)).alias(column)


def _write_events(
    ctx: Context, out: Path, injected: dict[str, pl.DataFrame], progress: Progress | None
) -> tuple[dict[str, int], dict[int, dict[str, list[str]]]]:
    """Generate chunk by chunk of days; a writer thread appends each finished chunk to its file while the
    next one is generated (Polars releases the GIL in both)."""
    table = chunk_table()
    per_chunk = max(1, min(62, EVENTS_PER_CHUNK // max(1, len(ctx.org.users) * 150)))
    rows = {f"{name}.csv": 0 for name in FILES}
    ids: dict[int, dict[str, list[str]]] = {}
    handles = {name: open(out / f"{name}.csv", "wb") for name in FILES}  # noqa: SIM115 - closed below
    queue: Queue[tuple[str, pl.DataFrame] | None] = Queue(maxsize=len(FILES))
    failure: list[BaseException] = []

    def writer() -> None:
        while (item := queue.get()) is not None:
            if failure:
                continue
            try:
                name, frame = item
                frame.write_csv(handles[name], include_header=False, datetime_format=DATE_FORMAT)
            except BaseException as error:  # re-raised in the generating thread
                failure.append(error)

    thread = threading.Thread(target=writer, name="generator-writer", daemon=True)
    thread.start()
    try:
        for name, handle in handles.items():
            handle.write((",".join(HEADERS[name]) + "\n").encode())
        done = 0
        for lo in range(0, ctx.days, per_chunk):
            hi = min(ctx.days, lo + per_chunk)
            streams = background(ctx, lo, hi)
            for name in FILES:
                extra = injected[name].filter(pl.col("d").is_between(lo, hi - 1)).drop("d").lazy()
                chunk = _finish(ctx, name, [*streams[name], extra], ctx.midnight(lo), table)
                for tag, ident in chunk.filter(pl.col("tag").is_not_null()).select("tag", "id").iter_rows():
                    ids.setdefault(tag, {}).setdefault(f"{name}.csv", []).append(ident)
                rows[f"{name}.csv"] += chunk.height
                done += chunk.height
                queue.put((name, chunk.drop("tag")))
                if failure:
                    raise failure[0]
            if progress:
                progress(hi, ctx.days, done)
    finally:
        queue.put(None)
        thread.join()
        for handle in handles.values():
            handle.close()
    if failure:
        raise failure[0]
    return rows, ids


def _write_side_files(
    out: Path,
    org: Organisation,
    cal: Calendar,
    injections: list[Injection],
    ids: dict[int, dict[str, list[str]]],
    seed: int,
) -> dict[str, int]:
    rows: dict[str, int] = {}
    month = cal.start.replace(day=1)
    end = cal.date(cal.days - 1)
    while month <= end:
        frame = ldap_frame(org, (month - cal.start).days)
        name = f"LDAP/{month:%Y-%m}.csv"
        frame.select(_blank_as_null(c) for c in LDAP_COLUMNS).write_csv(out / name)
        rows[name] = frame.height
        month = (month + timedelta(days=32)).replace(day=1)
    leavers = sorted((u for u in org.users if u.last_day is not None), key=lambda u: (u.last_day, u.user_id))
    hr = pl.DataFrame(
        {
            "user": [u.user_id for u in leavers],
            "resignation_date": [cal.date(u.resignation or 0).isoformat() for u in leavers],
            "last_day": [cal.date(u.last_day or 0).isoformat() for u in leavers],
        },
        schema={"user": pl.String, "resignation_date": pl.String, "last_day": pl.String},
    )
    hr.write_csv(out / "hr.csv")
    register = pl.DataFrame(
        {"pattern": [p.pattern for p in org.patterns], "level": [p.level for p in org.patterns]}
    )
    register.write_csv(out / "register.csv")
    grants = pl.DataFrame(
        {
            "user": [u.user_id for u in org.users for _ in u.grants],
            "pattern": [org.patterns[g].pattern for u in org.users for g in u.grants],
        },
        schema={"user": pl.String, "pattern": pl.String},
    )
    grants.write_csv(out / "grants.csv")
    competitors = list(v.COMPETITORS) + [
        str(i.details["side_domain"]) for i in injections if i.kind == "customer_list"
    ]
    (out / "competitors.txt").write_text("".join(f"{c}\n" for c in competitors), encoding="utf-8")
    rows.update({"hr.csv": hr.height, "register.csv": register.height, "grants.csv": grants.height})
    rows["competitors.txt"] = len(competitors)

    def entry(tag: int, inj: Injection) -> dict[str, object]:
        events = ids.get(tag, {})
        return {
            "kind": inj.kind,
            "user": inj.user.user_id,
            "start": cal.date(inj.start).isoformat(),
            "end": cal.date(inj.end).isoformat(),
            "details": inj.details,
            "event_count": sum(len(x) for x in events.values()),
            "events": {name: events[name] for name in sorted(events)},
        }

    scenario_users = {inj.user.index for inj in injections}
    truth = {
        "generator": GENERATOR_VERSION,
        "seed": seed,
        "users": len(org.users),
        "days": cal.days,
        "start": cal.start.isoformat(),
        "end": end.isoformat(),
        "timezone": TIMEZONE,
        "date_format": DATE_FORMAT,
        "scenarios": [entry(t, i) for t, i in enumerate(injections) if not i.lookalike],
        "lookalikes": [entry(t, i) for t, i in enumerate(injections) if i.lookalike],
        "benign_departures": [
            u.user_id for u in org.users if u.last_day is not None and u.index not in scenario_users
        ],
    }
    (out / "truth.json").write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    rows["truth.json"] = len(injections)
    return rows
