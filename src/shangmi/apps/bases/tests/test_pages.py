"""The programme's pages with the test client: the applicant's list, draft, form with checklist and
submission; the bureaus' step forms shown only to the bureau whose step it is; errors shown in the
action's words; the public list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.bases import actions
from shangmi.apps.bases.models import AppState, BaseApplication

pytestmark = pytest.mark.django_db


def test_applicant_drafts_fills_and_submits(programme, login):
    p = programme.people
    client = login(p.officer.user)
    page = client.get("/bases/").content.decode()
    assert "新建申报" in page and "没有申报" in page
    response = client.post("/bases/new/", {"kind": "station", "level": "city"})
    a = BaseApplication.objects.get()
    assert response["Location"] == f"/bases/{a.pk}/edit/"
    form = client.get(f"/bases/{a.pk}/edit/").content.decode()
    assert "会员数量" in form and "省级示范点已建数" in form and "专（兼）职保密员人数" in form
    # Bad input is shown on the form, nothing saved.
    bad = client.post(f"/bases/{a.pk}/edit/", {"postcode": "abc", "check_officers": "x", "save": "1"})
    assert bad.status_code == 200 and "邮政编码应为 6 位数字" in bad.content.decode()
    a.refresh_from_db()
    assert a.postcode == ""
    data = {
        "name": "越城区纺织行业协会",
        "head": "王会长",
        "address": "越城区 2 号",
        "postcode": "312000",
        "size": "80",
        "city_built": "2",
        "contact": "赵",
        "phone": "0575-88000000",
        "work_summary": "开展培训与指导",
        "check_officers": "2",
        "check_leading_group": "yes",
        "submit": "1",
    }
    response = client.post(f"/bases/{a.pk}/edit/", data)
    a.refresh_from_db()
    assert response.status_code == 302 and a.state == AppState.SUBMITTED and a.size == 80
    detail = client.get(f"/bases/{a.pk}/").content.decode()
    assert "待审核推荐" in detail and "越城区市场监督管理局" in detail and 'id="step-review"' not in detail


def test_bureaus_see_their_own_steps(programme, login):
    p = programme.people
    a = actions.application_create(member=p.officer, kind="point", level="city")
    actions.application_update(
        member=p.officer,
        application=a,
        data={
            "head": "王",
            "address": "越城区",
            "postcode": "312000",
            "contact": "李",
            "phone": "0575-88001234",
            "work_summary": "台账",
        },
    )
    actions.application_submit(member=p.officer, application=a)
    county, city = login(p.county.user), login(p.city.user)
    assert 'id="step-review"' in county.get(f"/bases/{a.pk}/").content.decode()
    assert 'id="step-review"' not in city.get(f"/bases/{a.pk}/").content.decode()
    # An empty opinion is refused in the action's words.
    county.post(f"/bases/{a.pk}/review/", {"decision": "return", "opinion": ""})
    a.refresh_from_db()
    assert a.state == AppState.SUBMITTED
    county.post(f"/bases/{a.pk}/review/", {"decision": "recommend", "opinion": "同意推荐"})
    a.refresh_from_db()
    assert a.state == AppState.RECOMMENDED
    assert city.post(f"/bases/{a.pk}/review/", {"decision": "recommend", "opinion": "x"}).status_code == 403
    page = city.get(f"/bases/{a.pk}/").content.decode()
    assert 'id="step-accept"' in page and "同意推荐" in page
    city.post(
        f"/bases/{a.pk}/accept/",
        {"prereview_notes": "齐全", "site_notes": "", "opinion": "通过", "passed": "yes"},
    )
    today = timezone.localdate()
    city.post(
        f"/bases/{a.pk}/notice/",
        {"start": (today - timedelta(days=9)).isoformat(), "end": (today - timedelta(days=2)).isoformat()},
    )
    city.post(
        f"/bases/{a.pk}/recognise/",
        {"document_number": "绍市监竞〔2026〕8号", "recognised_on": today.isoformat()},
    )
    a.refresh_from_db()
    assert a.state == AppState.RECOGNISED
    timeline = city.get(f"/bases/{a.pk}/").content.decode()
    assert "发文认定" in timeline and "绍市监竞〔2026〕8号" in timeline


def test_employees_and_outsiders_are_refused(programme, login):
    p = programme.people
    a = actions.application_create(member=p.officer, kind="point", level="city")
    assert login(p.employee.user).get("/bases/").status_code == 403
    assert login(p.outsider.user).get(f"/bases/{a.pk}/").status_code == 404
    # A draft is not the bureau's yet.
    assert login(p.county.user).get(f"/bases/{a.pk}/").status_code == 404
    assert login(p.outsider.user).post(f"/bases/{a.pk}/submit/").status_code == 404
    a.refresh_from_db()
    assert a.state == AppState.DRAFT
