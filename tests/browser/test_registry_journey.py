"""The browser test of issue 4: three people of the demo enterprise walk one trade secret from application to
designation to declassification, in a real browser against `shangmi run`.

The employee (e01, by phone) applies with two secret points; the secrecy officer (TOTP) reviews it with a
非公知性 check; the manager approves it; the officer registers its carrier and declassifies it. The secret's
timeline then shows each step, and once the worker has written them into the evidence log, the receipt of
a step downloads and verifies against the step's canonical record. Every page is checked for CSP violations
and JavaScript errors by the `browsing` fixture.
"""

from __future__ import annotations

import re
import secrets
import time

import pytest

from .helpers import (
    EMPLOYEE_PHONE,
    logs_in,
    path_of,
    submit,
    two_factor_logs_in,
)

pytestmark = pytest.mark.browser

MANAGER = "manager@lanxi.example"
SEARCHED = "国家知识产权局专利检索（CNIPA）：恒温阀芯 陶瓷 研磨；中国知网；GB/T 24293"
FOUND = "未检索到相同的研磨粒度序列与抛光时间组合"
INCLUSION_TIMEOUT = 90  # seconds for the worker to write the records into the evidence log


def _state(page) -> str:
    return page.inner_text("#secret-state").strip()


def _timeline(page) -> list[str]:
    return page.locator("#timeline-events > li").evaluate_all("items => items.map(li => li.dataset.kind)")


def test_application_designation_and_declassification_by_three_people(browsing, tmp_path):
    name = f"恒温阀芯陶瓷研磨工艺-{secrets.token_hex(3)}"

    # 1. The employee applies, with two secret points (the form starts with three rows and can add more).
    employee, employee_log = logs_in(browsing, EMPLOYEE_PHONE)
    with employee.expect_navigation():
        employee.click('#sidebar a.nav-link[href="/registry/"]')
    with employee.expect_navigation():
        employee.click("#registry-apply")
    assert path_of(employee) == "/registry/new/"
    assert employee.locator("#points-body tr").count() == 3
    employee.click("#add-point")
    assert employee.locator("#points-body tr").count() == 4
    assert employee.locator("#points-body tr").nth(3).locator(".point-number").inner_text() == "4"
    employee.fill("#id_name", name)
    employee.select_option("#id_category", "business")
    # Only the chosen category's sub-categories can be picked.
    assert (
        employee.locator('#id_subcategory optgroup[label="技术信息"]').get_attribute("disabled") is not None
    )
    employee.select_option("#id_category", "technical")
    employee.select_option("#id_subcategory", "process")
    employee.select_option("#id_level", "core")
    employee.select_option("#id_period_kind", "long_term")
    assert employee.input_value("#id_department") == "研发部"  # e01's own department
    employee.fill("#id_description", "陶瓷阀芯的研磨与抛光工艺")
    titles = employee.locator('#points-body input[name="point_title"]')
    notes = employee.locator('#points-body input[name="point_description"]')
    titles.nth(0).fill("研磨粒度序列")
    notes.nth(0).fill("W40→W10→W3.5")
    titles.nth(1).fill("抛光时间按硬度分档")
    browsing.screenshot(employee, "40-registry-apply-zh")
    submit(employee, "#apply-submit")
    match = re.fullmatch(r"/registry/(\d+)/", path_of(employee))
    assert match, employee.url
    detail = path_of(employee)
    code = employee.inner_text("h1 .mono").strip()
    assert re.fullmatch(r"LXWY-\d{4}-\d{4}", code), code
    assert _state(employee) == "待审查"
    assert employee.locator("#secret-points li strong").all_inner_texts() == [
        "研磨粒度序列",
        "抛光时间按硬度分档",
    ]
    assert employee.locator("#secret-actions a").count() == 0, "an employee takes no step on an application"
    assert _timeline(employee) == ["apply"]
    browsing.screenshot(employee, "41-registry-applied-zh")

    # 2. The secrecy officer reviews it with a 非公知性 check.
    officer, officer_log = two_factor_logs_in(browsing)
    officer.goto(detail)
    assert _state(officer) == "待审查"
    with officer.expect_navigation():
        officer.click("#action-review")
    assert "研磨粒度序列" in officer.inner_text("#secret-summary")
    officer.check("#id_decision_0")  # 通过
    officer.fill("#id_searched", SEARCHED)
    officer.fill("#id_found", FOUND)
    officer.fill("#id_opinion", "建议定为核心商业秘密")
    browsing.screenshot(officer, "42-registry-review-zh")
    submit(officer, "#step-submit")
    assert path_of(officer) == detail
    assert _state(officer) == "待批准"
    assert SEARCHED in officer.inner_text("#secret-reviews")
    assert officer.locator("#action-approve").count() == 0, "the officer does not approve"

    # 3. The manager approves it.
    manager, manager_log = logs_in(browsing, MANAGER)
    manager.goto(detail)
    with manager.expect_navigation():
        manager.click("#action-approve")
    assert FOUND in manager.inner_text("#review-summary")
    manager.check("#id_decision_0")  # 批准定密
    manager.fill("#id_opinion", "同意定密")
    submit(manager, "#step-submit")
    assert path_of(manager) == detail
    assert _state(manager) == "已定密"
    assert manager.locator("#action-declassify").count() == 0, "the manager does not declassify"

    # 4. The officer registers its carrier, then declassifies it.
    officer.goto(detail)
    with officer.expect_navigation():
        officer.click("#action-carrier")
    assert officer.locator("#digest-box").is_hidden(), "digests belong to electronic carriers only"
    officer.select_option("#id_kind", "document")
    assert officer.locator("#digest-box").is_visible()
    officer.select_option("#id_kind", "paper")
    officer.fill("#id_name", "研磨工艺卡（纸质）")
    officer.fill("#id_location", "法务与保密办 档案柜 B2")
    submit(officer, "#step-submit")
    assert path_of(officer) == detail
    assert officer.locator("#carrier-table tbody tr").count() == 1
    assert "未标识" in officer.inner_text("#carrier-table tbody tr")
    with officer.expect_navigation():
        officer.click("#action-declassify")
    officer.select_option("#id_reason", "patented")
    officer.fill("#id_note", "已提交发明专利申请")
    submit(officer, "#step-submit")
    assert path_of(officer) == detail
    assert _state(officer) == "已解密"
    # No step remains; the reasonable-measures dossier still applies (measures taken while it was secret).
    ids = officer.locator("#secret-actions a").evaluate_all("links => links.map(a => a.id)")
    assert ids == ["action-dossier"], ids

    # 5. The timeline holds the five steps; once the worker has included them, receipts download.
    kinds = ["apply", "review", "approve", "carrier_add", "declassify"]
    assert _timeline(officer) == kinds
    labels = officer.locator("#timeline-events .event-kind").all_inner_texts()
    assert labels == ["定密申请", "定密审查", "批准定密", "登记载体", "解密"]
    # Poll the receipts (409 while pending) rather than reload the page, then look once more.
    base = browsing.server.url.rstrip("/")
    records = officer.locator("#timeline-events .event-record").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    receipts = [base + href.replace("/record/", "/receipt/") for href in records]
    deadline = time.monotonic() + INCLUSION_TIMEOUT
    while True:
        statuses = [officer.request.get(url).status for url in receipts]
        assert set(statuses) <= {200, 409}, statuses
        if statuses == [200] * len(kinds):
            break
        assert time.monotonic() < deadline, (
            f"the worker did not include the records in the evidence log: {statuses}"
        )
        time.sleep(1)
    officer.reload()
    assert officer.locator("#timeline-events .event-receipt").count() == len(kinds)
    assert officer.locator("#timeline-events .deposit-state").all_inner_texts() == ["已入链"] * len(kinds)
    browsing.screenshot(officer, "43-registry-timeline-zh")

    from shangmi.engines.tlog.material import digest_bytes
    from shangmi.engines.tlog.receipt import verify_receipt

    last = officer.locator('#timeline-events > li[data-kind="declassify"]')
    record = officer.request.get(base + last.locator(".event-record").get_attribute("href"))
    assert record.status == 200
    assert record.headers["content-type"] == "application/json; charset=utf-8"
    assert '"event":"declassify"' in record.text() and f'"secret":"{code}"' in record.text()
    officer_log.allow(r"GET \S+/registry/events/\d+/receipt/: net::ERR_ABORTED")  # a download
    with officer.expect_download() as download:
        last.locator(".event-receipt").click()
    assert re.fullmatch(rf"{code}-declassify-\d+\.receipt", download.value.suggested_filename)
    receipt = tmp_path / download.value.suggested_filename
    download.value.save_as(receipt)
    verdict = verify_receipt(receipt.read_bytes(), material=digest_bytes(record.body()))
    assert verdict.valid, [(c.name, c.detail) for c in verdict.checks]

    # The register lists it: the officer finds it by a Chinese search, filtered in place (HTMX).
    officer.goto("/registry/")
    officer.locator("#registry-charts .chart[data-drawn] svg").first.wait_for()
    with officer.expect_response(
        lambda r: "/registry/?" in r.url and r.request.headers.get("hx-request") == "true"
    ):
        officer.fill("#registry-q", name)
    officer.wait_for_function(
        "() => document.querySelectorAll('#registry-table tbody tr').length === 1"
        " && document.querySelector('#registry-table tbody tr').textContent.includes('已解密')"
    )
    assert "q=" in officer.url
    assert officer.locator("#registry-table tbody tr .mono").inner_text() == code
    browsing.screenshot(officer, "44-registry-list-search-zh")

    # The employee, as the applicant, still sees the application and its whole history.
    employee.goto(detail)
    assert _state(employee) == "已解密" and _timeline(employee) == kinds

    for log in (employee_log, officer_log, manager_log):
        log.assert_clean()
