"""`shangmi reminders`: the register's and the people side's daily reminders, run by hand (the worker
queues them every hour)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

COLUMNS = (
    ("periods", "期限届满\nperiods"),
    ("grants", "授权到期\ngrants"),
    ("unmarked", "未标识\nunmarked"),
    ("review", "待审查\nreview"),
    ("approval", "待批准\napprove"),
)


def reminders(
    day: Annotated[
        str | None, typer.Option("--date", help="Day to remind for, YYYY-MM-DD (default: today)")
    ] = None,
    organisation: Annotated[
        str | None,
        typer.Option("--org", help="Only this enterprise (short code); a preview that sends nothing"),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what is due; send nothing")] = False,
) -> None:
    """Notify every enterprise's officers, managers and reviewers of what is due in the register:
    periods ending, grants expiring, carriers unmarked, applications waiting. Once per day."""
    from shangmi.cli import _django, _fail, console

    try:
        when = date.fromisoformat(day) if day else None
    except ValueError:
        _fail(f"--date must be YYYY-MM-DD, not {day!r}", code=2)
    _django()
    from shangmi.apps.registry.reminders import enterprises, run_reminders

    only = None
    if organisation:
        only = enterprises().filter(short_code=organisation.upper())
        if not only.exists():
            _fail(f"no active enterprise with short code {organisation!r}", code=2)
    if not dry_run and only is None:
        _people_reminders(when)
    report = run_reminders(day=when, organisations=only, dry_run=dry_run)
    if report.already_ran:
        console.print(
            f"[yellow]{report.day} 的提醒已发送过 / reminders for {report.day} were already sent[/] "
            f"({report.notified} notifications); nothing sent now."
        )
        return
    table = Table(title=f"台账提醒 / register reminders {report.day}")
    table.add_column("组织\norg")
    for _kind, heading in COLUMNS:
        table.add_column(heading, justify="right")
    table.add_column("通知\nnotified", justify="right")
    quiet = 0
    for org in report.organisations:
        if not any(org.counts.values()):
            quiet += 1
            continue
        table.add_row(escape(org.code), *(str(org.counts[kind]) for kind, _h in COLUMNS), str(org.notified))
    console.print(table)
    if quiet:
        console.print(f"{quiet} 家企业无到期事项 / enterprises with nothing due: {quiet}")
    if report.dry_run:
        console.print(
            f"[cyan]预览，未发送 / preview, nothing sent[/]: {report.notified} notifications would be sent"
        )
    else:
        console.print(f"[green]已发送 / sent[/] {report.notified} notifications for {report.day}")


def _people_reminders(when: date | None) -> None:
    """The people side's daily run (agreements unsigned or expiring, non-compete compensation unpaid)."""
    from shangmi.apps.people.reminders import run_people_reminders
    from shangmi.cli import console

    report = run_people_reminders(day=when)
    expired = sum(o.expired for o in report.organisations)
    console.print(
        f"协议提醒 / agreement reminders {report.day}: {report.notified} notifications; "
        f"{expired} agreements expired"
    )
