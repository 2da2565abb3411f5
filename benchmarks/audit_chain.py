"""Audit chain: append and verify throughput, against raw SHA-256 of the same bytes in the same run.

    .venv/bin/python benchmarks/audit_chain.py [--events 20000]

Uses a throw-away SQLite data directory (or DATABASE_URL if set). Prints one Markdown table row for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import sys
import tempfile
import time
from datetime import datetime
from zoneinfo import ZoneInfo

os.environ.setdefault("SHANGMI_DATA_DIR", tempfile.mkdtemp(prefix="shangmi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from shangmi.apps.accounts import actions
    from shangmi.apps.audit.actions import audit_record
    from shangmi.apps.audit.chain import canonical_bytes, verify
    from shangmi.apps.audit.models import AuditEvent

    call_command("migrate", verbosity=0)
    org = actions.organisation_create(
        actor=None, kind="enterprise", name="基准测试", short_code=f"B{os.getpid()}"
    )

    started = time.perf_counter()
    batch = 500
    for start in range(0, args.events, batch):
        with transaction.atomic():
            for i in range(start, min(start + batch, args.events)):
                audit_record(organisation=org, actor=None, verb="bench.append", changes={"i": i})
    append_s = time.perf_counter() - started

    started = time.perf_counter()
    checked, broken = verify(org.pk)
    verify_s = time.perf_counter() - started
    assert not broken and checked == args.events + 1, (checked, broken)

    payloads = [canonical_bytes(e) for e in AuditEvent.objects.filter(organisation=org).order_by("seq")]
    started = time.perf_counter()
    for payload in payloads:
        hashlib.sha256(payload).hexdigest()
    raw_s = time.perf_counter() - started

    n = checked
    print(
        f"machine: {platform.machine()} {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{connection.vendor}"
    )
    print(f"append: {args.events / append_s:,.0f} events/s (batches of {batch} per transaction)")
    print(
        f"verify: {n / verify_s:,.0f} events/s; raw SHA-256 of the same bytes: {n / raw_s:,.0f} /s; "
        f"verify costs {verify_s / raw_s:,.0f}x raw hashing (database read + canonical encoding dominate)"
    )
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    print(
        f"| {today} | `benchmarks/audit_chain.py --events {args.events}` | {connection.vendor} | "
        f"{args.events / append_s:,.0f} ev/s | {n / verify_s:,.0f} ev/s | {verify_s / raw_s:,.0f}x |"
    )


if __name__ == "__main__":
    main()
