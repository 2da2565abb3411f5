"""The CI browser test of issue 2: the demo secrecy officer logs in with TOTP, switches to English and back,
and opens the dashboard and the audit page — with no CSP violation or JavaScript error on any page."""

from __future__ import annotations

import re

import pytest

from .helpers import (
    DEMO_MEMBERS,
    ENTERPRISE_ADMIN,
    OFFICER,
    assert_styled,
    html_lang,
    log_in,
    path_of,
    qr_fully_visible,
    stat_cards,
    submit,
    totp_code,
    wait_for_fresh_totp_window,
)

pytestmark = pytest.mark.browser


def _enrol_totp(page, server) -> None:
    """Type the code for the secret shown on the enrolment page; retry once across a 30 s boundary.
    The secret is kept on the server fixture for later tests that log in as the officer again."""
    for attempt in range(2):
        secret = page.inner_text("#totp-secret").strip()
        server.totp_secrets[OFFICER] = secret
        assert re.fullmatch(r"[A-Z2-7 ]{16,}=*", secret), f"not a base32 secret: {secret!r}"
        wait_for_fresh_totp_window()
        page.fill("#id_code", totp_code(secret))
        response = submit(page, "#otp-submit")
        assert response.status == 200
        if page.locator("#recovery-codes").count():
            return
        assert attempt == 0, (
            "the TOTP code was refused twice: " + page.locator(".invalid-feedback").inner_text()
        )


def _assert_dashboard(page, members_label: str) -> None:
    cards = stat_cards(page)
    assert cards.get(members_label) == str(DEMO_MEMBERS), f"stat cards: {cards}"
    # The audit chart is drawn by ECharts (SVG renderer) from json_script data under the CSP.
    chart = page.locator(".chart[data-drawn] svg")
    chart.wait_for()
    box = chart.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 100, box
    assert page.locator(".chart[data-drawn] svg path").count() > 10


def test_secrecy_officer_totp_language_dashboard_and_audit(browsing):
    page, log = browsing.new_page()

    # Anonymous → login page, Chinese by default.
    page.goto("/")
    assert path_of(page) == "/accounts/login/"
    assert html_lang(page) == "zh-hans"

    # Password, then the required TOTP enrolment.
    response = log_in(page, OFFICER)
    assert response.status == 200
    assert path_of(page) == "/accounts/2fa/enrol/", "a secrecy officer must enrol a second factor first"
    assert page.locator(".qr svg").count() == 1, "the enrolment QR code is missing"
    browsing.screenshot(page, "01-2fa-enrol-zh")
    _enrol_totp(page, browsing.server)

    # Recovery codes, shown once.
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) >= 5 and all(re.fullmatch(r"\w{6,}", c.strip()) for c in codes), codes
    browsing.screenshot(page, "02-recovery-codes-zh")
    with page.expect_navigation():
        page.click("#continue")
    assert path_of(page) == "/"

    # Dashboard in Chinese.
    assert html_lang(page) == "zh-hans"
    assert page.locator("h1").first.inner_text().startswith("工作台")
    _assert_dashboard(page, "成员")
    assert_styled(page)
    assert page.locator(".navbar-toggler").is_hidden(), "the menu toggler belongs to narrow screens only"
    assert page.locator("#sidebar a.nav-link").first.is_visible()
    browsing.screenshot(page, "03-dashboard-zh")

    # Switch to English.
    submit(page, "#lang-en")
    assert path_of(page) == "/"
    assert html_lang(page) == "en"
    assert page.locator("h1").first.inner_text().startswith("Dashboard")
    assert page.locator("#lang-zh").is_visible()
    _assert_dashboard(page, "Members")
    browsing.screenshot(page, "04-dashboard-en")

    # The audit page, through the navigation.
    with page.expect_navigation():
        page.click('#sidebar a.nav-link[href="/audit/"]')
    assert path_of(page) == "/audit/"
    assert html_lang(page) == "en"
    assert page.locator("h1").first.inner_text().startswith("Audit")
    verbs = [v.strip() for v in page.locator("#audit-table tbody td code").all_inner_texts()]
    # Newest first: the demo's self-check steps (its review by the law firm), recorded by the real actions
    # after the memberships, the register and the people side; older verbs are among the filter's choices.
    assert "assessment.review" in verbs and "assessment.submit" in verbs, verbs
    options = page.locator('select[name="verb"] option').all_inner_texts()
    assert {"membership.add", "organisation.create", "registry.apply", "registry.declassify"} <= set(
        options
    ), options
    browsing.screenshot(page, "05-audit-en")

    # The verb filter swaps the results in place through HTMX (a template partial).
    with page.expect_response(lambda r: "/audit/" in r.url and r.request.headers.get("hx-request") == "true"):
        page.select_option('select[name="verb"]', "membership.add")
    page.wait_for_function(
        """() => { const c = [...document.querySelectorAll('#audit-table tbody td code')];
                   return c.length > 0 && c.every(e => e.textContent.trim() === 'membership.add'); }"""
    )
    assert "verb=membership.add" in page.url
    assert page.locator("h1").count() == 1, "the partial must replace the results only"

    # Back to Chinese, on the same page.
    submit(page, "#lang-zh")
    assert path_of(page) == "/audit/"
    assert html_lang(page) == "zh-hans"
    assert page.locator("h1").first.inner_text().startswith("审计日志")
    assert page.locator("#audit-table tbody tr").count() > 0
    browsing.screenshot(page, "06-audit-zh")

    with page.expect_navigation():
        page.click('#sidebar a.nav-link[href="/"]')
    assert html_lang(page) == "zh-hans"
    _assert_dashboard(page, "成员")

    log.assert_clean()


def test_enrolment_qr_code_is_drawn_whole(browsing):
    page, log = browsing.new_page()
    page.goto("/accounts/login/")
    log_in(page, ENTERPRISE_ADMIN)
    assert path_of(page) == "/accounts/2fa/enrol/"
    page.locator(".qr svg").wait_for()
    browsing.screenshot(page, "07-2fa-enrol-admin-zh")
    log.assert_clean()
    geometry = qr_fully_visible(page)
    assert geometry["visible"], (
        f"part of the QR code is cut off, so authenticator apps cannot scan it: {geometry}"
    )
