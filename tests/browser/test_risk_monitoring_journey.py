"""The browser test of issue 8: the secrecy officer feeds a generated organisation's logs (CERT r6
layout, zipped) to monitoring through the log-source page, tells it the company's domains, competitors
and secret paths, scores, and opens the alert raised for the last-day upload to a personal cloud drive:
its explanation, its key events and the person's activity chart; then escalates it. The file is named to
run after test_officer_journey (the officer's TOTP enrolment)."""

from __future__ import annotations

import json
import time
import zipfile
from datetime import date
from pathlib import Path

import pytest

from shangmi.engines.risk.generator import generate

from .helpers import path_of, submit, two_factor_logs_in

pytestmark = pytest.mark.browser

WORKER_TIMEOUT = 180  # seconds for the worker to ingest the upload or finish scoring


def _zip(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path("cert") / path.relative_to(folder))
    return target


def _until(page, check, what: str) -> None:
    deadline = time.monotonic() + WORKER_TIMEOUT
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(2)
        page.reload()


def test_last_day_upload_alert(browsing, tmp_path):
    org = tmp_path / "org"
    # Sixty days: enough history for the person's own baseline (a 45-day organisation is too short).
    generate(
        org,
        users=40,
        days=60,
        start=date(2026, 8, 3),
        seed=5,
        scenarios=["last_day_upload", "customer_list"],
        lookalikes=["own_cloud", "normal_crm"],
    )
    truth = json.loads((org / "truth.json").read_text(encoding="utf-8"))
    [leaver] = [s["user"] for s in truth["scenarios"] if s["kind"] == "last_day_upload"]
    bundle = _zip(org, tmp_path / "cert-logs.zip")

    officer, _log = two_factor_logs_in(browsing)
    with officer.expect_navigation():
        officer.click("nav a[href='/monitoring/']")
    with officer.expect_navigation():
        officer.click("#monitoring-tabs a[href='/monitoring/sources/']")

    # 1. A log source, and the zipped CERT folder uploaded to it; the worker ingests it.
    officer.fill("#id_name", "上传的 CERT 日志")
    officer.select_option("#id_kind", "upload")
    officer.select_option("#id_preset", "cert-r6")
    submit(officer, "#source-submit")
    row = officer.locator("#sources-table tbody tr", has_text="上传的 CERT 日志")
    row.locator("input[type=file]").set_input_files(str(bundle))
    with officer.expect_navigation():
        row.locator("button[type=submit]").click()
    mine = officer.locator("#uploads-table tbody tr", has_text="cert-logs.zip")
    _until(officer, lambda: mine.get_attribute("data-state") == "ingested", "ingestion")
    assert "导入" in mine.inner_text()
    browsing.screenshot(officer, "80-monitoring-sources-zh")

    # 2. The company's domains, its competitors and the paths of its secret material.
    with officer.expect_navigation():
        officer.click("#monitoring-tabs a[href='/monitoring/settings/']")
    officer.fill("#id_own_domains", "lanxi.example")
    officer.fill("#id_competitor_domains", (org / "competitors.txt").read_text(encoding="utf-8"))
    officer.fill(
        "#id_extra_register", "\n".join((org / "register.csv").read_text(encoding="utf-8").splitlines()[1:])
    )
    submit(officer, "#settings-submit")
    assert "已保存" in officer.inner_text(".alert-success")

    # 3. Score, and wait for the run.
    with officer.expect_navigation():
        officer.click("#monitoring-tabs a[href='/monitoring/']")
    submit(officer, "#score-now")
    _until(
        officer,
        lambda: (
            "完成"
            in (officer.locator("#latest-run").inner_text() if officer.locator("#latest-run").count() else "")
        ),
        "scoring",
    )
    officer.locator("[data-chart='trend-chart'] svg").wait_for()
    browsing.screenshot(officer, "81-monitoring-dashboard-zh")

    # 4. The leaver's alert: severity, explanation, key events, activity chart.
    with officer.expect_navigation():
        officer.click("#monitoring-tabs a[href='/monitoring/alerts/']")
    with officer.expect_navigation():
        officer.locator(f"#alerts-table tr[data-user='{leaver}'] a").click()
    assert officer.inner_text("#alert-severity").startswith(("高", "严重"))
    assert officer.locator("#indicators tr[data-indicator='personal_cloud_upload']").count() == 1
    assert "pan.baidu.com" in officer.inner_text("#events")
    officer.locator("[data-chart='activity-chart'] svg").wait_for()
    browsing.screenshot(officer, "82-monitoring-alert-zh")

    # 5. Escalate it.
    submit(officer, "#escalate")
    assert path_of(officer).startswith("/monitoring/alerts/")
    assert officer.inner_text("#alert-state") == "已升级"
    assert "升级" in officer.inner_text("#notes")
