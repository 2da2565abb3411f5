"""Shared test fixtures: organisations, members and logged-in (second-factor verified) clients.

Everything is created through the real actions, so audit events and chains exist as in production.
"""

from __future__ import annotations

import itertools

import pytest

_counter = itertools.count(1)

TEST_PASSWORD = "Correct-Horse-Battery-42"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 is the production hasher (asserted in test_security); MD5 keeps fixture creation fast.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    """A request activates its language in the thread (locale_middleware) and leaves it there: a test that
    switched to English must not make the next test in the same worker run in English."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def make_org(db):
    from shangmi.apps.accounts import actions

    def make(kind: str = "enterprise", name: str | None = None, region: str | None = "330212", **extra):
        n = next(_counter)
        if kind == "regulator" and region == "330212":
            region = "330600"
        return actions.organisation_create(
            actor=None,
            kind=kind,
            name=name or f"测试{kind}{n}",
            short_code=f"T{kind[:3].upper()}{n}",
            region_code=region,
            **extra,
        )

    return make


@pytest.fixture
def make_member(db):
    from shangmi.apps.accounts import actions

    def make(org, role: str = "employee", name: str | None = None, email: str | None = None, **extra):
        n = next(_counter)
        user = actions.user_create(
            actor=None,
            name=name or f"成员{n}",
            email=email or f"user{n}@test.example",
            password=TEST_PASSWORD,
        )
        actions.membership_add(actor=None, user=user, organisation=org, role=role, **extra)
        return user

    return make


def verify_second_factor(client, user) -> None:
    """Enrol a TOTP device for `user` and mark the client's session as verified with it."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="test", confirmed=True
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def login(client):
    """login(user) -> a test client logged in as user, second factor verified, active org = first."""
    from django.test import Client

    def do(user, *, verified: bool = True, organisation=None) -> Client:
        c = Client()
        c.force_login(user, backend="shangmi.apps.accounts.backends.EmailOrPhoneBackend")
        if verified:
            verify_second_factor(c, user)
        if organisation is not None:
            from shangmi.apps.accounts.middleware import SESSION_ORG_KEY

            session = c.session
            session[SESSION_ORG_KEY] = organisation.pk
            session.save()
        return c

    return do


@pytest.fixture
def enterprise(make_org, make_member):
    """An enterprise with an admin, a secrecy officer, a manager and an employee."""
    org = make_org("enterprise", name="甲公司")
    people = {role: make_member(org, role) for role in ("admin", "officer", "manager", "employee")}
    return org, people


@pytest.fixture
def other_enterprise(make_org, make_member):
    org = make_org("enterprise", name="乙公司")
    people = {role: make_member(org, role) for role in ("admin", "officer", "manager", "employee")}
    return org, people
