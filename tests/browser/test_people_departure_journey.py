"""The browser test of issue 5's departure audit (离职审计), in a real browser against `shangmi run`.

The secrecy officer entrusts a salesperson of the demo enterprise with a secret and hands them a carrier
(register pages), finds their personnel record on the roster, records their resignation from the person page, completes every item of the generated checklist (revoking the grant, uploading a log
excerpt for the access review), downloads the reminder letter (a DOCX naming the person) and closes the
audit. Every page is checked for CSP violations and JavaScript errors by the `browsing` fixture.
"""

from __future__ import annotations

import re
import secrets

import pytest

from .helpers import path_of, submit, two_factor_logs_in

pytestmark = pytest.mark.browser

# The file is named so that it runs after test_officer_journey, whose subject is the demo officer's first
# log-in (TOTP enrolment); here the officer enrols or, as usual, types a code from the enrolled secret.

LEAVER = "袁佳怡"  # e36@lanxi.example, 销售部 (demo data)
LEAVER_LABEL = f"{LEAVER} · 销售部"
SECRET = "智能恒温阀芯温控算法"
EXCERPT = "2026-11-02T22:14:05+08:00 e36 VPN login 10.0.8.21\n2026-11-02T22:15:40+08:00 e36 download 经销商名单.xlsx\n"


def _item_kinds(page) -> list[str]:
    return page.locator("#departure-items > li").evaluate_all("items => items.map(li => li.dataset.kind)")


def _docx_text(path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


# What the officer answers for each kind of item: (outcome to pick or None for the default, note).
ANSWERS = {
    "carrier": ("returned", "已交回保密柜 B-2，保密员签收"),
    "grant": (None, ""),
    "accounts": (None, "OA、邮箱、CRM 账号已停用"),
    "door": ("not_applicable", "未配发门禁卡"),
    "interview": (None, "已告知离职后的保密义务，本人确认未保留客户资料"),
    "pledge": (None, "纸质离职保密承诺书已签署，存人事档案"),
    "letter": (None, "当面送达，本人签收"),
    "access_review": (None, "近 90 天无异常批量下载"),
    "customers": (None, "华东区经销商甲、乙已电话告知"),
}


def test_officer_records_a_resignation_and_completes_the_departure_audit(browsing, tmp_path):
    officer, log = two_factor_logs_in(browsing)
    # Form after form: a navigation may cancel the favicon fetch of the page it leaves, and the letter's
    # link is a navigation that turns into a download.
    log.allow(r"GET \S+/static/shangmi/favicon\.\w+\.svg: net::ERR_ABORTED")
    log.allow(r"GET \S+/people/departures/\d+/letter\.docx: net::ERR_ABORTED")

    # 1. The register: entrust the salesperson with a secret and hand them a carrier.
    officer.goto(f"/registry/?q={SECRET}")
    with officer.expect_navigation():
        officer.locator("#registry-table td.name a", has_text=SECRET).first.click()
    secret_page = path_of(officer)
    with officer.expect_navigation():
        officer.click("#action-grant")
    officer.select_option("#id_user", label=LEAVER_LABEL)
    officer.fill("#id_reason", "维护重点经销商关系")
    submit(officer, "#step-submit")
    assert path_of(officer) == secret_page
    carrier_name = f"经销商拜访记录-{secrets.token_hex(2)}"
    with officer.expect_navigation():
        officer.click("#action-carrier")
    officer.select_option("#id_kind", "paper")
    officer.fill("#id_name", carrier_name)
    officer.select_option("#id_custodian", label=LEAVER_LABEL)
    submit(officer, "#step-submit")
    assert path_of(officer) == secret_page

    # 2. The person: the demo's personnel record linked to their account, found from the roster.
    officer.goto(f"/people/?q={LEAVER}")
    row = officer.locator("#employees-table tbody tr").first
    number = row.locator("td a.mono").inner_text().strip()
    with officer.expect_navigation():
        row.locator("td a.mono").click()
    person_page = path_of(officer)
    assert re.fullmatch(r"/people/\d+/", person_page), officer.url
    browsing.screenshot(officer, "59-people-person-zh")

    # 3. The resignation, from the person page.
    with officer.expect_navigation():
        officer.click("#person-resign")
    assert path_of(officer) == person_page + "resign/"
    officer.fill("#id_resignation_on", "2026-11-20")
    officer.fill("#id_last_day", "2026-12-20")
    officer.fill("#id_reason", "个人发展")
    browsing.screenshot(officer, "60-people-resign-zh")
    submit(officer, "#resign-submit")
    match = re.fullmatch(r"/people/departures/(\d+)/", path_of(officer))
    assert match, officer.url
    audit = path_of(officer)
    kinds = _item_kinds(officer)
    assert kinds == [
        "carrier",
        "grant",
        "accounts",
        "door",
        "interview",
        "pledge",
        "letter",
        "access_review",
        "customers",
    ], kinds
    assert carrier_name in officer.inner_text("#departure-items")
    assert officer.inner_text("#departure-progress") == "0/9"
    assert officer.locator("#close-submit").is_disabled()
    browsing.screenshot(officer, "61-people-departure-open-zh")

    # 4. The reminder letter: a DOCX naming the person.
    with officer.expect_download() as download_info:
        officer.click("#departure-letter")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    letter = tmp_path / "letter.docx"
    download.save_as(letter)
    text = _docx_text(letter)
    assert "保密义务提醒函" in text and f"{LEAVER}（工号 {number}）" in text
    assert SECRET in text and carrier_name in text

    # 5. Every item, one form at a time.
    excerpt = tmp_path / "access-90d.log"
    excerpt.write_text(EXCERPT, encoding="utf-8")
    for _ in range(len(kinds)):
        item = officer.locator('#departure-items > li[data-done="0"]').first
        form = item.locator("form.item-form")
        kind = item.get_attribute("data-kind")
        item_id = item.get_attribute("id")
        outcome, note = ANSWERS[kind]
        if outcome:
            form.locator(f'input[name$="-outcome"][value="{outcome}"]').check()
        if note:
            form.locator('textarea[name$="-note"]').fill(note)
        if kind == "access_review":
            form.locator('input[type="file"]').set_input_files(str(excerpt))
        submit(officer, f"#{item_id} .item-submit")
        assert path_of(officer) == audit
        assert officer.locator(f"#{item_id}").get_attribute("data-done") == "1", (
            kind,
            officer.content()[:3000],
        )
    assert officer.locator("form.item-form").count() == 0
    assert officer.inner_text("#departure-progress") == "9/9"
    assert "access-90d.log" in officer.inner_text("#departure-items")
    browsing.screenshot(officer, "62-people-departure-done-zh")

    # 6. Close: the audit is deposited and the person has left.
    assert officer.locator("#close-submit").is_enabled()
    submit(officer, "#close-submit")
    assert path_of(officer) == audit
    assert officer.inner_text("#departure-state").strip() == "已完成"
    assert officer.locator("#departure-closed").count() == 1
    assert "dep_close" in officer.locator("#departure-events > li").evaluate_all(
        "items => items.map(li => li.dataset.kind)"
    )
    officer.goto("/people/departures/?state=closed")
    row = officer.locator(f"#departure-row-{match.group(1)}")
    assert row.locator(".progress-text").inner_text() == "9/9"
    officer.goto(person_page)
    assert officer.locator("#person-resign").count() == 0
    assert "已离职" in officer.inner_text("main")
    browsing.screenshot(officer, "63-people-departure-closed-zh")
