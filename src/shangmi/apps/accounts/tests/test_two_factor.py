"""TOTP two-factor authentication: who must enrol, enrolment from the shown secret, recovery codes,
verification at the next log-in, and the API refusing a session that still owes its second factor."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shangmi.apps.accounts.tests.pages import (
    ENROL_URL,
    VERIFY_URL,
    element_text,
    list_items,
    password_login,
    totp_code,
    wrong_code,
)
from shangmi.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

WRONG_ENROL_CODE = "验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字。"
WRONG_VERIFY_CODE = "验证码不正确。多次错误后需等待更长时间才能再试。"


def path_of(url: str) -> str:
    return urlsplit(url).path


def log_in_and_land(client, user):
    """Password log-in, then the first page the user is sent to."""
    response = password_login(client, user.email)
    assert response.status_code == 302, response.content.decode()[:500]
    return client.get(response["Location"])


def enrol(client) -> tuple[str, list[str]]:
    """Enrol through the page like a person with an authenticator app; returns (secret, recovery codes)."""
    page = client.get(ENROL_URL)
    assert page.status_code == 200
    secret = element_text(page.content.decode(), "totp-secret")
    response = client.post(ENROL_URL, {"code": totp_code(secret)})
    assert response.status_code == 200
    return secret, list_items(response.content.decode(), "recovery-codes")


@pytest.fixture
def regulator_staff(make_org, make_member):
    return make_member(make_org("regulator"), "staff")


@pytest.mark.parametrize("role", ["admin", "officer"])
def test_enterprise_admin_and_officer_are_sent_to_enrol(client, enterprise, role):
    _org, people = enterprise
    response = log_in_and_land(client, people[role])
    assert response.status_code == 302
    assert path_of(response["Location"]) == ENROL_URL


def test_regulator_staff_is_sent_to_enrol(client, regulator_staff):
    response = log_in_and_land(client, regulator_staff)
    assert response.status_code == 302
    assert path_of(response["Location"]) == ENROL_URL


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_employee_and_manager_are_not_asked_for_a_second_factor(client, enterprise, role):
    _org, people = enterprise
    response = log_in_and_land(client, people[role])
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/"


def test_every_page_but_the_second_factor_pages_is_closed_until_enrolled(client, enterprise):
    _org, people = enterprise
    password_login(client, people["officer"].email)
    for url in ("/", "/accounts/inbox/", "/accounts/security/", "/accounts/members/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert path_of(response["Location"]) == ENROL_URL, url
    # the page asked for is where enrolment leads back to
    assert parse_qs(urlsplit(client.get("/accounts/inbox/")["Location"]).query) == {
        "next": ["/accounts/inbox/"]
    }
    assert client.get(ENROL_URL).status_code == 200


def test_enrolment_with_the_shown_secret_gives_ten_recovery_codes_then_the_dashboard(client, enterprise):
    org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    page = client.get(ENROL_URL).content.decode()
    secret = element_text(page, "totp-secret")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    assert "<svg" in page  # the QR code is inline, no external image service

    response = client.post(ENROL_URL, {"code": totp_code(secret)})
    assert response.status_code == 200
    codes = list_items(response.content.decode(), "recovery-codes")
    assert len(codes) == 10
    assert len(set(codes)) == 10
    assert all(re.fullmatch(r"\d{10}", code) for code in codes)
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(
        codes
    )
    device = TOTPDevice.objects.get(user=officer)
    assert device.confirmed is True
    assert AuditEvent.objects.filter(verb="user.2fa_enrol", actor=officer).count() == 1

    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert org.name in dashboard.content.decode()


def test_enrolment_accepts_the_code_typed_with_a_space(client, enterprise):
    _org, people = enterprise
    password_login(client, people["admin"].email)
    secret = element_text(client.get(ENROL_URL).content.decode(), "totp-secret")
    code = totp_code(secret)
    response = client.post(ENROL_URL, {"code": f"{code[:3]} {code[3:]}"})
    assert len(list_items(response.content.decode(), "recovery-codes")) == 10


def test_the_secret_stays_the_same_until_enrolment_is_confirmed(client, enterprise):
    _org, people = enterprise
    password_login(client, people["admin"].email)
    first = element_text(client.get(ENROL_URL).content.decode(), "totp-secret")
    second = element_text(client.get(ENROL_URL).content.decode(), "totp-secret")
    assert first == second
    assert TOTPDevice.objects.filter(user=people["admin"]).count() == 1


def test_wrong_code_shows_an_error_and_leaves_the_device_unconfirmed(client, enterprise):
    _org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    secret = element_text(client.get(ENROL_URL).content.decode(), "totp-secret")

    response = client.post(ENROL_URL, {"code": wrong_code(secret)})
    assert response.status_code == 200
    body = response.content.decode()
    assert WRONG_ENROL_CODE in body
    assert 'id="recovery-codes"' not in body
    assert list(TOTPDevice.objects.filter(user=officer).values_list("confirmed", flat=True)) == [False]
    assert not StaticDevice.objects.filter(user=officer).exists()
    assert not AuditEvent.objects.filter(verb="user.2fa_enrol").exists()
    assert path_of(client.get("/")["Location"]) == ENROL_URL


def test_next_login_asks_for_the_code_and_accepts_the_authenticator(client, enterprise):
    _org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    secret, _codes = enrol(client)
    client.post("/accounts/logout/")

    response = log_in_and_land(client, officer)
    assert response.status_code == 302
    assert path_of(response["Location"]) == VERIFY_URL
    assert client.get(ENROL_URL)["Location"] == VERIFY_URL  # cannot enrol a new device instead

    # the code of the enrolment window is spent; the next window's code is still accepted
    response = client.post(VERIFY_URL, {"code": totp_code(secret, steps_ahead=1)})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_wrong_code_at_verification_is_refused(client, enterprise):
    _org, people = enterprise
    password_login(client, people["officer"].email)
    secret, _codes = enrol(client)
    client.post("/accounts/logout/")
    password_login(client, people["officer"].email)

    response = client.post(VERIFY_URL, {"code": wrong_code(secret)})
    assert response.status_code == 200
    assert WRONG_VERIFY_CODE in response.content.decode()
    assert path_of(client.get("/")["Location"]) == VERIFY_URL


def test_a_recovery_code_works_exactly_once(client, enterprise):
    _org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    _secret, codes = enrol(client)
    client.post("/accounts/logout/")

    password_login(client, officer.email)
    response = client.post(VERIFY_URL, {"code": codes[3]})
    assert response.status_code == 302
    assert response["Location"] == "/"
    dashboard = client.get("/")
    assert dashboard.status_code == 200
    assert "您使用了一个恢复码，还剩 9 个。" in dashboard.content.decode()
    assert StaticToken.objects.filter(device__user=officer).count() == 9
    assert not StaticToken.objects.filter(device__user=officer, token=codes[3]).exists()
    client.post("/accounts/logout/")

    password_login(client, officer.email)
    response = client.post(VERIFY_URL, {"code": codes[3]})
    assert response.status_code == 200
    assert WRONG_VERIFY_CODE in response.content.decode()
    assert path_of(client.get("/")["Location"]) == VERIFY_URL


def test_verification_returns_to_the_page_first_asked_for(client, enterprise):
    _org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    _secret, codes = enrol(client)
    client.post("/accounts/logout/")

    response = client.post(
        "/accounts/login/",
        {"username": officer.email, "password": "Correct-Horse-Battery-42", "next": "/accounts/inbox/"},
    )
    assert response["Location"] == "/accounts/inbox/"
    to_verify = client.get("/accounts/inbox/")["Location"]
    assert to_verify == f"{VERIFY_URL}?next=%2Faccounts%2Finbox%2F"
    response = client.post(to_verify, {"code": codes[0]})
    assert response["Location"] == "/accounts/inbox/"


def test_optional_enrolment_for_an_employee_then_verification_is_required(client, enterprise):
    _org, people = enterprise
    employee = people["employee"]
    password_login(client, employee.email)
    security = client.get("/accounts/security/").content.decode()
    assert "未启用" in security
    enrol(client)
    assert "已启用" in client.get("/accounts/security/").content.decode()
    client.post("/accounts/logout/")
    response = log_in_and_land(client, employee)
    assert path_of(response["Location"]) == VERIFY_URL


def test_recovery_codes_can_be_regenerated_and_old_ones_stop_working(client, enterprise):
    _org, people = enterprise
    officer = people["officer"]
    password_login(client, officer.email)
    _secret, old_codes = enrol(client)
    response = client.post("/accounts/2fa/recovery-codes/")
    new_codes = list_items(response.content.decode(), "recovery-codes")
    assert len(new_codes) == 10
    assert not set(new_codes) & set(old_codes)
    assert sorted(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == sorted(
        new_codes
    )


def test_recovery_codes_are_not_issued_without_an_authenticator(client, enterprise):
    _org, people = enterprise
    employee = people["employee"]
    password_login(client, employee.email)
    response = client.post("/accounts/2fa/recovery-codes/")
    assert response.status_code == 302
    assert response["Location"] == ENROL_URL
    assert not StaticDevice.objects.filter(user=employee).exists()
    # the employee is not locked behind a verification they cannot pass
    assert client.get("/").status_code == 200


def test_api_refuses_a_session_that_owes_a_second_factor(client, enterprise):
    _org, people = enterprise
    password_login(client, people["officer"].email)
    response = client.get("/api/v1/me")
    assert response.status_code == 403
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] == "需要完成双因素认证"


def test_api_refuses_a_session_with_a_device_until_verified(client, enterprise):
    _org, people = enterprise
    employee = people["employee"]
    password_login(client, employee.email)
    _secret, codes = enrol(client)
    client.post("/accounts/logout/")
    password_login(client, employee.email)
    assert client.get("/api/v1/me").status_code == 403
    client.post(VERIFY_URL, {"code": codes[0]})
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["id"] == employee.pk


def test_api_serves_a_verified_session(client, enterprise):
    org, people = enterprise
    password_login(client, people["officer"].email)
    enrol(client)
    response = client.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["role"] == "officer"
    assert response.json()["organisation"]["id"] == org.pk


def test_the_sessions_user_is_read_with_whether_a_confirmed_device_exists(enterprise):
    """backends.get_user reads the flag the two-factor gate asks on every request in the same statement."""
    from shangmi.apps.accounts.backends import EmailOrPhoneBackend

    backend = EmailOrPhoneBackend()
    user = enterprise[1]["employee"]
    assert backend.get_user(user.pk).second_factor_confirmed is False
    TOTPDevice.objects.create(user=user, name="pending", confirmed=False)
    assert backend.get_user(user.pk).second_factor_confirmed is False
    StaticDevice.objects.create(user=user, name="recovery", confirmed=True)
    assert backend.get_user(user.pk).second_factor_confirmed is True
    assert backend.get_user(10**9) is None
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert backend.get_user(user.pk) is None
