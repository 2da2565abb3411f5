"""`shangmi fp …`: forensic matching (鉴定辅助) of suspect material against registered secrets, run on the
owner's or the appraiser's own machine (engines.fingerprint, no database): build an index of the register,
scan folders or ZIPs against it, write evidence-grade reports, and make per-case keys for privacy mode."""

from __future__ import annotations

import typer

fp_app = typer.Typer(help="鉴定辅助 / forensic matching against registered secrets", no_args_is_help=True)


def register() -> None:
    from shangmi.cli_fp_index import index, keygen
    from shangmi.cli_fp_scan import report, scan

    fp_app.command()(index)
    fp_app.command()(scan)
    fp_app.command()(report)
    fp_app.command()(keygen)
