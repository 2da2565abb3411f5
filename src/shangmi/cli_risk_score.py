"""`shangmi risk score`: score every user of an event store and write per-user alerts as JSON (issue 8).

Runs on the organisation's own machine without a database (engines.risk only; Django is never imported).
Exit status: 0 on success, 2 on bad input (a missing store, a malformed CSV, weights or domain file) with
a message naming the file and line."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

err = Console(stderr=True, soft_wrap=True)
SEVERITY_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "dim"}


def _fail(message: str) -> None:
    err.print(f"[bold red]错误 / error:[/] {escape(message)}")
    raise typer.Exit(2)


def score(
    store: Annotated[Path, typer.Option("--store", help="Event store folder (from `shangmi risk ingest`)")],
    json_out: Annotated[Path, typer.Option("--json", help="Write the alerts here (JSON)")],
    hr: Annotated[
        Path | None,
        typer.Option("--hr", help="CSV user,resignation_date,last_day (default: inferred from LDAP)"),
    ] = None,
    register: Annotated[
        Path | None, typer.Option("--register", help="CSV pattern,level of registered carriers")
    ] = None,
    competitors: Annotated[
        Path | None, typer.Option("--competitors", help="Competitor domains, one a line")
    ] = None,
    grants: Annotated[
        Path | None, typer.Option("--grants", help="CSV user,pattern: who may access what")
    ] = None,
    own_domains: Annotated[
        Path | None,
        typer.Option(
            "--own-domains", help="The organisation's own domains, one a line (default: from LDAP e-mail)"
        ),
    ] = None,
    weights: Annotated[
        Path | None, typer.Option("--weights", help="JSON object overriding default weights")
    ] = None,
    watchlist: Annotated[
        Path | None, typer.Option("--watchlist", help="User ids to weight up, one a line")
    ] = None,
    tz: Annotated[
        str, typer.Option("--tz", help="The organisation's time zone (off-hours)")
    ] = "Asia/Shanghai",
    top: Annotated[int, typer.Option(help="Users listed in the summary")] = 10,
) -> None:
    """评分并输出告警 / score users and write alerts (severity, score, explanation) as JSON."""
    from shangmi.engines.risk import context as ctx
    from shangmi.engines.risk.loaders import check_tz
    from shangmi.engines.risk.scoring import SEVERITIES, Weights, WeightsError, alerts_to_json
    from shangmi.engines.risk.scoring import score as run_score
    from shangmi.engines.risk.store import EventStore, StoreError

    started = time.perf_counter()
    try:
        check_tz(tz)
        if not (store / "manifest.json").is_file():
            _fail(f"{store}: not an event store (no manifest.json); run `shangmi risk ingest` first")
        event_store = EventStore(store)
        events = event_store.count()
        if events == 0:
            _fail(f"{store}: the store holds no events")
        context = ctx.Context(
            register=ctx.read_register_csv(register) if register else (),
            grants=ctx.read_grants_csv(grants) if grants else None,
            hr=ctx.read_hr_csv(hr) if hr else {},
            competitors=ctx.read_domains(competitors) if competitors else (),
            own_domains=ctx.read_domains(own_domains) if own_domains else (),
            watchlist=ctx.read_users(watchlist) if watchlist else frozenset(),
            timezone=tz,
        )
        chosen = Weights.from_json(weights) if weights else Weights()
    except (ctx.ContextError, WeightsError, StoreError, ValueError) as error:
        _fail(str(error))
        return

    with err.status("评分 / scoring …") as status:

        def progress(step: str) -> None:
            status.update(f"评分 / scoring: {step} …")

        alerts = run_score(event_store, context, chosen, progress=progress)
    params = {
        "store": str(store.resolve()),
        "events": events,
        "hr": str(hr) if hr else None,
        "register": str(register) if register else None,
        "grants": str(grants) if grants else None,
        "competitors": str(competitors) if competitors else None,
        "own_domains_file": str(own_domains) if own_domains else None,
        "weights_file": str(weights) if weights else None,
        "watchlist": str(watchlist) if watchlist else None,
        "timezone": tz,
        "seconds": round(time.perf_counter() - started, 3),
    }
    document = alerts_to_json(alerts, params)
    json_out.parent.mkdir(parents=True, exist_ok=True)
    temp = json_out.with_name(json_out.name + ".tmp")
    temp.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(temp, json_out)

    counts = document["alerts_by_severity"]
    summary = Table(title=f"告警 / alerts — {document['users_scored']} users scored, {events:,} events")
    for name in reversed(SEVERITIES):
        summary.add_column(name, justify="right", style=SEVERITY_STYLE[name])
    summary.add_row(*(str(counts[name]) for name in reversed(SEVERITIES)))
    err.print(summary)
    if alerts and top > 0:
        table = Table(title="最高风险人员 / top users")
        for column in ("user", "score", "severity", "window", "main indicators"):
            table.add_column(column)
        for alert in alerts[:top]:
            main = ", ".join(f"{i['key']} {i['contribution']:g}" for i in alert.indicators[:3])
            table.add_row(
                alert.user,
                f"{alert.score:g}",
                f"[{SEVERITY_STYLE[alert.severity]}]{alert.severity}[/]",
                f"{alert.window[0]}…{alert.window[1]}",
                escape(main),
            )
        err.print(table)
    err.print(f"写入 / wrote {escape(str(json_out))} in {time.perf_counter() - started:.1f}s")
