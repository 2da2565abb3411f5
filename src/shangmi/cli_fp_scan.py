"""`shangmi fp scan` and `shangmi fp report` (issue 7 points 3 and 5).

`scan` prints a summary table; `--json` writes the full result, `--html` the offline report.
Exit status: 0 on success (whether or not anything matched), 2 on bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from shangmi.cli_fp_common import err, fail, rate_progress, read_key

console = Console(soft_wrap=True)


def _summary(result, top: int) -> None:
    stats = result.stats()
    table = Table(title=f"matches (score ≥ {result.threshold})")
    for col in ("suspect", "item", "score", "C(suspect→item)", "C(item→suspect)", "longest run", "method"):
        table.add_column(col)
    for p in result.matches()[:top]:
        table.add_row(
            escape(p["suspect"]),
            escape(p["item"]),
            f"{p['score']:.3f}",
            "" if p["containment_suspect_in_item"] is None else f"{p['containment_suspect_in_item']:.2f}",
            "" if p["containment_item_in_suspect"] is None else f"{p['containment_item_in_suspect']:.2f}",
            f"{p['longest_run'] or ''} {p['longest_run_unit']}",
            p["method"],
        )
    console.print(table)
    console.print(
        f"{stats['files']} files, {stats['bytes'] / 1e6:.1f} MB in {stats['seconds']:.1f} s "
        f"({stats['files_per_s']} files/s, {stats['mb_per_s']} MB/s); {stats['pairs']} pairs, "
        f"{stats['matches']} matches, {stats['skipped']} skipped, {stats['digest_only']} digest only"
    )
    for s in result.skipped()[:top]:
        console.print(f"  [yellow]{escape(s['reason'])}[/] {escape(s['suspect'])}: {escape(s['message'])}")


def scan(
    suspects: Annotated[list[Path], typer.Argument(help="Suspect files, folders or ZIPs")],
    index_path: Annotated[Path, typer.Option("--index", help="Index from `shangmi fp index`")],
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the full result here (JSON)")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the offline HTML report here")
    ] = None,
    key_file: Annotated[
        Path | None, typer.Option("--key-file", help="The case key the index was built with")
    ] = None,
    threshold: Annotated[
        float | None, typer.Option(help="Decision threshold (default: the index's, 0.5)")
    ] = None,
    workers: Annotated[int, typer.Option(help="Worker processes")] = 2,
    top: Annotated[int, typer.Option(help="Matches listed in the summary")] = 20,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar")] = False,
) -> None:
    """比对可疑材料 / Scan suspect material against the index."""
    from shangmi.engines.fingerprint import report as fp_report
    from shangmi.engines.fingerprint import scan as fp_scan
    from shangmi.engines.fingerprint.errors import FingerprintError

    for p in suspects:
        if not p.exists():
            fail(f"{p}: no such file or folder")
    if threshold is not None and not 0 <= threshold <= 1:
        fail("--threshold must lie between 0 and 1")
    key = read_key(key_file)
    try:
        with rate_progress("scanning", quiet) as progress:
            result = fp_scan.run(
                index_path, suspects, key=key, workers=workers, threshold=threshold, progress=progress
            )
    except FingerprintError as exc:
        fail(f"{index_path}: {exc}")
    if json_out:
        json_out.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        err.print(f"[green]result[/] → {escape(str(json_out))}")
    if html_out:
        pages = fp_report.write_html(result, html_out)
        err.print(f"[green]report[/] → {escape(str(pages[0]))}")
    _summary(result, top)


def report(
    result_json: Annotated[Path, typer.Argument(help="A result from `shangmi fp scan --json`")],
    html_out: Annotated[Path, typer.Option("--html", help="Folder for the HTML report")],
    no_content: Annotated[bool, typer.Option("--no-content", help="Ranges only, no file content")] = False,
) -> None:
    """生成鉴定辅助报告 / Write the offline HTML report of a scan result."""
    from shangmi.engines.fingerprint import report as fp_report
    from shangmi.engines.fingerprint.result import ScanResult

    try:
        result = ScanResult.from_json(json.loads(result_json.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{result_json}: not a scan result: {exc}")
    pages = fp_report.write_html(result, html_out, show_content=not no_content)
    err.print(f"[green]report[/] → {escape(str(pages[0]))}")
