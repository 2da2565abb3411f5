"""The register at scale: list page and list API latency with 100,000 secrets and 500,000 carriers.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/shangmi_bench_registry \
        .venv/bin/python benchmarks/registry_list.py [--secrets 100000] [--carriers 500000] \
        [--clients 20] [--seconds 30] [--think 0] [--workers 2]

Starts the real platform (`shangmi run`: granian 2 workers × 2 threads + the task worker) on a fresh
PostgreSQL database (dropped and created by this script), seeds the demo enterprise's register with COPY
(rows as the actions would leave them, without their timeline: the list never reads it), then drives
`--clients` closed-loop clients over loopback, each with its own keep-alive connection, for `--seconds`
per scenario after a 5 s warm-up (`--think S`: each client waits 0.5–1.5 × S between requests, as a
person would, and starts at a random moment in the first S seconds).
Issue 4's target: p95 < 150 ms for the list page and the list API under 20 clients.
The reference in the same run is the platform's cheapest authenticated page (`/api/v1/me`): the ratio
shows what the register's queries and rendering cost on top of the request path itself.
"""

from __future__ import annotations

import argparse
import http.client
import os
import platform
import random
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg

from shangmi.apps.registry.search import normalise, search_tokens

SHANGMI = Path(sys.executable).with_name("shangmi")
ORG = "LXWY"
SHANGHAI = ZoneInfo("Asia/Shanghai")
PASSWORD = "Shangmi-Demo-2026"
MANAGER = "manager@lanxi.example"  # reads the whole register; no second factor required

WORDS = [
    "铝合金",
    "压铸",
    "模具",
    "预热",
    "保压",
    "配方",
    "釉料",
    "陶瓷",
    "阀芯",
    "恒温",
    "节水",
    "传感器",
    "算法",
    "控制器",
    "固件",
    "电路",
    "注塑",
    "表面处理",
    "电镀",
    "抛光",
    "检测",
    "试验",
    "客户",
    "报价",
    "成本",
    "供应商",
    "招标",
    "渠道",
    "经销",
    "策略",
    "图纸",
    "工艺",
    "参数",
    "曲线",
]
DEPARTMENTS = [
    "研发部",
    "生产部",
    "销售部",
    "质量部",
    "采购部",
    "工艺部",
    "市场部",
    "财务部",
    "设备部",
    "信息部",
]
TECHNICAL = ["process", "formula", "drawing", "source_code", "algorithm", "test_data", "equipment", "other"]
BUSINESS = ["customers", "pricing", "strategy", "bidding", "suppliers", "other"]
CARRIER_KINDS = ["document", "drawing", "repository", "paper", "sample", "device", "other"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def recreate_database(url: str, parallel: bool) -> None:
    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        if not parallel:
            # docs/operations.md: on a small server, parallel plans for many small concurrent queries
            # make each wait for worker processes on cores that are already busy.
            conn.execute(f'ALTER DATABASE "{name}" SET max_parallel_workers_per_gather = 0')


def seed(url: str, n_secrets: int, n_carriers: int) -> float:
    """COPY the register into the demo enterprise. Returns the seconds it took."""
    rng = random.Random(4)
    started = time.perf_counter()
    today = datetime.now(SHANGHAI).date()
    with psycopg.connect(url) as conn:
        org_id = conn.execute("SELECT id FROM accounts_organisation WHERE short_code = %s", [ORG]).fetchone()[
            0
        ]
        people = [
            row
            for row in conn.execute(
                "SELECT u.id, u.name FROM accounts_user u JOIN accounts_membership m ON m.user_id = u.id "
                "WHERE m.organisation_id = %s",
                [org_id],
            )
        ]
        year = today.year
        secret_ids = []
        with conn.cursor() as cur:
            first = cur.execute("SELECT coalesce(max(id), 0) + 1 FROM registry_tradesecret").fetchone()[0]
            columns = (
                "id, organisation_id, code, name, category, subcategory, description, level, period_kind, "
                "period_until, department, responsible_id, value_estimate, value_basis, state, applicant_id, "
                "created_at, designated_at, declassified_at, search_text, search_tokens"
            )
            with cur.copy(f"COPY registry_tradesecret ({columns}) FROM STDIN") as copy:
                for i in range(n_secrets):
                    pk = first + i
                    secret_ids.append(pk)
                    technical = rng.random() < 0.7
                    code = f"{ORG}-{year - (i % 5)}-{i + 1:06d}"
                    name = "".join(rng.sample(WORDS, 3))
                    description = " ".join(rng.sample(WORDS, 8))
                    department = rng.choice(DEPARTMENTS)
                    person_id, person_name = rng.choice(people)
                    kind = rng.choices(["date", "long_term", "until_public"], [5, 3, 2])[0]
                    until = today + timedelta(days=rng.randint(-30, 3650)) if kind == "date" else None
                    state = rng.choices(["designated", "applied", "reviewed", "declassified"], [85, 5, 3, 7])[
                        0
                    ]
                    created = f"{year - (i % 5)}-03-01T08:00:00+08:00"
                    copy.write_row(
                        (
                            pk,
                            org_id,
                            code,
                            name,
                            "technical" if technical else "business",
                            rng.choice(TECHNICAL if technical else BUSINESS),
                            description,
                            rng.choices(["core", "important", "general"], [1, 3, 6])[0],
                            kind,
                            until,
                            department,
                            person_id,
                            None,
                            "",
                            state,
                            person_id,
                            created,
                            created if state in ("designated", "declassified") else None,
                            created if state == "declassified" else None,
                            text := normalise(" ".join([code, name, description, department, person_name])),
                            search_tokens(text),
                        )
                    )
            columns = (
                "organisation_id, secret_id, code, kind, name, location, custodian_id, marking, copies, "
                "sha256, sm3, size, state, destroy_method, destroy_witness, created_at, label_token"
            )
            with cur.copy(f"COPY registry_carrier ({columns}) FROM STDIN") as copy:
                for i in range(n_carriers):
                    secret_index = i % n_secrets
                    number = i // n_secrets + 1
                    copy.write_row(
                        (
                            org_id,
                            secret_ids[secret_index],
                            f"{ORG}-{year - (secret_index % 5)}-{secret_index + 1:06d}-C{number:02d}",
                            rng.choice(CARRIER_KINDS),
                            "载体" + "".join(rng.sample(WORDS, 2)),
                            "档案室",
                            rng.choice(people)[0],
                            "marked" if rng.random() < 0.8 else "unmarked",
                            1,
                            "",
                            "",
                            None,
                            "active" if rng.random() < 0.95 else "destroyed",
                            "",
                            "",
                            f"{year}-03-02T08:00:00+08:00",
                            secrets.token_urlsafe(18),
                        )
                    )
            cur.execute(
                "SELECT setval(pg_get_serial_sequence('registry_tradesecret', 'id'), "
                "(SELECT max(id) FROM registry_tradesecret))"
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE registry_tradesecret")
        conn.execute("VACUUM ANALYZE registry_carrier")
    return time.perf_counter() - started


def log_in(host: str, port: int) -> str:
    """Log in through the real form; returns the Cookie header value."""
    conn = http.client.HTTPConnection(host, port, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    page = response.read().decode()
    cookies = {
        c.split("=", 1)[0]: c.split("=", 1)[1].split(";", 1)[0]
        for c in response.headers.get_all("Set-Cookie")
    }
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, "username": MANAGER, "password": PASSWORD})
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={cookies['csrftoken']}",
        "Referer": f"http://{host}:{port}/accounts/login/",
    }
    conn.request("POST", "/accounts/login/", body=body, headers=headers)
    response = conn.getresponse()
    response.read()
    assert response.status == 302, f"log-in failed: {response.status}"
    for header in response.headers.get_all("Set-Cookie"):
        name, value = header.split(";", 1)[0].split("=", 1)
        cookies[name] = value
    return "; ".join(f"{k}={v}" for k, v in cookies.items())


def drive(
    host: str,
    port: int,
    path,
    headers: dict,
    clients: int,
    seconds: float,
    think: float = 0.0,
    warmup: float = 5.0,
) -> dict:
    """Closed loop: each client sends its next request as soon as the last answer arrived, or after
    thinking for 0.5–1.5 × `think` seconds. `path` is a string, or a function giving each request its own
    path (so that no cache can answer them all). Requests sent during the first `warmup` seconds are not
    counted; with think time the clients start at random moments within the first `think` seconds, as
    people do, instead of all at once (a burst of 20 simultaneous first requests that no one's use of the
    register resembles)."""
    next_path = path if callable(path) else (lambda rng: path)
    latencies: list[list[float]] = [[] for _ in range(clients)]
    failures = []
    start_gate = threading.Barrier(clients)
    started = time.perf_counter()
    count_from, stop_at = started + warmup, started + warmup + seconds

    def client(slot: int) -> None:
        rng = random.Random(slot)
        conn = http.client.HTTPConnection(host, port, timeout=60)
        start_gate.wait()
        if think:
            time.sleep(rng.uniform(0, think))
        while (began := time.perf_counter()) < stop_at:
            url = next_path(rng)
            conn.request("GET", url, headers=headers)
            response = conn.getresponse()
            body = response.read()
            if began >= count_from:
                latencies[slot].append(time.perf_counter() - began)
            if response.status != 200:
                failures.append((response.status, body[:200]))
                return
            if think:
                time.sleep(rng.uniform(0.5, 1.5) * think)
        conn.close()

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    flat = sorted(x for per in latencies for x in per)
    if failures:
        raise SystemExit(f"{path}: {len(failures)} failed requests, first {failures[0]}")
    if not flat:
        raise SystemExit(f"{path}: no request completed")
    q = statistics.quantiles(flat, n=100)
    return {"requests": len(flat), "rps": len(flat) / seconds, "p50": q[49], "p95": q[94], "p99": q[98]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--secrets", type=int, default=100_000)
    parser.add_argument("--carriers", type=int, default=500_000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--workers", type=int, default=2, help="web server worker processes (shangmi run --workers)"
    )
    parser.add_argument(
        "--parallel",
        action="store_true",
        help="keep PostgreSQL's parallel query (off by default, as advised)",
    )
    parser.add_argument("--think", type=float, default=0.0, help="seconds each client waits between requests")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a PostgreSQL database (it is dropped and created)")
    recreate_database(url, args.parallel)

    data = Path(tempfile.mkdtemp(prefix="shangmi-registry-bench-"))
    env = {**os.environ, "SHANGMI_DATA_DIR": str(data), "DJANGO_SETTINGS_MODULE": "shangmi.settings"}
    port = free_port()
    server = subprocess.Popen(
        [str(SHANGMI), "run", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        host = "127.0.0.1"
        for _ in range(900):
            try:
                http.client.HTTPConnection(host, port, timeout=1).request("GET", "/accounts/login/")
                break
            except OSError:
                time.sleep(0.2)
        seeded = seed(url, args.secrets, args.carriers)
        cookie = log_in(host, port)
        token = subprocess.run(
            [str(SHANGMI), "token", "create", "--user", MANAGER, "--org", ORG],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        page_headers = {"Cookie": cookie}
        api_headers = {"Authorization": f"Bearer {token}"}
        pages = args.secrets // 50

        def any_page(prefix: str):
            return lambda rng: f"{prefix}page={rng.randint(1, pages)}"

        def any_filter(rng) -> str:
            level = rng.choice(["core", "important", "general"])
            department = urllib.parse.quote(rng.choice(DEPARTMENTS))
            return f"/registry/?level={level}&department={department}&page={rng.randint(1, 20)}"

        def any_search(rng) -> str:
            return "/registry/?q=" + urllib.parse.quote(" ".join(rng.sample(WORDS, 2)))

        def any_code(rng) -> str:
            # What an officer looking for one secret types: a part of its code (the trigram index).
            return f"/registry/?q={rng.randint(1, args.secrets):06d}"

        # The page caches its rows per register version, viewer, filters and page number: the scenarios
        # with a random page, filter or search term per request are the ones a cache cannot answer.
        scenarios = [
            ("reference: GET /api/v1/me", "/api/v1/me", api_headers),
            ("list page, first page", "/registry/", page_headers),
            ("list page, random page", any_page("/registry/?"), page_headers),
            ("list page, random level+department", any_filter, page_headers),
            ("list page, random 2-word search", any_search, page_headers),
            ("list page, random code search", any_code, page_headers),
            ("list API, first page", "/api/v1/registry/secrets", api_headers),
            ("list API, random page", any_page("/api/v1/registry/secrets?"), api_headers),
        ]
        print(f"machine: {platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}")
        print(f"seeded {args.secrets:,} secrets and {args.carriers:,} carriers in {seeded:.1f} s (COPY)")
        print(
            f"{args.clients} closed-loop clients (think time {args.think:g} s), granian {args.workers} workers, "
            f"parallel query {'on' if args.parallel else 'off'}, "
            f"{args.seconds:.0f} s per scenario after a 5 s warm-up each"
        )
        reference = None
        for label, path, headers in scenarios:
            result = drive(host, port, path, headers, args.clients, args.seconds, args.think)
            if reference is None:
                reference = result["p95"]
            print(
                f"{label:34} {result['requests']:6d} req {result['rps']:7.1f}/s  p50 {result['p50'] * 1000:6.1f} ms  "
                f"p95 {result['p95'] * 1000:6.1f} ms  p99 {result['p99'] * 1000:6.1f} ms  "
                f"p95 ÷ reference {result['p95'] / reference:4.1f}"
            )
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
