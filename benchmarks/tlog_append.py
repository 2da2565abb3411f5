"""Evidence log: durable append throughput of engines.tlog, against raw write+fsync of the same bytes.

    .venv/bin/python benchmarks/tlog_append.py [--entries 200000] [--batches 1000,10000] [--dir DIR]

For each batch size it appends ``--entries`` random 32-100-byte entries through `sequencer.Log.append_batch`
with fsync on (entry bundles, hash tiles, Ed25519-signed checkpoint, all durable before return) and, as
the reference, writes the same entries' bytes with one ``os.write`` + ``fsync`` per batch to a flat file.
It also measures the concurrent front end (`Sequencer`, 16 clients × groups of 100 and 8 × 1,000). Prints one
Markdown table row per batch size for benchmarks/RESULTS.md. The issue's target is >= 50,000 entries/s.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.tlog.checkpoint import Checkpoint, sign_checkpoint  # noqa: E402
from shangmi.engines.tlog.keys import signer_from_seed  # noqa: E402
from shangmi.engines.tlog.sequencer import Log, Sequencer  # noqa: E402

ORIGIN = "bench.shangmi.test/log"
SIGNER = signer_from_seed(ORIGIN, hashlib.sha256(b"benchmark key").digest())


def publish(size: int, root: bytes) -> str:
    return sign_checkpoint(Checkpoint(ORIGIN, size, root), SIGNER)


def make_entries(count: int, rng: random.Random) -> list[bytes]:
    return [rng.randbytes(rng.randrange(32, 101)) for _ in range(count)]


def bench_log(directory: str, batches: list[list[bytes]]) -> tuple[float, list[float]]:
    log = Log(directory, ORIGIN, publish)
    latencies = []
    started = time.perf_counter()
    for batch in batches:
        t = time.perf_counter()
        log.append_batch(batch)
        latencies.append(time.perf_counter() - t)
    elapsed = time.perf_counter() - started
    log.close()
    return elapsed, latencies


def bench_raw(directory: str, batches: list[list[bytes]]) -> float:
    fd = os.open(os.path.join(directory, "raw"), os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    started = time.perf_counter()
    for batch in batches:
        data = b"".join(batch)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    elapsed = time.perf_counter() - started
    os.close(fd)
    return elapsed


def bench_sequencer(directory: str, entries: list[bytes], threads: int, group: int) -> tuple[float, int]:
    """Closed loop: ``threads`` clients each submit a group and wait for its acknowledgement, repeatedly."""
    log = Log(directory, ORIGIN, publish)
    chunks = [entries[i : i + group] for i in range(0, len(entries), group)]
    started = time.perf_counter()
    with Sequencer(log) as seq:

        def worker(k: int) -> None:
            for chunk in chunks[k::threads]:
                seq.submit_many(chunk).result()

        pool = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in pool:
            t.start()
        for t in pool:
            t.join()
        batches = seq.batches
    elapsed = time.perf_counter() - started
    log.close()
    return elapsed, batches


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--batches", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=3, help="runs per batch size; the median is reported")
    parser.add_argument("--dir", default=None, help="where to write (default: the system temp dir)")
    args = parser.parse_args()

    rng = random.Random(1)
    entries = make_entries(args.entries, rng)
    base = args.dir or tempfile.gettempdir()
    print(
        f"# {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"load {os.getloadavg()[0]:.2f}, writing under {base}"
    )
    rows = []
    for batch_size in [int(b) for b in args.batches.split(",")]:
        batches = [entries[i : i + batch_size] for i in range(0, len(entries), batch_size)]
        log_rates, raw_rates, latencies = [], [], []
        for _ in range(args.repeat):
            work = tempfile.mkdtemp(prefix="tlog-bench-", dir=base)
            try:
                log_s, run_latencies = bench_log(os.path.join(work, "log"), batches)
                raw_s = bench_raw(work, batches)
            finally:
                shutil.rmtree(work)
            log_rates.append(len(entries) / log_s)
            raw_rates.append(len(entries) / raw_s)
            latencies += run_latencies
        log_rate, raw_rate = statistics.median(log_rates), statistics.median(raw_rates)
        p50 = statistics.median(latencies) * 1000
        p99 = sorted(latencies)[int(0.99 * (len(latencies) - 1))] * 1000
        print(
            f"batch {batch_size:>6}: log {log_rate:>9,.0f} entries/s (runs {min(log_rates):,.0f}..{max(log_rates):,.0f}; "
            f"batch p50 {p50:.1f} ms, p99 {p99:.1f} ms); raw write+fsync {raw_rate:>10,.0f} entries/s; "
            f"log/raw = {log_rate / raw_rate:.3f}"
        )
        rows.append((batch_size, log_rate, raw_rate, p50, p99))

    seq_rows = []
    for threads, group in [(16, 100), (8, 1000)]:
        work = tempfile.mkdtemp(prefix="tlog-bench-", dir=base)
        try:
            seq_s, seq_batches = bench_sequencer(os.path.join(work, "log"), entries, threads, group)
        finally:
            shutil.rmtree(work)
        seq_rate = len(entries) / seq_s
        print(
            f"Sequencer, {threads} clients submitting groups of {group}: {seq_rate:,.0f} entries/s in "
            f"{seq_batches} batches ({seq_batches / seq_s:.0f} checkpoints/s)"
        )
        seq_rows.append((threads, group, seq_rate, seq_batches / seq_s))

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    print("\n| date | command | batch | log append (fsync) | raw write+fsync | log ÷ raw | batch p50 / p99 |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for batch_size, log_rate, raw_rate, p50, p99 in rows:
        print(
            f"| {today} | `benchmarks/tlog_append.py --entries {args.entries} --repeat {args.repeat}` | {batch_size:,} | "
            f"{log_rate:,.0f} entries/s | {raw_rate:,.0f} entries/s | {log_rate / raw_rate:.3f} | "
            f"{p50:.1f} / {p99:.1f} ms |"
        )
    for threads, group, seq_rate, cps in seq_rows:
        print(
            f"| {today} | (same run) Sequencer, {threads} clients × groups of {group} | group commit | "
            f"{seq_rate:,.0f} entries/s | | | {cps:.0f} checkpoints/s |"
        )


if __name__ == "__main__":
    main()
