"""HR import: rows per second of `hr_import` (checks, records, batched deposits, one audit event), against
registering the same number of people one by one through `employee_add` in the same run (the page's path:
a deposit and an audit event per person).

    .venv/bin/python benchmarks/hr_import.py [--rows 2000]

Uses a throw-away SQLite data directory (or DATABASE_URL if set). Prints one Markdown table row for
benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from datetime import date, datetime
from zoneinfo import ZoneInfo

os.environ.setdefault("SHANGMI_DATA_DIR", tempfile.mkdtemp(prefix="shangmi-bench-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shangmi.settings")

DEPARTMENTS = ("研发部", "生产部", "销售部", "质量部")
POSITIONS = ("工程师", "技术员", "销售经理", "质检员")


def workbook(rows: int, prefix: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        ["工号", "姓名", "部门", "岗位", "手机号", "电子邮箱", "入职日期", "关键人员", "客户岗位", "状态"]
    )
    for i in range(rows):
        sheet.append(
            [
                f"{prefix}{i:06d}",
                f"员工{i}",
                DEPARTMENTS[i % 4],
                POSITIONS[i % 4],
                f"139{i:08d}",
                f"{prefix.lower()}{i}@bench.example",
                "2023-05-01",
                "否",
                "是" if i % 4 == 2 else "否",
                "在职",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2000)
    args = parser.parse_args()

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from shangmi.apps.accounts import actions
    from shangmi.apps.accounts.models import Membership
    from shangmi.apps.people.actions.hr_import import hr_import
    from shangmi.apps.people.actions.staff import employee_add
    from shangmi.apps.people.models import Employee, PersonEvent

    call_command("migrate", verbosity=0)
    org = actions.organisation_create(
        actor=None, kind="enterprise", name="基准测试", short_code=f"H{os.getpid()}"
    )
    user = actions.user_create(
        actor=None, name="基准保密员", email=f"officer{os.getpid()}@bench.example", password=None
    )
    actions.membership_add(actor=None, user=user, organisation=org, role="officer")
    officer = Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)

    data = workbook(args.rows, "HR")
    started = time.perf_counter()
    result = hr_import(member=officer, workbook_bytes=data)
    import_s = time.perf_counter() - started
    assert result.created == args.rows, result
    assert PersonEvent.objects.filter(organisation=org, deposit__isnull=False).count() == args.rows

    started = time.perf_counter()
    with transaction.atomic():
        for i in range(args.rows):
            employee_add(officer, number=f"ONE{i:06d}", name=f"员工{i}", hired_on=date(2023, 5, 1))
    one_by_one_s = time.perf_counter() - started
    assert Employee.objects.filter(organisation=org).count() == 2 * args.rows

    today = datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat()
    print(
        f"| {today} | `benchmarks/hr_import.py --rows {args.rows}` | {connection.vendor} | "
        f"{args.rows / import_s:,.0f} rows/s ({import_s:.1f} s) | "
        f"{args.rows / one_by_one_s:,.0f} people/s ({one_by_one_s:.1f} s) | {one_by_one_s / import_s:.1f}x |"
    )


if __name__ == "__main__":
    main()
