"""The browser test of issue 6: a self-check (自我体检) from start to review, its report, and a
合理保密措施 dossier, in a real browser against `shangmi run`, with three users.

The demo enterprise's secrecy officer starts a self-check, sees the platform's figure beside a question,
is asked for a reason when overriding it, accepts the remaining proposals, answers the rest, submits with
the scores shared, invites the demo law firm, reads the report (radar chart) and downloads it as Word;
then downloads the dossier of a registered secret as a ZIP that `shangmi verify` checks file by file. The
law firm's lawyer reviews the self-check, and the Shaoxing city bureau sees the shared scores of its
district's enterprises as distributions. The file is named to run after test_officer_journey (the
officer's TOTP enrolment)."""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from .helpers import logs_in, path_of, submit, two_factor_logs_in

pytestmark = pytest.mark.browser

LAWYER = "lawyer@mingheng.example"
CITY_STAFF = "staff@sx-amr.example"
LAW_FIRM = "浙江明衡律师事务所"
TITLE = "2026年第二次自我体检"
SECRET = "智能恒温阀芯温控算法"


def _docx_text(path) -> str:
    from docx import Document

    document = Document(str(path))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


def _save(page, selector: str, tmp_path, name: str):
    with page.expect_download() as info:
        page.click(selector)
    path = tmp_path / name
    info.value.save_as(path)
    return info.value, path


def _answer_open_questions(page) -> int:
    """Answer every open question with its first choice, one HTMX save at a time."""
    answered = 0
    while True:
        open_cards = page.locator(".question:not(.answered)")
        if open_cards.count() == 0:
            return answered
        card = open_cards.first
        qid = card.get_attribute("data-question")
        card.locator("input[type=radio]").first.check()
        reason = card.locator("input[name=override_reason]")
        if reason.count():
            reason.fill("人工核实")
        card.locator("button[type=submit]").click()
        page.locator(f"#q-{qid}.answered").wait_for()
        answered += 1


def test_self_check_report_review_and_dossier(browsing, tmp_path):
    officer, log = two_factor_logs_in(browsing)
    # Links that are navigations turning into downloads; and a favicon fetch the next navigation cancels.
    log.allow(r"GET \S+/assessment/\d+/report\.docx: net::ERR_ABORTED")
    log.allow(r"GET \S+/assessment/dossier/\d+/(zip|docx)/\S*: net::ERR_ABORTED")
    log.allow(r"GET \S+/static/shangmi/favicon\.\w+\.svg: net::ERR_ABORTED")

    # 1. The list: the demo's reviewed first self-check and its trend.
    with officer.expect_navigation():
        officer.click("nav a[href='/assessment/']")
    assert officer.locator("#assessments-table tbody tr").count() == 1
    officer.locator("[data-chart='trend-chart'] svg").wait_for()
    officer.fill("#id_title", TITLE)
    submit(officer, "#start")
    match = re.fullmatch(r"/assessment/(\d+)/", path_of(officer))
    assert match, officer.url
    detail = path_of(officer)
    assert officer.inner_text("#assessment-title") == TITLE
    total = int(re.search(r"/ (\d+) 题", officer.inner_text("#progress-text")).group(1))
    assert total >= 60

    # 2. A question the platform can answer shows its figure and proposal; overriding needs a reason.
    card = officer.locator("#q-org-officer")
    assert "建议答案" in card.inner_text() and card.get_attribute("class").count("answered") == 0
    card.locator("#c-org-officer-no").check()
    card.locator("button[type=submit]").click()
    officer.locator("#q-org-officer .answer-error").wait_for()
    assert "说明理由" in officer.inner_text("#q-org-officer .answer-error")
    officer.locator("#q-org-officer input[name=override_reason]").fill("保密员为兼职，尚未发文任命")
    officer.locator("#q-org-officer button[type=submit]").click()
    officer.locator("#q-org-officer.answered").wait_for()
    assert "改写系统建议" in officer.inner_text("#q-org-officer .saved")
    browsing.screenshot(officer, "70-self-check-answer-zh")

    # 3. The remaining proposals in one step, then everything else by hand.
    submit(officer, "#accept-proposals")
    assert "已采用" in officer.inner_text(".alert-success")
    by_hand = _answer_open_questions(officer)
    assert 30 < by_hand < total
    officer.reload()
    assert officer.inner_text("#progress-text") == f"已答 {total} / {total} 题"
    officer.check("#id_shared_with_regulator")
    submit(officer, "#submit")
    assert officer.inner_text("#assessment-state") == "已提交"
    score = float(officer.inner_text("#assessment-score"))
    assert 0 < score < 100

    # 4. Invite the law firm to review.
    officer.select_option("#id_reviewer", label=LAW_FIRM)
    submit(officer, "#invite")
    assert LAW_FIRM in officer.inner_text("#invite-card")

    # 5. The report: radar chart drawn, gaps ordered, Word download.
    with officer.expect_navigation():
        officer.click("#report-link")
    officer.locator("[data-chart='radar-chart'] svg").wait_for()
    assert float(officer.inner_text("#overall")) == score
    assert officer.locator("#gaps li").count() >= 1
    browsing.screenshot(officer, "71-self-check-report-zh")
    download, report = _save(officer, "#report-docx", tmp_path, "report.docx")
    assert download.suggested_filename.endswith(".docx")
    text = _docx_text(report)
    assert "商业秘密保护自我体检报告" in text and TITLE in text and "保密员为兼职" in text

    # 6. The dossier of a registered secret at a cut-off date, downloaded and verified offline.
    officer.goto(f"/registry/?q={SECRET}")
    with officer.expect_navigation():
        officer.locator("#registry-table tbody tr td.name a").first.click()
    with officer.expect_navigation():
        officer.click("#action-dossier")
    officer.fill("#id_cutoff", datetime.now(ZoneInfo("Asia/Shanghai")).date().isoformat())
    with officer.expect_navigation():
        officer.locator("#dossier-form button[type=submit]").click()
    assert SECRET in officer.inner_text("#dossier-secret")
    assert officer.locator("#dossier-summary tbody tr").count() >= 5
    browsing.screenshot(officer, "72-dossier-zh")
    download, bundle = _save(officer, "#dossier-zip", tmp_path, "dossier.zip")
    assert download.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(bundle) as archive:
        names = set(archive.namelist())
        manifest = archive.read("MANIFEST.sha256").decode().splitlines()
        for line in manifest:
            digest, name = line.split("  ", 1)
            assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
        assert {line.split("  ", 1)[1] for line in manifest} == names - {"MANIFEST.sha256"}
        assert any(n.endswith(".receipt") for n in names)
    result = subprocess.run(
        [str(Path(sys.executable).with_name("shangmi")), "verify", str(bundle)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr

    # 7. The lawyer reviews the invited self-check.
    lawyer, _ = logs_in(browsing, LAWYER)
    with lawyer.expect_navigation():
        lawyer.click("nav a[href='/assessment/reviews/']")
    with lawyer.expect_navigation():
        lawyer.locator("#reviews-table a", has_text=TITLE).click()
    assert path_of(lawyer) == detail
    lawyer.fill("#id_opinion", "制度与台账基础较好，建议补正式任命保密员的文件。")
    submit(lawyer, "#review-submit")
    assert lawyer.inner_text("#assessment-state") == "已评审"

    # 8. The city bureau sees the district's shared scores as distributions, no enterprise named.
    bureau, _ = two_factor_logs_in(browsing, CITY_STAFF)
    with bureau.expect_navigation():
        bureau.click("nav a[href='/assessment/jurisdiction/']")
    assert int(bureau.inner_text("#sharing")) == 6
    bureau.locator("[data-chart='district-chart'] svg").wait_for()
    assert "越城区" in bureau.inner_text("#district-table") and "纺织印染" in bureau.inner_text(
        "#industry-table"
    )
    assert "有限公司" not in bureau.inner_text("main")
    browsing.screenshot(bureau, "73-jurisdiction-zh")
