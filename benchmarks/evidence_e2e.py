"""End to end: batched deposits through the HTTP API into acknowledged (included, receipt-ready) deposits.

    .venv/bin/python benchmarks/evidence_e2e.py [--digests 100000] [--batch 5000] [--clients 2]

Starts the real platform (`shangmi run`: gunicorn + the task worker) on a throw-away SQLite data
directory (or DATABASE_URL), posts digests from `--clients` threads, and stops the clock when the last
deposit is included in a durable checkpoint. Issue 3's target: >= 20,000 digests/s on 2 cores.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SHANGMI = Path(sys.executable).with_name("shangmi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method: str, url: str, token: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--digests", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=2)
    args = parser.parse_args()

    data = Path(tempfile.mkdtemp(prefix="shangmi-e2e-"))
    env = {**os.environ, "SHANGMI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "shangmi.settings"}
    port = free_port()
    server = subprocess.Popen(
        [str(SHANGMI), "run", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                urllib.request.urlopen(f"{base}/log/checkpoint", timeout=1)  # noqa: S310
                break
            except OSError:
                time.sleep(0.2)
        token = subprocess.run(
            [str(SHANGMI), "token", "create", "--user", "officer@lanxi.example", "--org", "LXWY"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        batches = []
        for start in range(0, args.digests, args.batch):
            items = []
            for i in range(start, min(start + args.batch, args.digests)):
                content = f"benchmark material {i}".encode()
                items.append(
                    {
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "sm3": hashlib.new("sm3", content).hexdigest(),
                        "size": len(content),
                    }
                )
            batches.append({"kind": "file", "client": "bench/1", "items": items})

        started = time.perf_counter()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda b: call("POST", f"{base}/api/v1/evidence/deposits", token, b), batches))
        posted = time.perf_counter() - started
        while True:
            pending = call("GET", f"{base}/api/v1/evidence/deposits?state=pending&page_size=1", token)[
                "count"
            ]
            if pending == 0:
                break
            time.sleep(0.05)
        total = time.perf_counter() - started
        included = call("GET", f"{base}/api/v1/evidence/deposits?state=included&page_size=1", token)["count"]
        assert included == args.digests, included
        checkpoint = urllib.request.urlopen(f"{base}/log/checkpoint").read().decode().split("\n")[1]  # noqa: S310
        vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(f"machine: {platform.machine()} {os.cpu_count()} cores; database {vendor}")
        print(
            f"{args.digests} digests in batches of {args.batch} from {args.clients} clients: "
            f"accepted in {posted:.2f} s, all included (log size {checkpoint}) after {total:.2f} s"
        )
        print(f"end to end: {args.digests / total:,.0f} digests/s (target 20,000)")
        if vendor == "sqlite":
            import sqlite3
            from datetime import datetime

            with sqlite3.connect(data / "shangmi.sqlite3") as db:
                stamps = [
                    datetime.fromisoformat(r[0])
                    for r in db.execute("SELECT created_at FROM evidence_checkpoint ORDER BY size")
                ]
            gaps = [(b - a).total_seconds() for a, b in zip(stamps, stamps[1:], strict=False)]
            print(
                f"checkpoints published under load: {len(stamps)}; longest gap {max(gaps, default=0):.2f} s"
            )
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
