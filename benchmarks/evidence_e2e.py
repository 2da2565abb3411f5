"""End to end: batched deposits through the HTTP API into acknowledged (included, receipt-ready) deposits.

    .venv/bin/python benchmarks/evidence_e2e.py [--digests 100000] [--batch 5000] [--clients 2]

Starts the real platform (`shangmi run`: granian + the task worker) on a throw-away SQLite data
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
import threading
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SHANGMI = Path(sys.executable).with_name("shangmi")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_items(start: int, stop: int) -> list[dict]:
    items = []
    for i in range(start, stop):
        content = f"benchmark material {i}".encode()
        items.append(
            {
                "sha256": hashlib.sha256(content).hexdigest(),
                "sm3": hashlib.new("sm3", content).hexdigest(),
                "size": len(content),
            }
        )
    return items


def post(base: str, token: str, body: bytes) -> dict:
    return call("POST", f"{base}/api/v1/evidence/deposits", token, body)


def wait_until_included(base: str, token: str) -> None:
    while call("GET", f"{base}/api/v1/evidence/deposits?state=pending&page_size=1", token)["count"]:
        time.sleep(0.05)


def call(method: str, url: str, token: str, data: bytes | None = None) -> dict:
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback only
        return json.loads(response.read())


def watch_checkpoints(base: str, done: threading.Event, published: list[tuple[float, int]]) -> None:
    """Poll the public checkpoint every 50 ms as a monitor would, noting when each new size appears."""
    last = None
    while not done.is_set():
        try:
            with urllib.request.urlopen(f"{base}/log/checkpoint", timeout=10) as response:  # noqa: S310
                size = int(response.read().decode().split("\n")[1])
        except urllib.error.HTTPError as error:  # 404 until the first checkpoint
            if error.code != 404:
                raise
            size = 0
        if size != last:
            if last is not None:
                published.append((time.perf_counter(), size))
            last = size
        time.sleep(0.05)


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
                urllib.request.urlopen(f"{base}/api/v1/evidence/log", timeout=1)  # noqa: S310
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
        bodies = [
            json.dumps(
                {
                    "kind": "file",
                    "client": "bench/1",
                    "items": make_items(start, min(start + args.batch, args.digests)),
                }
            ).encode()
            for start in range(0, args.digests, args.batch)
        ]
        # Warm-up outside the clock: both web workers serve a deposit and the log writer is running.
        for warm in range(4):
            post(
                base,
                token,
                json.dumps(
                    {"kind": "file", "client": "bench/1", "items": make_items(-1 - warm, -warm)}
                ).encode(),
            )
        wait_until_included(base, token)

        done = threading.Event()
        published: list[tuple[float, int]] = []  # (when seen, log size) at each new checkpoint
        watcher = threading.Thread(target=watch_checkpoints, args=(base, done, published))
        started = time.perf_counter()
        watcher.start()
        with ThreadPoolExecutor(args.clients) as pool:
            list(pool.map(lambda body: post(base, token, body), bodies))
        posted = time.perf_counter() - started
        wait_until_included(base, token)
        total = time.perf_counter() - started
        done.set()
        watcher.join()
        included = call("GET", f"{base}/api/v1/evidence/deposits?state=included&page_size=1", token)["count"]
        assert included == args.digests + 4, included
        checkpoint = urllib.request.urlopen(f"{base}/log/checkpoint").read().decode().split("\n")[1]  # noqa: S310
        vendor = "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"
        print(f"machine: {platform.machine()} {os.cpu_count()} cores; database {vendor}")
        print(
            f"{args.digests} digests in batches of {args.batch} from {args.clients} clients: "
            f"accepted in {posted:.2f} s, all included (log size {checkpoint}) after {total:.2f} s"
        )
        print(f"end to end: {args.digests / total:,.0f} digests/s (target 20,000)")
        # Cadence under load: from the first post until everything is included, the longest time a
        # client polling /log/checkpoint saw no new checkpoint (the first interval starts at the first post).
        moments = [started] + [seen for seen, _size in published]
        gaps = [b - a for a, b in zip(moments, moments[1:], strict=False)]
        print(
            f"checkpoints published under load: {len(published)}; "
            f"longest interval without a new one {max(gaps, default=total):.2f} s (target <= 1 s)"
        )
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
