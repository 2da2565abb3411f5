"""Inclusion proofs from tiles at 10^7 entries: generation and verification latency.

    .venv/bin/python benchmarks/tlog_tile_proofs.py [--entries 10000000] [--samples 10000]

Builds a real tiled log with the sequencer (fsync off while building: only reading is measured), then
for random leaves reads the proof through TileHashReader from the tile files (a fresh, cold tile cache
per proof and a shared warm one) and verifies it. Issue 3's targets: proof p99 < 2 ms, verify p99 < 1 ms.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from shangmi.engines.tlog.checkpoint import Checkpoint, sign_checkpoint
from shangmi.engines.tlog.hashing import leaf_hash
from shangmi.engines.tlog.keys import generate_signer, parse_signer_key
from shangmi.engines.tlog.merkle import inclusion_proof
from shangmi.engines.tlog.sequencer import Log
from shangmi.engines.tlog.storage import FileStorage, TileCache, TileHashReader, read_entries
from shangmi.engines.tlog.verify import verify_inclusion

ORIGIN = "bench.local/log"


def pct(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(len(values) * p))] * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="shangmi-tiles-bench-"))
    signer = parse_signer_key(generate_signer(ORIGIN)[0])
    try:
        started = time.perf_counter()
        log = Log(root, ORIGIN, lambda s, r: sign_checkpoint(Checkpoint(ORIGIN, s, r), signer), fsync=False)
        batch = 50_000
        for start in range(0, args.entries, batch):
            log.append_batch([b"entry %09d" % i for i in range(start, min(start + batch, args.entries))])
        size, root_hash = log.size, log.root_hash
        log.close()
        built = time.perf_counter() - started
        storage = FileStorage(root, fsync=False)
        rng = random.Random(7)
        indexes = [rng.randrange(size) for _ in range(args.samples)]
        warm = TileCache()
        results = {}
        for label, cache_for in (("cold cache", lambda: TileCache()), ("warm cache", lambda: warm)):
            gen, ver = [], []
            for index in indexes:
                t0 = time.perf_counter()
                proof = inclusion_proof(index, size, TileHashReader(storage, size, cache_for()))
                t1 = time.perf_counter()
                [entry] = read_entries(storage, index, index + 1, size)
                t2 = time.perf_counter()
                verify_inclusion(index, size, leaf_hash(entry), proof, root_hash)
                t3 = time.perf_counter()
                gen.append(t1 - t0)
                ver.append(t3 - t2)
            results[label] = (gen, ver)
        print(
            f"machine: {platform.machine()} {os.cpu_count()} cores; {size:,} entries built in {built:.0f} s"
        )
        for label, (gen, ver) in results.items():
            print(
                f"{label}: proof from tiles p50 {statistics.median(gen) * 1000:.3f} ms, p99 {pct(gen, 0.99):.3f} ms; "
                f"verify p50 {statistics.median(ver) * 1000:.3f} ms, p99 {pct(ver, 0.99):.3f} ms"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
