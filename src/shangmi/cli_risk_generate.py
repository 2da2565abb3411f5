"""`shangmi risk generate` (issue 8 point 7): write a synthetic organisation's logs in the CERT r6 layout,
with injected insider-risk scenarios, benign look-alikes and their ground truth (truth.json), for tests,
demos and measuring the detector. Runs on this machine only; no database, no Django."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table


def generate(
    out: Annotated[Path, typer.Option("--out", help="Output folder (must be empty unless --force)")],
    users: Annotated[int, typer.Option("--users", help="Number of employees")] = 1000,
    days: Annotated[int, typer.Option("--days", help="Number of days to generate")] = 365,
    seed: Annotated[int, typer.Option("--seed", help="Random seed; the same seed gives identical files")] = 7,
    start: Annotated[str, typer.Option("--start", help="First day, YYYY-MM-DD")] = "2026-01-01",
    scenarios: Annotated[
        int | None,
        typer.Option(
            "--scenarios", help="Injected scenarios, kinds round-robin (default 10, or 4 below 200 users)"
        ),
    ] = None,
    lookalikes: Annotated[
        int | None,
        typer.Option(
            "--lookalikes", help="Benign look-alikes, kinds round-robin (default 10, or 3 below 200 users)"
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option("--force", help="Write into a non-empty folder, replacing our files")
    ] = False,
) -> None:
    """Generate synthetic logs (logon, device, file, email, http, LDAP) with injected scenarios."""
    from shangmi.cli import _fail, console, err
    from shangmi.engines.risk.generator import GeneratorError, OutputExistsError
    from shangmi.engines.risk.generator import generate as run

    try:
        first = date.fromisoformat(start)
    except ValueError:
        _fail(f"--start: {start!r} is not a date YYYY-MM-DD / 不是有效日期", code=2)
    if out.is_dir() and any(out.iterdir()) and not force:
        _fail(f"输出目录非空 / output folder is not empty: {out} (use --force to overwrite)", code=2)
    columns = (
        TextColumn("生成 / generating"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("days · {task.fields[events]:,} events"),
        TimeElapsedColumn(),
    )
    try:
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("generate", total=days, events=0)

            def step(done: int, total: int, events: int) -> None:
                progress.update(task, completed=done, total=total, events=events)

            report = run(
                out,
                users=users,
                days=days,
                start=first,
                seed=seed,
                scenarios=scenarios,
                lookalikes=lookalikes,
                overwrite=force,
                progress=step,
            )
    except OutputExistsError:
        _fail(f"输出目录非空 / output folder is not empty: {out} (use --force to overwrite)", code=2)
    except GeneratorError as error:
        _fail(str(error), code=2)

    table = Table(title="生成的文件 / files written")
    table.add_column("文件 / file")
    table.add_column("行数 / rows", justify="right")
    for name, count in report.rows.items():
        table.add_row(escape(name), f"{count:,}")
    console.print(table)
    injected = Table(title="注入的场景与相似行为 / injected scenarios and look-alikes")
    for column in ("类型 / kind", "用户 / user", "起止 / period", "事件 / events"):
        injected.add_column(column)
    for item in report.injected:
        label = f"{item.kind} (相似 / look-alike)" if item.lookalike else item.kind
        period = f"{item.start.isoformat()} – {item.end.isoformat()}"
        injected.add_row(label, item.user, period, f"{item.events:,}")
    console.print(injected)
    console.print(
        f"[green]完成 / done[/] {report.users} users × {report.days} days: {report.events:,} events, "
        f"{report.bytes / 1e6:.1f} MB in {report.seconds:.1f} s ({report.events_per_second:,.0f} events/s) "
        f"→ {escape(str(out))}"
    )
