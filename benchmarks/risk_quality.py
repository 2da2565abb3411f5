"""Insider-risk detection quality on a generated organisation (issue 8 point 6).

    .venv/bin/python benchmarks/risk_quality.py [--users 1000] [--days 365] [--seed 7] [--dir DIR] [--reuse]

Generates an organisation with the scenario generator (10 injected scenarios and 10 benign look-alikes by
default), ingests it into an event store, scores it with the default weights and the organisation's side
files (hr.csv, register.csv, grants.csv, competitors.txt; own domains inferred from LDAP e-mail), and
compares the alerts at high-or-critical severity with truth.json:

* per scenario kind: injected, detected, recall, and precision — a lower bound that charges every false
  positive of the run to each kind (alerts carry no kind);
* per look-alike kind: how many reached high;
* the false-positive rate among all users that are not injected scenarios (target: at most 1 %);
* the runtime of each stage.

`--reuse` keeps an existing generated folder and store under --dir. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from shangmi.engines.risk import context as ctx  # noqa: E402
from shangmi.engines.risk.generator import generate  # noqa: E402
from shangmi.engines.risk.presets import load_ldap, load_preset  # noqa: E402
from shangmi.engines.risk.scoring import Weights, score  # noqa: E402
from shangmi.engines.risk.store import EventStore  # noqa: E402

HIGH = ("high", "critical")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--dir", type=Path, default=None, help="work folder (default: a temporary one)")
    parser.add_argument("--reuse", action="store_true", help="reuse the generated data and store in --dir")
    args = parser.parse_args()

    work = args.dir or Path(tempfile.mkdtemp(prefix="risk-quality-"))
    raw, store_dir = work / "raw", work / "store"
    timings: dict[str, float] = {}
    if not (args.reuse and (raw / "truth.json").is_file() and (store_dir / "manifest.json").is_file()):
        shutil.rmtree(store_dir, ignore_errors=True)
        started = time.perf_counter()
        report = generate(raw, users=args.users, days=args.days, seed=args.seed, overwrite=True)
        timings["generate"] = time.perf_counter() - started
        print(f"generated {report.events:,} events in {timings['generate']:.1f}s", file=sys.stderr)
        started = time.perf_counter()
        store = EventStore(store_dir, durable=False)
        store.ingest(load_preset("cert-r6", [raw]))
        store.ingest_ldap(load_ldap(raw))
        timings["ingest"] = time.perf_counter() - started
        print(f"ingested in {timings['ingest']:.1f}s", file=sys.stderr)
    store = EventStore(store_dir)
    events = store.count()

    context = ctx.Context(
        register=ctx.read_register_csv(raw / "register.csv"),
        grants=ctx.read_grants_csv(raw / "grants.csv"),
        hr=ctx.read_hr_csv(raw / "hr.csv"),
        competitors=ctx.read_domains(raw / "competitors.txt"),
    )
    started = time.perf_counter()
    alerts = score(store, context, Weights())
    timings["score"] = time.perf_counter() - started
    print(f"scored in {timings['score']:.1f}s", file=sys.stderr)

    truth = json.loads((raw / "truth.json").read_text(encoding="utf-8"))
    by_user = {a.user: a for a in alerts}
    flagged = {a.user for a in alerts if a.severity in HIGH}
    scenario_users = {s["user"] for s in truth["scenarios"]}
    others = alerts.users_scored - len(scenario_users)
    false_positives = sorted(flagged - scenario_users)

    kinds: dict[str, list[dict]] = defaultdict(list)
    for item in truth["scenarios"]:
        kinds[item["kind"]].append(item)
    print(f"\n{args.users} users × {args.days} days, seed {args.seed}, {events:,} events\n")
    print("| scenario kind | injected | detected (high+) | recall | precision (lower bound) | scores |")
    print("| --- | --- | --- | --- | --- | --- |")
    for kind, items in sorted(kinds.items()):
        hits = [i for i in items if i["user"] in flagged]
        scores = ", ".join(f"{by_user[i['user']].score:g}" if i["user"] in by_user else "0" for i in items)
        precision = len(hits) / (len(hits) + len(false_positives)) if hits or false_positives else 1.0
        print(
            f"| {kind} | {len(items)} | {len(hits)} | {len(hits) / len(items):.2f} | {precision:.2f} | {scores} |"
        )
    detected = scenario_users & flagged
    overall_precision = len(detected) / max(1, len(detected) + len(false_positives))
    print(
        f"| **all** | {len(scenario_users)} | {len(detected)} | {len(detected) / max(1, len(scenario_users)):.2f} "
        f"| {overall_precision:.2f} | |"
    )

    look: dict[str, list[dict]] = defaultdict(list)
    for item in truth["lookalikes"]:
        look[item["kind"]].append(item)
    print("\n| look-alike kind | users | reached high+ | max score |")
    print("| --- | --- | --- | --- |")
    for kind, items in sorted(look.items()):
        hits = [i for i in items if i["user"] in flagged]
        top = max((by_user[i["user"]].score for i in items if i["user"] in by_user), default=0.0)
        print(f"| {kind} | {len(items)} | {len(hits)} | {top:g} |")

    rate = len(false_positives) / max(1, others)
    severity_counts = {
        s: sum(1 for a in alerts if a.severity == s) for s in ("low", "medium", "high", "critical")
    }
    print(
        f"\nfalse positives at high+: {len(false_positives)} of {others} other users = {rate:.2%} "
        f"(target ≤ 1%) {false_positives[:10]}"
    )
    print(f"alerts by severity: {severity_counts}")
    top_other = max((a.score for a in alerts if a.user not in scenario_users), default=0.0)
    print(f"highest score among the other users: {top_other:g} (high starts at {Weights().high:g})")
    benign = set(truth.get("benign_departures", []))
    print(f"benign departures at high+: {len(benign & flagged)} of {len(benign)}")
    print(
        "\n| date | users × days | events | generate | ingest | score | score events/s | machine |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n"
        f"| {datetime.now(UTC):%Y-%m-%d} | {args.users} × {args.days} | {events:,} "
        f"| {timings.get('generate', float('nan')):.1f}s | {timings.get('ingest', float('nan')):.1f}s "
        f"| {timings['score']:.1f}s | {events / timings['score']:,.0f} | {platform.machine()}, "
        f"{_cores()} cores |"
    )
    if args.dir is None:
        shutil.rmtree(work, ignore_errors=True)


def _cores() -> int:
    import os

    return len(os.sched_getaffinity(0))


if __name__ == "__main__":
    main()
