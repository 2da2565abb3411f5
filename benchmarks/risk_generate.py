"""Scenario generator speed (issue 8 point 7): events written per second by `generate()` for a synthetic
organisation, against the raw speed of Polars writing the same kind of rows in the same run.

    .venv/bin/python benchmarks/risk_generate.py [--users 1000] [--days 365] [--seed 7] [--dir DIR] [--keep]

The reference reads the first 2,000,000 rows of the generated file.csv into memory and times
`write_csv` of them (with the CERT date format) to the same disk: the cost of CSV output alone. The
ratio shows what generating (drawing, sorting, ids) adds on top. Target: ≥ 300,000 events/s.
Prints one Markdown table row for benchmarks/RESULTS.md, plus the CPU time and the load average, since
the machines are shared.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import polars as pl  # noqa: E402

from shangmi.engines.risk.generator import DATE_FORMAT, generate  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="output folder (default: a temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="risk-generate-"))
    out = work / "cert"
    load_before = os.getloadavg()[0]
    cpu = cpu_seconds()
    report = generate(out, users=args.users, days=args.days, seed=args.seed, overwrite=True)
    cpu = cpu_seconds() - cpu
    load_after = os.getloadavg()[0]

    sample = pl.read_csv(out / "file.csv", infer_schema=False, n_rows=2_000_000)
    sample = sample.with_columns(pl.col("date").str.strptime(pl.Datetime, DATE_FORMAT))
    started = time.perf_counter()
    sample.write_csv(work / "reference.csv", datetime_format=DATE_FORMAT)
    raw = sample.height / (time.perf_counter() - started)
    (work / "reference.csv").unlink()

    rate = report.events_per_second
    print(
        "| date | command | users × days | events | output | time | generated | raw write_csv | generated ÷ raw |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    command = f"`benchmarks/risk_generate.py --users {args.users} --days {args.days} --seed {args.seed}`"
    print(
        f"| {datetime.now(UTC):%Y-%m-%d} | {command} | {args.users:,} × {args.days} | {report.events:,} "
        f"| {report.bytes / 1e9:.2f} GB | {report.seconds:.1f} s | {rate:,.0f} events/s | {raw:,.0f} rows/s "
        f"| {rate / raw:.2f} |"
    )
    print(
        f"\nCPU {cpu:.1f} s ({cpu / report.events * 1e6:.2f} µs an event); "
        f"load average {load_before:.1f} before, {load_after:.1f} after; {os.cpu_count()} cores."
    )
    if not args.keep and args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
