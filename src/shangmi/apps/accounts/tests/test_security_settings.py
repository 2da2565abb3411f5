"""Production settings: Argon2 first, `check --deploy` clean under HTTPS settings, and a nonce-based
Content Security Policy on every page."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.test import Client

from shangmi.config import PROJECT_ROOT

pytestmark = pytest.mark.django_db


def production_env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SHANGMI_", "DJANGO_", "DATABASE_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="shangmi.settings",
        SHANGMI_HTTPS="1",
        SHANGMI_DEBUG="0",
        SHANGMI_SECRET_KEY=secrets.token_urlsafe(45)[:60],
        SHANGMI_ALLOWED_HOSTS="shangmi.example.cn",
        SHANGMI_DATA_DIR=str(data_dir),
    )
    return env


def run(args, env):
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_production_hashes_passwords_with_argon2(tmp_path):
    # The test suite swaps in a fast hasher per test (conftest), so look at the real settings in a fresh process.
    code = (
        "import django; django.setup()\n"
        "from django.conf import settings\n"
        "from django.contrib.auth.hashers import make_password, check_password\n"
        "print(settings.PASSWORD_HASHERS[0])\n"
        "encoded = make_password('Correct-Horse-Battery-42')\n"
        "print(encoded.split('$')[0], check_password('Correct-Horse-Battery-42', encoded))\n"
    )
    result = run(["-c", code], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["django.contrib.auth.hashers.Argon2PasswordHasher", "argon2 True"]


def test_check_deploy_is_clean_under_production_settings(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_settings_turn_on_secure_cookies_and_hsts(tmp_path):
    code = (
        "from django.conf import settings\n"
        "print(settings.DEBUG, settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE,"
        " settings.SECURE_SSL_REDIRECT, settings.SECURE_HSTS_SECONDS >= 31536000,"
        " settings.SESSION_COOKIE_HTTPONLY, settings.X_FRAME_OPTIONS)\n"
    )
    result = run(["-c", code], production_env(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False True True True True True DENY"


def test_secret_key_comes_from_the_environment_not_the_repository(tmp_path):
    env = production_env(tmp_path)
    result = run(["-c", "from django.conf import settings; print(settings.SECRET_KEY)"], env)
    assert result.stdout.strip() == env["SHANGMI_SECRET_KEY"]


def csp_nonce(response) -> str:
    policy = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    match = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_\-+/=]+)'", directives["script-src"])
    assert match, policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["default-src"] == "'self'"
    return match.group(1)


def script_tags(html: str) -> list[str]:
    """Executable script tags; json_script data blocks (type="application/json") are never run."""
    return [tag for tag in re.findall(r"<script\b[^>]*>", html) if 'type="application/json"' not in tag]


def assert_scripts_carry(html: str, nonce: str) -> None:
    tags = script_tags(html)
    assert tags, "page has no script tags"
    for tag in tags:
        assert f'nonce="{nonce}"' in tag, tag


def test_login_page_has_a_csp_nonce_on_every_script(client):
    response = client.get("/accounts/login/")
    nonce = csp_nonce(response)
    assert len(nonce) >= 16
    assert_scripts_carry(response.content.decode(), nonce)


def test_nonce_is_fresh_per_response(client):
    assert csp_nonce(client.get("/accounts/login/")) != csp_nonce(client.get("/accounts/login/"))


@pytest.mark.parametrize("url", ["/", "/accounts/security/", "/accounts/inbox/", "/accounts/members/"])
def test_signed_in_pages_have_the_nonce_on_every_script(login, enterprise, url):
    _org, people = enterprise
    response = login(people["officer"]).get(url)
    assert response.status_code == 200
    nonce = csp_nonce(response)
    html = response.content.decode()
    assert_scripts_carry(html, nonce)
    assert f'"inlineScriptNonce": "{nonce}"' in html  # htmx-inserted scripts use it too


def test_two_factor_pages_have_the_nonce(login, enterprise):
    _org, people = enterprise
    response = login(people["officer"], verified=False).get("/accounts/2fa/enrol/")
    assert response.status_code == 200
    assert_scripts_carry(response.content.decode(), csp_nonce(response))


def test_session_cookie_is_http_only_and_same_site(client, enterprise):
    _org, people = enterprise
    response = client.post(
        "/accounts/login/", {"username": people["employee"].email, "password": "Correct-Horse-Battery-42"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


def test_login_form_enforces_csrf(enterprise):
    _org, people = enterprise
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        "/accounts/login/", {"username": people["employee"].email, "password": "Correct-Horse-Battery-42"}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in strict.session
