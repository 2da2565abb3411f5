"""Log-in through the real page by e-mail (any case) or mainland mobile number (any usual spelling)."""

import pytest
from conftest import TEST_PASSWORD
from django.contrib.auth import SESSION_KEY

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import User
from shangmi.apps.accounts.tests.pages import INVALID_LOGIN, LOGIN_URL, password_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def employee(enterprise):
    """An employee (no second factor required) with both an e-mail address and a mobile number."""
    org, _people = enterprise
    user = actions.user_create(
        actor=None,
        name="王小明",
        email="Wang.Xiaoming@Example.COM",
        phone="13805740001",
        password=TEST_PASSWORD,
    )
    actions.membership_add(actor=None, user=user, organisation=org, role="employee")
    return user


def logged_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return int(value) if value is not None else None


def test_login_page_renders_the_form(client):
    response = client.get(LOGIN_URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="username"' in body
    assert 'name="password"' in body
    assert "电子邮箱或手机号" in body


def test_email_is_stored_with_lower_case_domain(employee):
    assert employee.email == "Wang.Xiaoming@example.com"


@pytest.mark.parametrize(
    "username",
    [
        "Wang.Xiaoming@example.com",
        "wang.xiaoming@example.com",
        "WANG.XIAOMING@EXAMPLE.COM",
        "  wang.xiaoming@example.com ",
    ],
)
def test_login_by_email_in_any_case(client, employee, username):
    response = password_login(client, username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == employee.pk
    # an employee owes no second factor: the dashboard opens straight away
    assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    "username", ["13805740001", "+86 138-0574-0001", "+8613805740001", "0086 138 0574 0001", "138 0574 0001"]
)
def test_login_by_mobile_number_in_usual_spellings(client, employee, username):
    response = password_login(client, username)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == employee.pk


def test_wrong_password_shows_the_error_and_logs_nobody_in(client, employee):
    response = password_login(client, "13805740001", "Not-The-Password-1")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert logged_in_as(client) is None


def test_unknown_account_gets_the_same_error(client, employee):
    response = password_login(client, "nobody@example.com")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert logged_in_as(client) is None


def test_invalid_mobile_number_is_refused_like_a_wrong_password(client, employee):
    response = password_login(client, "1380574000")  # ten digits
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert logged_in_as(client) is None


def test_inactive_user_is_refused_even_with_the_right_password(client, employee):
    User.objects.filter(pk=employee.pk).update(is_active=False)
    response = password_login(client, "wang.xiaoming@example.com")
    assert response.status_code == 200
    assert INVALID_LOGIN in response.content.decode()
    assert logged_in_as(client) is None
    assert client.get("/")["Location"].startswith(LOGIN_URL)


def test_next_parameter_is_honoured_and_foreign_hosts_are_not(client, employee):
    response = client.post(
        LOGIN_URL, {"username": "13805740001", "password": TEST_PASSWORD, "next": "/accounts/inbox/"}
    )
    assert response["Location"] == "/accounts/inbox/"
    client.post("/accounts/logout/")
    response = client.post(
        LOGIN_URL, {"username": "13805740001", "password": TEST_PASSWORD, "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_logout_ends_the_session(client, employee):
    password_login(client, "13805740001")
    assert logged_in_as(client) == employee.pk
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Location"] == LOGIN_URL
    assert logged_in_as(client) is None
