"""`shangmi risk ingest`: load logs (CERT r6, a DLP export, JSON Lines) into a Parquet event store
(engines.risk.store), incrementally: files already ingested and unchanged are skipped.

Runs on the organisation's own machine without a database (Django is never imported). Progress goes to
stderr, the summary table to stdout. Exit status: 0 on success, 2 on bad input (unknown preset or time
zone, a missing, unreadable or malformed file, a file changed since it was ingested) with a one-line
message naming the file."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)
PRESET_HELP = "cert-r6 (CMU CERT r6 folder) | dlp (DLP export CSV) | jsonl (normalised JSON Lines)"
REASONS = {
    "bad_time": "时间无效",
    "missing_user": "缺用户",
    "ignored_action": "忽略动作",
    "unknown_action": "未知动作",
}


def _fail(message: str) -> None:
    err.print(f"[bold red]错误 / error:[/] {escape(message)}")
    raise typer.Exit(2)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Log files or folders", metavar="PATH...")],
    preset: Annotated[str, typer.Option("--preset", help=PRESET_HELP)],
    store: Annotated[Path, typer.Option("--store", help="Event store folder (created if missing)")],
    tz: Annotated[
        str, typer.Option("--tz", help="The organisation's time zone (local log times, the day of an event)")
    ] = "Asia/Shanghai",
    replace: Annotated[
        bool, typer.Option("--replace", help="Re-ingest the given files, replacing their earlier rows")
    ] = False,
) -> None:
    """导入日志 / ingest logs into the event store (Parquet, partitioned by day)."""
    from shangmi.engines.risk.loaders import LoadError, check_tz
    from shangmi.engines.risk.presets import PresetError, ldap_folders, load_ldap, load_preset
    from shangmi.engines.risk.store import EventStore, StoreError

    started = time.perf_counter()
    try:
        check_tz(tz)
        results = list(load_preset(preset, paths, tz=tz))
        ldap = [load_ldap(folder) for folder in ldap_folders(paths)] if preset == "cert-r6" else []
        event_store = EventStore(store)
        report = _run(event_store, results, replace)
        ldap_rows = event_store.ingest_ldap(_concat(ldap)) if ldap else None
    except (LoadError, PresetError, StoreError, ValueError, OSError) as error:
        _fail(str(error))
        return
    _summary(event_store, report, ldap_rows, time.perf_counter() - started)


def _run(event_store, results, replace: bool):
    """Ingest with a progress bar over the files' bytes and one line per file."""
    total = sum(r.path.stat().st_size for r in results)
    columns = (
        TextColumn("导入 / ingesting {task.fields[name]}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
    )
    progress = Progress(*columns, console=err, transient=False)
    task = progress.add_task("ingest", total=total, name="", rate="", start=False)
    rows = [0]
    clock = [time.perf_counter()]

    def on_start(result, size: int) -> None:
        if not progress.live.is_started:  # only once a file is really read: errors stay one line
            progress.start()
            progress.start_task(task)
        progress.update(task, name=escape(result.path.name))

    def on_done(done) -> None:
        progress.advance(task, done.size)
        rows[0] += done.rows_read
        rate = rows[0] / max(time.perf_counter() - clock[0], 1e-9)
        progress.update(task, rate=f"{rate:,.0f} rows/s")
        if done.status == "skipped":
            err.print(escape(f"  = {done.path}: 未变更，跳过 / unchanged, skipped"))
            return
        speed = done.rows_read / max(done.seconds, 1e-9)
        dropped = done.rows_read - done.rows_kept
        err.print(
            escape(
                f"  + {done.path}: {done.rows_kept:,} kept, {dropped:,} dropped "
                f"({done.seconds:.1f} s, {speed:,.0f} rows/s)"
            )
        )

    try:
        return event_store.ingest(results, replace=replace, on_start=on_start, on_done=on_done)
    finally:
        if progress.live.is_started:
            progress.stop()


def _concat(frames):
    import polars as pl

    return pl.concat(frames)


def _summary(event_store, report, ldap_rows: int | None, seconds: float) -> None:
    table = Table(title=f"导入结果 / ingest summary — {escape(str(event_store.path))}")
    table.add_column("", no_wrap=True)
    table.add_column("本次 / run", justify="right")
    table.add_column("库内 / store", justify="right")
    days = event_store.days()
    files = len(event_store.manifest()["sources"])
    table.add_row("导入文件 / files ingested", str(report.files_ingested), str(files))
    table.add_row("跳过文件 / files skipped", str(report.files_skipped), "")
    table.add_row("读取行 / rows read", f"{report.rows_read:,}", "")
    table.add_row("保留事件 / events kept", f"{report.rows_kept:,}", f"{event_store.count():,}")
    for reason, rows in report.dropped.items():
        table.add_row(f"丢弃 {REASONS[reason]} / {reason}", f"{rows:,}", "")
    table.add_row("天数 / days", f"{len(report.days):,}", f"{len(days):,}")
    table.add_row("用户 / users", "", f"{len(event_store.users()):,}")
    if ldap_rows is not None:
        table.add_row("LDAP 快照行 / LDAP rows", "", f"{ldap_rows:,}")
    console.print(table)
    if days:
        console.print(f"日期范围 / days: {days[0]} … {days[-1]}")
    rate = report.rows_read / seconds if seconds else 0.0
    console.print(f"{report.rows_read:,} rows in {seconds:.1f} s ({rate:,.0f} rows/s)")
