"""The UI shell in a real browser: the login redirect, the lock-out message, and the phone-width menu."""

from __future__ import annotations

import pytest

from .helpers import (
    EMPLOYEE_PHONE,
    LOCKOUT_EMPLOYEE,
    assert_styled,
    horizontal_overflow,
    html_lang,
    log_in,
    path_of,
    query_of,
    submit,
)

pytestmark = pytest.mark.browser


def test_anonymous_visitor_is_sent_to_the_login_page(browsing):
    page, log = browsing.new_page()
    response = page.goto("/")
    redirect = response.request.redirected_from
    assert redirect is not None and redirect.response().status == 302
    assert path_of(page) == "/accounts/login/"
    assert query_of(page).get("next") == ["/"]
    assert html_lang(page) == "zh-hans"
    assert page.locator("#login-submit").is_visible()
    assert_styled(page)
    browsing.screenshot(page, "10-login-zh")

    page.goto("/audit/")
    assert path_of(page) == "/accounts/login/"
    assert query_of(page).get("next") == ["/audit/"]
    log.assert_clean()


def test_login_locks_out_after_five_wrong_passwords(browsing):
    page, log = browsing.new_page()
    log.allow(r"status of 429|HTTP 429 POST .*/accounts/login/")
    page.goto("/accounts/login/")

    for attempt in range(1, 5):
        response = log_in(page, LOCKOUT_EMPLOYEE, f"wrong-password-{attempt}")
        assert response.status == 200, f"attempt {attempt}"
        assert page.locator(".alert-danger").is_visible()
        assert page.locator("#lockout").count() == 0, f"locked out already after {attempt} failures"

    response = log_in(page, LOCKOUT_EMPLOYEE, "wrong-password-5")
    assert response.status == 429
    lockout = page.locator("#lockout")
    assert lockout.is_visible()
    text = lockout.inner_text()
    assert "锁定" in text and "重试" in text, text
    browsing.screenshot(page, "11-login-locked-zh")

    # While locked, even the right password is refused with the same message.
    response = log_in(page, LOCKOUT_EMPLOYEE)
    assert response.status == 429
    assert page.locator("#lockout").is_visible()
    assert path_of(page) == "/accounts/login/"
    log.assert_clean()


def test_phone_width_shows_the_menu_toggler_and_opens_the_sidebar(browsing):
    page, log = browsing.new_page(viewport=(390, 844), is_mobile=True, has_touch=True, device_scale_factor=2)
    page.goto("/accounts/login/")
    assert horizontal_overflow(page) <= 0, "the login page scrolls sideways on a phone"

    # An employee logs in by mobile number; the second factor is optional for employees.
    log_in(page, EMPLOYEE_PHONE)
    assert path_of(page) == "/"

    toggler = page.locator(".navbar-toggler")
    sidebar = page.locator("#sidebar")
    assert toggler.is_visible()
    assert sidebar.is_hidden(), "the sidebar should be folded away on a phone"
    assert horizontal_overflow(page) <= 0, "the dashboard scrolls sideways on a phone"
    browsing.screenshot(page, "20-phone-dashboard-zh")

    toggler.click()
    page.wait_for_selector("#sidebar.show", state="visible")
    first_link = page.locator("#sidebar a.nav-link").first
    first_link.wait_for(state="visible")
    page.wait_for_timeout(400)  # let the slide-in transition finish for the screenshot
    box = first_link.bounding_box()
    assert box and 0 <= box["x"] < 390 and box["width"] > 0, box
    browsing.screenshot(page, "21-phone-menu-open-zh")

    page.click("#sidebar .btn-close")
    page.wait_for_selector("#sidebar", state="hidden")

    # The language switch stays reachable on a phone.
    submit(page, "#lang-en")
    assert html_lang(page) == "en"
    assert toggler.is_visible()
    log.assert_clean()
