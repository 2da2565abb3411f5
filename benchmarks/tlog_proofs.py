"""Merkle proofs at 10^7 entries: build the stored hashes, then time proof generation and verification.

    .venv/bin/python benchmarks/tlog_proofs.py [--leaves 10000000] [--samples 10000] [--dir DIR]

Builds the real stored-hash array of the log (stored_hash_count(n) = 2n - popcount(n) hashes of 32 bytes,
about 640 MB for 10^7 leaves) with engines.tlog.merkle.stored_hashes_for_batch, writes it to a file, and
reads it back through mmap (BytesHashReader), so every proof reads actual stored bytes by index. Then, for
`--samples` random leaves, times inclusion_proof (from the stored hashes) and verify_inclusion, and for
1,000 random old sizes consistency_proof and verify_consistency. The reference is raw SHA-256 of one node
(65 bytes) in the same run: verification cost ÷ (proof length × one node hash) shows the Python overhead.

This is a flat stored-hash file, not C2SP tiles: tiles.py reads the same hashes from 8-bit tiles, so a
tile-backed proof adds the tile reads (at most a few files) on top of these figures.
Prints one Markdown table row for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import mmap
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.tlog.hashing import HASH_SIZE, leaf_hash  # noqa: E402
from shangmi.engines.tlog.merkle import (  # noqa: E402
    BytesHashReader,
    consistency_proof,
    inclusion_proof,
    stored_hash_count,
    stored_hashes_for_batch,
    tree_hash,
    verify_consistency,
    verify_inclusion,
)

BATCH = 1 << 16


def entry(i: int) -> bytes:
    return b"bench entry %d" % i


def build(leaves: int, path: Path) -> float:
    """Append `leaves` records in batches; write the stored hashes to `path`. Returns seconds spent."""
    buf = bytearray()
    reader = BytesHashReader(buf)
    started = time.perf_counter()
    last_report = started
    for start in range(0, leaves, BATCH):
        end = min(start + BATCH, leaves)
        buf += b"".join(
            stored_hashes_for_batch(start, [leaf_hash(entry(i)) for i in range(start, end)], reader)
        )
        now = time.perf_counter()
        if now - last_report > 10:
            print(
                f"  built {end:,} of {leaves:,} leaves ({end / (now - started):,.0f} leaves/s)",
                file=sys.stderr,
            )
            last_report = now
    assert len(buf) == stored_hash_count(leaves) * HASH_SIZE
    with path.open("wb") as f:
        f.write(buf)
        f.flush()
        os.fsync(f.fileno())
    return time.perf_counter() - started


def percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    """(p50, p99, max) in milliseconds."""
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) / 1e6, p99 / 1e6, ordered[-1] / 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--dir", type=Path, default=None, help="where to write the stored-hash file")
    parser.add_argument("--keep", action="store_true", help="keep the stored-hash file")
    args = parser.parse_args()
    n = args.leaves

    folder = args.dir or Path(tempfile.mkdtemp(prefix="shangmi-tlog-bench-"))
    path = folder / f"stored-hashes-{n}.bin"
    if path.exists() and path.stat().st_size == stored_hash_count(n) * HASH_SIZE:
        build_s = float("nan")
        print(f"reusing {path}", file=sys.stderr)
    else:
        print(f"building {n:,} leaves into {path}", file=sys.stderr)
        build_s = build(n, path)

    rng = random.Random(20261122)
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mm:
        reader = BytesHashReader(mm)
        root = tree_hash(n, reader)

        indexes = [rng.randrange(n) for _ in range(args.samples)]
        leaves = [leaf_hash(entry(i)) for i in indexes]
        gen_ns, ver_ns, proofs = [], [], []
        for index in indexes:
            t0 = time.perf_counter_ns()
            proof = inclusion_proof(index, n, reader)
            gen_ns.append(time.perf_counter_ns() - t0)
            proofs.append(proof)
        for index, leaf, proof in zip(indexes, leaves, proofs, strict=True):
            t0 = time.perf_counter_ns()
            verify_inclusion(index, n, leaf, proof, root)
            ver_ns.append(time.perf_counter_ns() - t0)

        olds = [rng.randrange(1, n) for _ in range(1000)]
        old_roots = [tree_hash(m, reader) for m in olds]
        cgen_ns, cver_ns = [], []
        for m, old_root in zip(olds, old_roots, strict=True):
            t0 = time.perf_counter_ns()
            proof = consistency_proof(m, n, reader)
            cgen_ns.append(time.perf_counter_ns() - t0)
            t0 = time.perf_counter_ns()
            verify_consistency(m, n, old_root, root, proof)
            cver_ns.append(time.perf_counter_ns() - t0)

    node = b"\x01" + bytes(64)
    reps = 200_000
    t0 = time.perf_counter_ns()
    for _ in range(reps):
        hashlib.sha256(node).digest()
    sha_ns = (time.perf_counter_ns() - t0) / reps
    mean_len = statistics.mean(len(p) for p in proofs)

    g50, g99, gmax = percentiles(gen_ns)
    v50, v99, vmax = percentiles(ver_ns)
    c50, c99, _ = percentiles(cgen_ns)
    cv50, cv99, _ = percentiles(cver_ns)
    ratio = statistics.median(ver_ns) / (mean_len * sha_ns)
    if not args.keep and args.dir is None:
        path.unlink()
        folder.rmdir()

    print(
        f"leaves {n:,}; stored hashes {stored_hash_count(n):,} ({stored_hash_count(n) * HASH_SIZE / 1e6:,.0f} MB)"
    )
    print(f"build: {build_s:.1f} s = {n / build_s:,.0f} leaves/s (leaf + node hashing, pure Python)")
    print(f"inclusion proof from stored hashes ({args.samples:,} random leaves, {mean_len:.1f} hashes):")
    print(f"  generate p50 {g50:.3f} ms  p99 {g99:.3f} ms  max {gmax:.3f} ms")
    print(f"  verify   p50 {v50:.3f} ms  p99 {v99:.3f} ms  max {vmax:.3f} ms")
    print(f"consistency proof to {n:,} from 1,000 random sizes:")
    print(f"  generate p50 {c50:.3f} ms  p99 {c99:.3f} ms;  verify p50 {cv50:.3f} ms  p99 {cv99:.3f} ms")
    print(
        f"raw SHA-256 of one node: {sha_ns / 1000:.2f} µs; verify ÷ (proof length × node hash) = {ratio:.1f}x"
    )
    date = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    print()
    print(
        f"| {date} | `benchmarks/tlog_proofs.py --leaves {n}` | {platform.python_version()} "
        f"| build {n / build_s:,.0f} leaves/s | inclusion p99 {g99:.3f} ms | verify p99 {v99:.3f} ms "
        f"| consistency p99 {c99:.3f} ms / verify {cv99:.3f} ms | verify ÷ raw SHA-256 {ratio:.1f}x |"
    )


if __name__ == "__main__":
    main()
