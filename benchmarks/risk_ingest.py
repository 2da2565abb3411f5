"""Insider-risk ingestion: CERT r6 CSV → normalised events in the Parquet event store.

    .venv/bin/python benchmarks/risk_ingest.py [--events 20000000] [--dir DIR] [--keep]
    .venv/bin/python benchmarks/risk_ingest.py --events 100000000      # must stay within 24 GB

Generates a CERT r6-layout data set of ``--events`` rows in a temporary folder (http.csv 50 %,
file.csv 30 %, logon.csv 20 %, sorted by time over one year, 4,000 users; each file written in chunks
of at most 5 M rows so generation memory stays flat; realistic column widths including a short
``content`` column), then times ``EventStore(...).ingest(load_preset("cert-r6", [folder]))`` — CSV parse,
time parsing with the time-zone conversion, action mapping, URL hosts, partitioning by day, zstd
Parquet, fsync — and the reference: polars reading the same CSV columns and doing nothing else.
Reports events/s (target: >= 1,000,000 events/s on 2 cores), CPU seconds, and peak RSS of the
ingesting process (``resource.getrusage``; the data set is generated in a child process). Prints a
Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.risk.presets import load_preset  # noqa: E402
from shangmi.engines.risk.store import EventStore  # noqa: E402

CHUNK = 5_000_000
SPAN_SECONDS = 365 * 86_400
START = datetime(2010, 1, 2, tzinfo=UTC)  # only its wall-clock digits are written, as CERT does
SHARES = {"http.csv": 0.5, "file.csv": 0.3, "logon.csv": 0.2}


def pools(seed: int = 8) -> dict[str, pl.Series]:
    rng = random.Random(seed)
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    domains = [f"{''.join(rng.choices(letters.lower(), k=rng.randint(4, 12)))}.com" for _ in range(2000)]
    return {
        "user": pl.Series([f"{''.join(rng.choices(letters, k=3))}{i:04d}" for i in range(4000)]),
        "url": pl.Series(
            [
                f"http://{rng.choice(domains)}/{'/'.join(rng.choices(['a', 'wiki', 'news', 'img', 'x1'], k=3))}"
                f"/{''.join(rng.choices('abcdefghij', k=8))}.{rng.choice(['htm', 'php', 'jsp', 'aspx'])}"
                for _ in range(50_000)
            ]
        ),
        "filename": pl.Series(
            [
                f"R:\\{''.join(rng.choices(letters, k=6))}\\{''.join(rng.choices(letters, k=8))}"
                f".{rng.choice(['doc', 'pdf', 'txt', 'zip', 'exe', 'jpg'])}"
                for _ in range(20_000)
            ]
        ),
    }


def _pick(series: pl.Series, offset: int, n: int, seed: int) -> pl.Expr:
    index = (pl.int_range(offset, offset + n, dtype=pl.UInt64).hash(seed) % series.len()).cast(pl.Int64)
    return pl.lit(series).gather(index)


def chunk(kind: str, offset: int, n: int, total: int, p: dict[str, pl.Series]) -> pl.DataFrame:
    """Rows [offset, offset+n) of a file of ``total`` rows, spread evenly over the year."""
    index = pl.int_range(offset, offset + n, dtype=pl.Int64)
    rand = (pl.int_range(offset, offset + n, dtype=pl.UInt64).hash(len(kind)) % 100).cast(pl.Int64)
    date = (pl.lit(START) + pl.duration(seconds=index * SPAN_SECONDS // total)).dt.strftime(
        "%m/%d/%Y %H:%M:%S"
    )
    common = [
        pl.format("{{{}}}", pl.int_range(offset, offset + n, dtype=pl.UInt64).hash(99)).alias("id"),
        date.alias("date"),
        _pick(p["user"], offset, n, 1).alias("user"),
        pl.format("PC-{}", (rand * 97 + index) % 5000).alias("pc"),
    ]
    if kind == "logon.csv":
        activity = pl.when(rand < 50).then(pl.lit("Logon")).otherwise(pl.lit("Logoff"))
        return pl.select(*common, activity.alias("activity"))
    if kind == "http.csv":
        activity = (
            pl.when(rand < 90)
            .then(pl.lit("WWW Visit"))
            .when(rand < 97)
            .then(pl.lit("WWW Download"))
            .otherwise(pl.lit("WWW Upload"))
        )
        return pl.select(
            *common,
            _pick(p["url"], offset, n, 2).alias("url"),
            activity.alias("activity"),
            pl.lit("intranet quarterly report download forecast roadmap").alias("content"),
        )
    activity = pl.lit(pl.Series(["File Open", "File Write", "File Copy", "File Delete"])).gather(rand % 4)
    return pl.select(
        *common,
        _pick(p["filename"], offset, n, 3).alias("filename"),
        activity.alias("activity"),
        pl.when(rand < 10).then(pl.lit("True")).otherwise(pl.lit("False")).alias("to_removable_media"),
        pl.when(rand % 10 == 1).then(pl.lit("True")).otherwise(pl.lit("False")).alias("from_removable_media"),
        pl.lit("D0-CF-11-E0-A1-B1-1A-E1 draft design review notes").alias("content"),
    )


def generate(folder: Path, events: int) -> int:
    p = pools()
    written = 0
    for kind, share in SHARES.items():
        total = int(events * share) if kind != "logon.csv" else events - written
        with (folder / kind).open("wb") as handle:
            for offset in range(0, total, CHUNK):
                frame = chunk(kind, offset, min(CHUNK, total - offset), total, p)
                frame.write_csv(handle, include_header=offset == 0)
                del frame
        written += total
    return written


def reference(folder: Path) -> float:
    """Seconds for polars to read the columns the loader uses, to no output (streaming)."""
    columns = {
        "http.csv": ["date", "user", "pc", "url", "activity"],
        "file.csv": ["date", "user", "pc", "filename", "activity", "to_removable_media"],
        "logon.csv": ["date", "user", "pc", "activity"],
    }
    started = time.perf_counter()
    for name, cols in columns.items():
        pl.scan_csv(folder / name, infer_schema=False).select(
            pl.col(c).str.len_bytes().sum() for c in cols
        ).collect(engine="streaming")
    return time.perf_counter() - started


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20_000_000)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the generated data and store")
    parser.add_argument("--reference", action="store_true", help="also time a bare polars CSV scan")
    parser.add_argument("--generate-only", type=Path, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate_only:  # the child process: keeps generation out of the parent's peak RSS
        generate(args.generate_only, args.events)
        return

    work = Path(tempfile.mkdtemp(prefix="risk-ingest-", dir=args.dir))
    data, store_dir = work / "cert", work / "store"
    data.mkdir()
    try:
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, __file__, "--events", str(args.events), "--generate-only", str(data)], check=True
        )
        events = args.events  # generate() writes exactly this many rows (logon.csv takes the remainder)
        size = sum(f.stat().st_size for f in data.iterdir())
        print(
            f"generated {events:,} rows, {size / 1e9:.2f} GB of CSV in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        load = os.getloadavg()[0]
        cpu0, started = cpu_seconds(), time.perf_counter()
        report = EventStore(store_dir).ingest(
            load_preset("cert-r6", [data]),
            on_done=lambda r: print(
                f"  {Path(r.path).name}: {r.rows_read:,} rows in {r.seconds:.1f} s "
                f"({r.rows_read / r.seconds:,.0f} rows/s)",
                file=sys.stderr,
            ),
        )
        seconds = time.perf_counter() - started
        cpu = cpu_seconds() - cpu0
        peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
        ref = reference(data) if args.reference else None
        stored = sum(f.stat().st_size for f in (store_dir / "events").rglob("*.parquet"))
        assert report.rows_read == events, (report.rows_read, events)
        print(
            f"read {report.rows_read:,} kept {report.rows_kept:,} dropped {report.dropped} "
            f"days {len(report.days)}; Parquet {stored / 1e9:.2f} GB; load average before {load:.1f}",
            file=sys.stderr,
        )
        ref_text = f"{events / ref:,.0f} rows/s" if ref else "—"
        print(
            "| date | command | machine | events | CSV | ingest | events/s | CPU s | "
            "bare polars CSV read | peak RSS |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
        )
        print(
            f"| {datetime.now(UTC):%Y-%m-%d} | `benchmarks/risk_ingest.py --events {args.events}` "
            f"| {platform.machine()}, {os.cpu_count()} cores | {events:,} | {size / 1e9:.1f} GB "
            f"| {seconds:.1f} s | {events / seconds:,.0f} | {cpu:.1f} | {ref_text} | {peak_gb:.2f} GB |"
        )
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"kept {work}", file=sys.stderr)


if __name__ == "__main__":
    main()
