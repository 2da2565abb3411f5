"""`shangmi risk …`: insider-risk monitoring on the logs an organisation already has, run on its own
machine (engines.risk, no database): ingest logs into a Parquet store, score it, or generate a synthetic
organisation's logs in the CERT r6 layout."""

from __future__ import annotations

import typer

risk_app = typer.Typer(help="内部风险监测 / insider-risk monitoring", no_args_is_help=True)


def register() -> None:
    from shangmi.cli_risk_generate import generate
    from shangmi.cli_risk_ingest import ingest
    from shangmi.cli_risk_score import score

    risk_app.command()(ingest)
    risk_app.command()(score)
    risk_app.command()(generate)
