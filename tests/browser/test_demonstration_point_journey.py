"""The browser test of issue 9: one 示范点 from draft to recognition with three users — the secrecy officer
of a Shaoxing enterprise drafts and submits the application (pre-filled from its own data), the 越城区
bureau recommends it, the city bureau accepts it, puts it on public notice and recognises it; the base then
appears on the published list. Each user enrols their authenticator at first log-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from .helpers import path_of, submit, two_factor_logs_in

pytestmark = pytest.mark.browser

APPLICANT = "officer@sx-demo1.example"  # 绍兴越秀纺织印染有限公司, 越城区
COUNTY = "staff1@sx-amr.example"  # 绍兴市越城区市场监督管理局
CITY = "staff@sx-amr.example"  # 绍兴市市场监督管理局


def _open(page, application_id: int) -> None:
    page.goto(f"/bases/{application_id}/")


def test_a_demonstration_point_from_draft_to_recognition(browsing):
    # 1. The applicant drafts a city-level 示范点; the table is pre-filled from the platform.
    applicant, _log = two_factor_logs_in(browsing, APPLICANT)
    with applicant.expect_navigation():
        applicant.click("nav a[href='/bases/']")
    applicant.select_option("#new-form #id_kind", "point")
    applicant.select_option("#new-form #id_level", "city")
    submit(applicant, "#new-submit")
    assert path_of(applicant).endswith("/edit/")
    application_id = int(path_of(applicant).split("/")[2])
    assert applicant.input_value("#id_name") == "绍兴越秀纺织印染有限公司"
    applicant.fill("#id_head", "沈越")
    applicant.fill("#id_address", "绍兴市越城区中兴北路 8 号")
    applicant.fill("#id_postcode", "312000")
    applicant.fill("#id_contact", "越秀保密员")
    applicant.fill("#id_phone", "0575-88123456")
    applicant.fill("#id_work_summary", "建立商业秘密台账，全员年度轮训，重点岗位分级管理。")
    for key in ("organisation", "guarantee", "rules", "training", "key_positions", "no_infringement"):
        applicant.select_option(f"#id_check_{key}", "yes")
    submit(applicant, "#save-submit")
    assert path_of(applicant) == f"/bases/{application_id}/"
    assert applicant.get_attribute("#application-state [data-state]", "data-state") == "submitted"
    browsing.screenshot(applicant, "95-base-submitted-zh")

    # 2. The county bureau recommends it.
    county, _log = two_factor_logs_in(browsing, COUNTY)
    with county.expect_navigation():
        county.click("nav a[href='/bases/']")
    with county.expect_navigation():
        county.locator(f"#applications-table tr[data-application='{application_id}'] a").click()
    county.select_option("#step-review select[name=decision]", "recommend")
    county.fill("#step-review textarea[name=opinion]", "经审核，材料真实，同意推荐。")
    submit(county, "#review-submit")
    assert county.get_attribute("#application-state [data-state]", "data-state") == "recommended"

    # 3. The city bureau accepts it, puts it on notice and recognises it after the notice.
    city, _log = two_factor_logs_in(browsing, CITY)
    _open(city, application_id)
    city.fill("#step-accept textarea[name=prereview_notes]", "书面材料齐全。")
    city.fill("#step-accept textarea[name=site_notes]", "现场查看涉密区域管理与台账。")
    city.fill("#step-accept textarea[name=opinion]", "符合指南第十条，验收通过。")
    city.select_option("#step-accept select[name=passed]", "yes")
    submit(city, "#accept-submit")
    assert city.get_attribute("#application-state [data-state]", "data-state") == "accepted"
    today = timezone.localdate()
    city.fill("#step-notice input[name=start]", (today - timedelta(days=8)).isoformat())
    city.fill("#step-notice input[name=end]", (today - timedelta(days=1)).isoformat())
    submit(city, "#notice-submit")
    assert city.get_attribute("#application-state [data-state]", "data-state") == "notice"
    city.fill("#step-recognise input[name=document_number]", "绍市监竞〔2026〕21号")
    city.fill("#step-recognise input[name=recognised_on]", today.isoformat())
    submit(city, "#recognise-submit")
    assert city.get_attribute("#application-state [data-state]", "data-state") == "recognised"
    assert city.inner_text("#document-number") == "绍市监竞〔2026〕21号"
    actions = [li.get_attribute("data-action") for li in city.locator("#timeline li").all()]
    assert actions[-5:] == ["submit", "recommend", "accept", "notice", "recognise"]
    browsing.screenshot(city, "96-base-recognised-zh")

    # 4. The applicant is told, and the base is on the published list.
    applicant.goto("/accounts/inbox/")
    assert "已认定为商业秘密保护基地" in applicant.inner_text("body")
    applicant.goto("/bases/published/")
    assert "绍兴越秀纺织印染有限公司" in applicant.inner_text("body")

    # 5. The city's target dashboard counts it for 越城区 (the demo imported this year's Shaoxing targets).
    year = int(city.inner_text("h1 small").split("·")[0].strip())
    city.goto(f"/bases/targets/?year={year}")
    row = city.locator("#progress-table tr[data-district='330602']")
    assert row.count() == 1
    assert "越城区" in row.inner_text() and city.locator("#no-targets").count() == 0
    assert row.locator("td.target").nth(1).inner_text() == "5"  # annex 1: 5 city-level bases per district
    # city level is the second of 省级, 市级, 县级, 贯标: the demo's 上虞 point and this one
    city_recognised = city.locator("#progress-table tr[data-district='total'] td.recognised").nth(1)
    assert int(city_recognised.inner_text().split()[0]) == 2
    city.locator("[data-chart] svg").first.wait_for()
    browsing.screenshot(city, "97-base-targets-zh")
