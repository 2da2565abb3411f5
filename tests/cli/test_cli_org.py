"""`shangmi org create` and `org list`, run as real commands."""

from __future__ import annotations

import json

from .support import django_python, ok, shangmi, sql

CHECK_PASSWORD = """
from shangmi.apps.accounts.backends import find_user
user = find_user(sys.argv[1])
print(json.dumps([user.check_password(sys.argv[2]), user.password_change_required]))
"""


def test_onboards_a_bureau_with_its_admin_and_prints_the_initial_password_once(demo_dir):
    result = ok(
        shangmi(
            "org",
            "create",
            "--kind",
            "regulator",
            "--name",
            "绍兴市测试局",
            "--code",
            "sxtest",
            "--region",
            "330602",
            "--admin-name",
            "测试科长",
            "--admin-phone",
            "13905751234",
            data_dir=demo_dir,
        )
    )
    password = result.stdout.strip()
    assert result.stdout == password + "\n" and len(password) == 14
    assert "created SXTEST (绍兴市测试局) with administrator 13905751234" in result.stdout + result.stderr
    assert sql(demo_dir, "SELECT kind, region_id FROM accounts_organisation WHERE short_code='SXTEST'") == [
        ("regulator", "330602")
    ]
    check = django_python(CHECK_PASSWORD, "13905751234", password, data_dir=demo_dir)
    assert json.loads(ok(check).stdout) == [True, True]
    listing = ok(shangmi("org", "list", data_dir=demo_dir)).stdout
    assert "SXTEST" in listing and "LXWY" in listing


def test_bad_region_exits_2_and_creates_nothing(demo_dir):
    before = sql(demo_dir, "SELECT COUNT(*) FROM accounts_organisation")
    result = shangmi(
        "org",
        "create",
        "--kind",
        "enterprise",
        "--name",
        "x",
        "--code",
        "BAD9",
        "--region",
        "999999",
        "--admin-name",
        "y",
        "--admin-email",
        "y@bad.example",
        data_dir=demo_dir,
    )
    assert result.returncode == 2
    assert "未知的行政区划代码 “999999”" in result.stderr
    assert sql(demo_dir, "SELECT COUNT(*) FROM accounts_organisation") == before
