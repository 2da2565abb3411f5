"""`shangmi deposit` over 1 GB of files, against `sha256sum` and `openssl dgst -sm3` on the same files.

    .venv/bin/python benchmarks/deposit_hashing.py [--mb 1024] [--files 8]

Writes the files into a temporary folder, runs each tool once to warm the page cache, then times each
tool and the real `shangmi deposit FOLDER --org LXWY` (local mode: hash SHA-256 + SM3 in one pass per
file on both cores, deposit, include, write receipts) on a throw-away data directory.
Issue 3's target: shangmi's MB/s >= 0.8 x the slower of the two reference tools.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SHANGMI = Path(sys.executable).with_name("shangmi")


def timed(command: list[str], env: dict | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=1024)
    parser.add_argument("--files", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="shangmi-hash-bench-"))
    try:
        folder = work / "material"
        folder.mkdir()
        per_file = args.mb * 1024 * 1024 // args.files
        block = os.urandom(1 << 20)
        for i in range(args.files):
            with open(folder / f"part{i}.bin", "wb") as handle:
                for _ in range(per_file >> 20):
                    handle.write(block)
        files = sorted(str(p) for p in folder.iterdir())
        total_mb = args.mb * 1024 * 1024 / 1e6
        data = work / "data"
        env = {**os.environ, "SHANGMI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "shangmi.settings"}
        env.pop("DATABASE_URL", None)
        subprocess.run([str(SHANGMI), "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([str(SHANGMI), "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        for command in (["sha256sum", *files], ["openssl", "dgst", "-sm3", *files]):
            timed(command)  # warm the page cache
        sha = timed(["sha256sum", *files])
        sm3 = timed(["openssl", "dgst", "-sm3", *files])
        ours = timed(
            [str(SHANGMI), "deposit", str(folder), "--org", "LXWY", "--out", str(work / "receipts")], env
        )
        slower = min(total_mb / sha, total_mb / sm3)
        print(f"machine: {platform.machine()} {os.cpu_count()} cores; {args.files} files, {total_mb:.0f} MB")
        print(f"sha256sum          {total_mb / sha:8.1f} MB/s")
        print(f"openssl dgst -sm3  {total_mb / sm3:8.1f} MB/s")
        print(
            f"shangmi deposit    {total_mb / ours:8.1f} MB/s (SHA-256 + SM3, both cores, deposit + receipts)"
        )
        print(f"ratio to the slower reference: {total_mb / ours / slower:.2f} (target >= 0.8)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
