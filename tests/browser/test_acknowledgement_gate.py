"""Issue 5, point 4 in a real browser: a grant opens a secret only after its person, logged in, reads and
confirms the acknowledgement text (知悉确认书)."""

from __future__ import annotations

import re

import pytest

from .helpers import log_in, path_of, submit

pytestmark = pytest.mark.browser

ENGINEER = (
    "e15@lanxi.example"  # an engineer of the demo enterprise who has not yet confirmed the 工程师 grant
)
SECRET = "智能恒温阀芯温控算法"


def test_engineer_confirms_the_acknowledgement_before_the_secret_opens(browsing):
    page, _log = browsing.new_page()
    page.goto("/accounts/login/")
    log_in(page, ENGINEER)

    page.goto("/registry/mine/")
    assert "待您确认" in page.inner_text("#mine-waiting")
    row = page.locator("#mine-table tbody tr", has_text=SECRET)
    code = row.locator("td").first.inner_text().strip()
    assert row.locator("td a", has_text=code).count() == 0  # no link to the register before confirming

    with page.expect_navigation():
        row.locator(".grant-ack").click()
    ack_page = path_of(page)
    assert re.fullmatch(r"/registry/grants/\d+/acknowledge/", ack_page), page.url
    text = page.inner_text("#ack-text")
    assert code in text and SECRET in text and "第二百一十九条" in text
    assert re.fullmatch(r"[0-9a-f]{64}", page.inner_text("#ack-sha256").strip())
    browsing.screenshot(page, "70-registry-acknowledge-zh")

    submit(page, "#ack-confirm")
    assert re.fullmatch(r"/registry/\d+/", path_of(page)), page.url
    assert SECRET in page.inner_text("h1")
    page.goto(ack_page)
    assert page.locator("#ack-done").count() == 1 and page.locator("#ack-confirm").count() == 0
