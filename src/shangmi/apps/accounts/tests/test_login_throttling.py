"""Login throttling (django-axes): five failures for one account from one address lock it for 15 minutes,
with a message saying when to retry."""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from conftest import TEST_PASSWORD
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.utils import timezone

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.tests.pages import INVALID_LOGIN, password_login

pytestmark = pytest.mark.django_db

WRONG = "Wrong-Password-0"
LOCKOUT = re.compile(r"登录失败次数过多，账户已暂时锁定。请在 (\d\d):(\d\d) 之后（约 (\d+) 分钟后）重试。")


def test_settings_are_five_failures_and_fifteen_minutes():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=15) == settings.AXES_COOLOFF_TIME


def fail(client, username, times):
    return [password_login(client, username, WRONG) for _ in range(times)]


def assert_lockout_page(response):
    assert response.status_code == 429
    body = response.content.decode()
    match = LOCKOUT.search(body)
    assert match, body
    hour, minute, minutes = (int(g) for g in match.groups())
    # The lock ends 15 minutes after the last failure, shown rounded up to the next whole minute.
    now = timezone.localtime()
    expected = [
        (now + timedelta(minutes=15, seconds=s)).replace(second=0, microsecond=0) + timedelta(minutes=1)
        for s in (-5, 0)
    ]
    assert (hour, minute) in {(t.hour, t.minute) for t in expected}
    assert minutes in (15, 16)
    assert 'id="lockout"' in body
    return body


def test_sixth_attempt_with_the_right_password_is_refused_with_a_retry_time(client, enterprise):
    _org, people = enterprise
    employee = people["employee"]
    responses = fail(client, employee.email, 4)
    for response in responses:
        assert response.status_code == 200
        assert INVALID_LOGIN in response.content.decode()
        assert "账户已暂时锁定" not in response.content.decode()
    # the fifth failure reaches the limit and already answers with the lock-out page
    assert_lockout_page(fail(client, employee.email, 1)[0])

    response = password_login(client, employee.email)  # right password
    assert_lockout_page(response)
    assert SESSION_KEY not in client.session
    assert client.get("/")["Location"].startswith("/accounts/login/")


def test_other_accounts_from_the_same_address_are_not_locked(client, enterprise):
    _org, people = enterprise
    fail(client, people["employee"].email, 5)
    assert password_login(client, people["employee"].email).status_code == 429

    response = password_login(client, people["manager"].email)
    assert response.status_code == 302
    assert int(client.session[SESSION_KEY]) == people["manager"].pk


def test_the_same_account_from_another_address_is_not_locked(enterprise):
    _org, people = enterprise
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    fail(attacker, people["employee"].email, 5)
    assert password_login(attacker, people["employee"].email).status_code == 429

    owner = Client(REMOTE_ADDR="198.51.100.7")
    assert password_login(owner, people["employee"].email).status_code == 302


def test_spelling_variants_of_one_account_share_one_allowance(client, enterprise):
    """Case changes of the e-mail address or other spellings of the mobile number count for the same
    account: an attacker does not get five fresh attempts per spelling."""
    org, people = enterprise
    user = actions.user_create(actor=None, name="陈静", email="chen.jing@example.com", phone="13905740002")
    user.set_password("Another-Secret-77")
    user.save(update_fields=["password"])
    actions.membership_add(actor=None, user=user, organisation=org, role="employee")

    for spelling in ("Chen.Jing@example.com", "CHEN.JING@EXAMPLE.COM", "chen.jing@Example.com"):
        password_login(client, spelling, WRONG)
    for spelling in ("+86 139-0574-0002", "0086 13905740002"):
        password_login(client, spelling, WRONG)
    assert AccessAttempt.objects.filter(username="chen.jing@example.com").get().failures_since_start == 3
    assert AccessAttempt.objects.filter(username="13905740002").get().failures_since_start == 2
    # the e-mail and the mobile number are two spellings axes cannot join; each stays below the limit
    assert password_login(client, "13905740002", "Another-Secret-77").status_code == 302


def test_email_case_variants_are_locked_together(client, enterprise):
    _org, people = enterprise
    email = people["employee"].email
    for spelling in (email, email.upper(), email.title(), email.swapcase(), email.capitalize()):
        password_login(client, spelling, WRONG)
    assert password_login(client, email.upper()).status_code == 429
    assert password_login(client, email).status_code == 429


def test_mobile_number_spellings_are_locked_together(client, enterprise):
    org, _people = enterprise
    user = actions.user_create(actor=None, name="李强", phone="13805740001", password=TEST_PASSWORD)
    actions.membership_add(actor=None, user=user, organisation=org, role="employee")
    for spelling in (
        "13805740001",
        "+86 138-0574-0001",
        "+8613805740001",
        "138 0574 0001",
        "0086-138-0574-0001",
    ):
        password_login(client, spelling, WRONG)
    response = password_login(client, "138-0574-0001")
    assert_lockout_page(response)


def test_success_before_the_limit_resets_the_count(client, enterprise):
    _org, people = enterprise
    email = people["employee"].email
    fail(client, email, 4)
    assert password_login(client, email).status_code == 302
    client.post("/accounts/logout/")
    fail(client, email, 4)
    assert password_login(client, email).status_code == 302


def test_lock_expires_after_the_cool_off(client, enterprise):
    _org, people = enterprise
    email = people["employee"].email
    fail(client, email, 5)
    assert password_login(client, email).status_code == 429
    # fifteen minutes later (moved in the database rather than waited for)
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=15, seconds=1))
    assert password_login(client, email).status_code == 302


def admin_login_with_case_variants(client, email):
    variants = (email, email.upper(), email.title(), email.swapcase(), email.capitalize())
    for spelling in variants:
        client.post("/admin/login/", {"username": spelling, "password": WRONG})
    return client.post("/admin/login/", {"username": email.upper(), "password": WRONG})


def test_axes_username_callable_joins_spellings_on_every_login_form(client, enterprise, settings):
    """With AXES_USERNAME_CALLABLE set to accounts' canonical spelling, the admin's log-in form (which
    does not go through our LoginForm) also counts case variants as one account."""
    settings.AXES_USERNAME_CALLABLE = "shangmi.apps.accounts.backends.axes_username"
    _org, people = enterprise
    email = people["employee"].email
    assert admin_login_with_case_variants(client, email).status_code == 429
    assert AccessAttempt.objects.get().username == email


def test_admin_login_case_variants_share_one_allowance(client, enterprise):
    _org, people = enterprise
    assert admin_login_with_case_variants(client, people["employee"].email).status_code == 429


def test_a_forged_forwarded_for_header_does_not_escape_the_lock(client, enterprise):
    _org, people = enterprise
    email = people["employee"].email
    for n in range(5):
        client.post(
            "/accounts/login/", {"username": email, "password": WRONG}, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}"
        )
    response = client.post(
        "/accounts/login/", {"username": email, "password": TEST_PASSWORD}, HTTP_X_FORWARDED_FOR="192.0.2.99"
    )
    assert response.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}


def test_behind_one_proxy_the_client_is_the_right_most_forwarded_address(client, enterprise, settings):
    settings.PROXY_COUNT = 1
    _org, people = enterprise
    email = people["employee"].email
    for n in range(5):
        # the client forges a left-most entry; the proxy appends the real address 198.51.100.7
        client.post(
            "/accounts/login/",
            {"username": email, "password": WRONG},
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.7",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": email, "password": TEST_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"198.51.100.7"}
    # another client behind the same proxy is not locked out of the same account
    other = client.post(
        "/accounts/login/", {"username": email, "password": TEST_PASSWORD}, HTTP_X_FORWARDED_FOR="203.0.113.5"
    )
    assert other.status_code == 302
