"""The browser test of issue 7's web point: the secrecy officer opens 鉴定辅助, builds a keyed fingerprint
index from the registered material on the server (the demo put it in the enterprise's forensics folder),
scans a seized disk's folder against it, follows the scan until the worker finishes, reads the pairs,
opens the offline report and deposits the result. The file is named to run after test_officer_journey
(the officer's TOTP enrolment)."""

from __future__ import annotations

import time

import pytest

from .helpers import path_of, submit, two_factor_logs_in

pytestmark = pytest.mark.browser

WORKER_TIMEOUT = 180


def _until(page, check, what: str) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(1)


def test_scan_a_seized_disk(browsing):
    officer, _log = two_factor_logs_in(browsing)
    with officer.expect_navigation():
        officer.click("nav a[href='/forensics/']")
    # The demo's finished scan is listed.
    assert officer.locator("#scans-table tbody tr", has_text="离职人员电脑备份").count() == 1

    # 1. A keyed index from the registered folder; the page follows the worker without a reload.
    officer.fill("#folder-form #id_name", "密钥指纹库")
    officer.fill("#folder-form #id_folder", "register")
    officer.check("#folder-form #id_keyed")
    submit(officer, "#folder-submit")
    assert "后台" in officer.inner_text(".alert-success")
    row = officer.locator("#indexes-table tbody tr", has_text="密钥指纹库")
    _until(officer, lambda: row.get_attribute("data-state") == "done", "the index build")
    assert row.locator(".bi-key").count() == 1

    # 2. A bad folder is refused on the form, naming it.
    officer.reload()
    officer.fill("#scan-form #id_name", "越界")
    officer.fill("#scan-form #id_suspect", "/etc")
    submit(officer, "#scan-submit")
    assert "/etc" in officer.inner_text("#scan-form .invalid-feedback")

    # 3. The scan of the seized folder against the new index.
    officer.fill("#scan-form #id_name", "查获硬盘比对")
    officer.select_option("#scan-form #id_index", label="密钥指纹库")
    officer.fill("#scan-form #id_suspect", "seized")
    submit(officer, "#scan-submit")
    scan_row = officer.locator("#scans-table tbody tr", has_text="查获硬盘比对")
    _until(officer, lambda: scan_row.get_attribute("data-state") == "done", "the scan")
    with officer.expect_navigation():
        scan_row.locator("a").click()
    assert path_of(officer).startswith("/forensics/scans/")
    assert int(officer.inner_text("#matches")) == 3
    pairs = officer.inner_text("#pairs-table")
    assert "HeatLoop.java" in pairs and "furnace/FurnaceController.java" in pairs and "客户名单.csv" in pairs
    browsing.screenshot(officer, "90-forensics-scan-zh")

    # 4. The offline report opens in its own tab with the regions side by side.
    with officer.context.expect_page() as opened:
        officer.click("#report-link")
    report = opened.value
    report.wait_for_load_state()
    assert "Forensic matching report" in report.inner_text("h1")
    with report.expect_navigation():
        report.locator("a", has_text="HeatLoop.java").click()
    assert report.locator("mark").count() > 0
    browsing.screenshot(report, "91-forensics-report")
    report.close()

    # 5. The result deposited in the evidence log.
    submit(officer, "#deposit-submit")
    assert "存证" in officer.inner_text(".alert-success")
    assert officer.locator("#deposit-link").count() == 1
    browsing.screenshot(officer, "92-forensics-deposited-zh")
