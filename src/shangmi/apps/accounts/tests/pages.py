"""Small helpers the accounts tests share: logging in through the real page, reading page fragments,
and computing TOTP codes the way an authenticator app does."""

from __future__ import annotations

import base64
import re

from conftest import TEST_PASSWORD
from django.test import Client
from django_otp.oath import totp

LOGIN_URL = "/accounts/login/"
ENROL_URL = "/accounts/2fa/enrol/"
VERIFY_URL = "/accounts/2fa/verify/"
INVALID_LOGIN = "账号或密码不正确。请注意：连续多次失败后账户将被暂时锁定。"


def password_login(client: Client, username: str, password: str = TEST_PASSWORD):
    """POST the login page as a browser would; returns the response (no redirects followed)."""
    return client.post(LOGIN_URL, {"username": username, "password": password})


def element_text(html: str, element_id: str) -> str:
    """The text of the element with this id (the element must not contain other elements)."""
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>([^<]*)<', html)
    assert match, f"no element #{element_id} in the page"
    return match.group(1).strip()


def list_items(html: str, element_id: str) -> list[str]:
    match = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</(ol|ul)>', html, re.S)
    assert match, f"no list #{element_id} in the page"
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


def totp_code(base32_secret: str, *, steps_ahead: int = 0) -> str:
    """The 6-digit code an authenticator shows for this secret (RFC 6238, 30 s steps, as TOTPDevice);
    `steps_ahead=1` gives the next 30-second window's code, which the device still accepts (tolerance 1)."""
    key = base64.b32decode(base32_secret + "=" * (-len(base32_secret) % 8))
    return f"{totp(key, step=30, t0=0, digits=6, drift=steps_ahead):06d}"


def wrong_code(base32_secret: str) -> str:
    """A 6-digit code valid in none of the windows the device could accept now (tolerance and drift)."""
    valid = {totp_code(base32_secret, steps_ahead=n) for n in range(-3, 4)}
    return next(c for c in (f"{n:06d}" for n in range(123456, 10**6)) if c not in valid)
