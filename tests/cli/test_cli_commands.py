"""`shangmi --help`, `token create`, `createuser` and `demo`, run as real commands."""

from __future__ import annotations

import json
import socket

import pytest

from .support import django_python, ok, shangmi, snapshot, sql

NEW_PASSWORD = "Brand-New-Officer-2026"

API_ME = """
from django.test import Client
response = Client(SERVER_NAME="localhost").get("/api/v1/me", headers={"Authorization": "Bearer " + sys.argv[1]})
print(json.dumps({"status": response.status_code, "body": response.json()}, ensure_ascii=False))
"""

CHECK_PASSWORD = """
from shangmi.apps.accounts.backends import find_user
user = find_user(sys.argv[1])
print(json.dumps(user is not None and user.check_password(sys.argv[2])))
"""


def api_me(data_dir, secret: str) -> dict:
    return json.loads(ok(django_python(API_ME, secret, data_dir=data_dir)).stdout)


def row_counts(data_dir) -> dict[str, int]:
    return {table: len(rows) for table, rows in snapshot(data_dir).items()}


def test_help_lists_every_command(tmp_path):
    result = ok(shangmi("--help", data_dir=tmp_path / "unused"))
    words = result.stdout.split()
    for command in ("run", "worker", "migrate", "demo", "createuser", "token", "audit", "backup", "restore"):
        assert command in words, command
    assert not (tmp_path / "unused").exists()  # help touches no data directory


def test_run_refuses_a_port_in_use_with_one_clear_line(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = shangmi("run", "--port", str(port), "--no-demo", data_dir=tmp_path / "data", timeout=60)
    assert result.returncode == 1
    assert f"127.0.0.1:{port} is already in use; choose another with --port" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


class TestTokenCreate:
    def test_prints_a_secret_that_authenticates_against_the_api(self, demo_dir):
        result = ok(
            shangmi(
                "token",
                "create",
                "--user",
                "officer@lanxi.example",
                "--org",
                "LXWY",
                "--name",
                "x",
                data_dir=demo_dir,
            )
        )
        secret = result.stdout.strip()
        assert result.stdout == secret + "\n"  # stdout holds the secret and nothing else
        assert secret.startswith("smt_") and len(secret) > 40
        assert f"token {secret[:12]}… for officer@lanxi.example in LXWY, expires " in result.stderr
        [(name, prefix)] = sql(demo_dir, "SELECT name, prefix FROM accounts_accesstoken")
        assert (name, prefix) == ("x", secret[:12])
        assert secret not in json.dumps(sql(demo_dir, "SELECT * FROM accounts_accesstoken"))  # hashed at rest

        me = api_me(demo_dir, secret)
        assert me["status"] == 200
        assert (me["body"]["email"], me["body"]["role"]) == ("officer@lanxi.example", "officer")
        assert me["body"]["organisation"]["short_code"] == "LXWY"
        assert api_me(demo_dir, secret[:-1] + ("A" if secret[-1] != "A" else "B"))["status"] == 401

    def test_is_recorded_in_the_audit_trail(self, demo_dir):
        ok(shangmi("token", "create", "--user", "officer@lanxi.example", "--org", "LXWY", data_dir=demo_dir))
        [(verb, label)] = sql(
            demo_dir, "SELECT verb, actor_label FROM audit_auditevent ORDER BY id DESC LIMIT 1"
        )
        assert (verb, label) == ("token.create", "周敏")
        ok(shangmi("audit", "verify", data_dir=demo_dir))

    @pytest.mark.parametrize(
        "user,org,code,message",
        [
            ("nobody@lanxi.example", "LXWY", 1, "no user with login 'nobody@lanxi.example'"),
            ("officer@lanxi.example", "NOPE", 1, "unknown organisation short code 'NOPE'"),
            ("officer@lanxi.example", "SXSJ", 2, "只能为自己所属的组织创建令牌"),
        ],
    )
    def test_bad_user_or_organisation_is_a_clear_error(self, demo_dir, user, org, code, message):
        result = shangmi("token", "create", "--user", user, "--org", org, data_dir=demo_dir)
        assert result.returncode == code
        assert result.stdout == ""
        assert message in result.stderr
        assert sql(demo_dir, "SELECT COUNT(*) FROM accounts_accesstoken") == [(0,)]

    def test_bad_lifetime_is_refused(self, demo_dir):
        result = shangmi(
            "token",
            "create",
            "--user",
            "officer@lanxi.example",
            "--org",
            "LXWY",
            "--days",
            "0",
            data_dir=demo_dir,
        )
        assert result.returncode == 2
        assert "days: 有效期应为 1 至 366 天" in result.stderr
        assert sql(demo_dir, "SELECT COUNT(*) FROM accounts_accesstoken") == [(0,)]


class TestCreateUser:
    def _create(self, data_dir, *extra: str, password: str | None = NEW_PASSWORD):
        env = {"SHANGMI_NEW_PASSWORD": password} if password else {}
        return shangmi("createuser", "--name", "新保密员", "--org", "LXWY", *extra, data_dir=data_dir, **env)

    def test_creates_a_member_who_can_log_in(self, demo_dir):
        result = ok(self._create(demo_dir, "--role", "officer", "--email", "new.officer@lanxi.example"))
        assert (
            result.stdout.strip()
            == "created new.officer@lanxi.example as officer of 宁波澜溪智能卫浴有限公司"
        )
        [(role, name)] = sql(
            demo_dir,
            "SELECT m.role, u.name FROM accounts_membership m JOIN accounts_user u ON u.id = m.user_id "
            "JOIN accounts_organisation o ON o.id = m.organisation_id "
            "WHERE u.email = 'new.officer@lanxi.example' AND o.short_code = 'LXWY'",
        )
        assert (role, name) == ("officer", "新保密员")
        check = django_python(CHECK_PASSWORD, "new.officer@lanxi.example", NEW_PASSWORD, data_dir=demo_dir)
        assert json.loads(ok(check).stdout) is True
        ok(shangmi("audit", "verify", data_dir=demo_dir))

    def test_phone_login(self, demo_dir):
        ok(self._create(demo_dir, "--role", "employee", "--phone", "+86 139-0574-9999"))
        assert sql(demo_dir, "SELECT email, phone FROM accounts_user WHERE phone = '13905749999'") == [
            (None, "13905749999")
        ]

    @pytest.mark.parametrize(
        "args,message",
        [
            (
                ["--role", "boss", "--email", "x@lanxi.example"],
                "role: 未知角色 “boss”；企业可用的角色：admin（管理员）",
            ),
            (
                ["--role", "staff", "--email", "x@lanxi.example"],
                "role: 未知角色 “staff”",
            ),  # a regulator's role
            (["--role", "officer", "--phone", "12345"], "“12345” 不是有效的中国大陆手机号"),
            (["--role", "officer", "--email", "not-an-email"], "email: 输入一个有效的 Email 地址。"),
            (["--role", "officer"], "需要电子邮箱或手机号至少一项"),
            (
                ["--role", "officer", "--email", "officer@lanxi.example"],
                "电子邮箱 officer@lanxi.example 已注册",
            ),
        ],
        ids=["unknown role", "role of another kind", "bad phone", "bad email", "no login", "taken email"],
    )
    def test_bad_input_exits_2_names_the_problem_and_creates_nothing(self, demo_dir, args, message):
        before = row_counts(demo_dir)
        result = self._create(demo_dir, *args)
        assert result.returncode == 2, result.stderr
        assert message in result.stderr
        assert result.stdout == ""
        assert row_counts(demo_dir) == before

    def test_weak_password_is_refused(self, demo_dir):
        before = row_counts(demo_dir)
        result = self._create(
            demo_dir, "--role", "officer", "--email", "w@lanxi.example", password="12345678"
        )
        assert result.returncode == 2
        assert "此密码太短，至少要包含 10 个字符。 这个密码太常见了。 密码只包含数字。" in result.stderr
        assert row_counts(demo_dir) == before

    def test_unknown_organisation(self, demo_dir):
        result = shangmi(
            "createuser", "--name", "x", "--org", "NOPE", "--role", "officer", "--email", "x@lanxi.example",
            data_dir=demo_dir, SHANGMI_NEW_PASSWORD=NEW_PASSWORD,
        )  # fmt: skip
        assert result.returncode == 1
        assert "unknown organisation short code 'NOPE'" in result.stderr

    def test_without_a_password_and_without_a_terminal_it_refuses(self, demo_dir):
        before = row_counts(demo_dir)
        result = self._create(demo_dir, "--role", "officer", "--email", "p@lanxi.example", password=None)
        assert result.returncode == 1
        assert "no password: use --password-file or SHANGMI_NEW_PASSWORD" in result.stderr
        assert row_counts(demo_dir) == before

    def test_password_from_a_file(self, demo_dir, tmp_path):
        secret = tmp_path / "pw.txt"
        secret.write_text(NEW_PASSWORD + "\n", encoding="utf-8")
        ok(
            self._create(
                demo_dir,
                "--role",
                "manager",
                "--email",
                "f@lanxi.example",
                "--password-file",
                str(secret),
                password=None,
            )
        )
        check = django_python(CHECK_PASSWORD, "f@lanxi.example", NEW_PASSWORD, data_dir=demo_dir)
        assert json.loads(ok(check).stdout) is True


def test_demo_twice_changes_nothing(demo_dir):
    before = snapshot(demo_dir)
    result = ok(shangmi("demo", data_dir=demo_dir))
    assert "officer@lanxi.example" in result.stdout
    after = snapshot(demo_dir)
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    assert after == before
    assert len(after["accounts_user"]) == 55  # 49, and the officers of six Shaoxing self-check enterprises
    assert sorted(
        code for (code,) in sql(demo_dir, "SELECT short_code FROM accounts_organisation")
    ) == sorted(
        ["PLATFORM", "LXWY", "SXSJ", "SXYC", "SXKQ", "SXSY", "SXZJ", "SXSZ", "SXXC", "MHLS"]
        + ["SXFZ01", "SXFZ02", "SXHG01", "SXZZ01", "SXDQ01", "SXZC01"]
    )
