"""The departure audit's pages: the list with progress and filters, the resignation form, the checklist
with its per-item forms (the excerpt upload), the letter download and closing; and who may see what."""

from __future__ import annotations

import io
import re

import pytest
from docx import Document

from shangmi.apps.people.models import Departure, DepartureItem, PersonEvent
from shangmi.apps.people.models.choices import DepartureState, EmployeeState
from shangmi.apps.registry.models import AccessGrant
from shangmi.office.word import DOCX_CONTENT_TYPE

from .test_departures_actions import EXCERPT, complete_all, item_of, make_employee, make_leaver, resign

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer(members, login):
    return login(members["officer"].user)


def resign_url(employee) -> str:
    return f"/people/{employee.pk}/resign/"


def detail_url(departure) -> str:
    return f"/people/departures/{departure.pk}/"


def complete_url(item) -> str:
    return f"/people/departure-items/{item.pk}/complete/"


def post_item(client, item, **fields):
    data = {f"item{item.pk}-{k}": v for k, v in fields.items()}
    return client.post(complete_url(item), data)


def state_snapshot():
    return (
        list(Departure.objects.values_list("pk", "state", "closed_at")),
        list(DepartureItem.objects.values_list("pk", "done_at", "outcome", "note")),
        PersonEvent.objects.count(),
    )


# --- the resignation form ------------------------------------------------------------------------


def test_the_officer_records_a_resignation_and_lands_on_the_checklist(members, officer):
    leaver = make_leaver(members)
    employee = leaver["employee"]
    page = officer.get(resign_url(employee))
    assert page.status_code == 200
    assert 'id="resign-form"' in page.content.decode() and "张三" in page.content.decode()
    response = officer.post(
        resign_url(employee), {"resignation_on": "2026-11-20", "last_day": "2026-12-20", "reason": "个人发展"}
    )
    departure = Departure.objects.get(employee=employee)
    assert response.status_code == 302 and response["Location"] == detail_url(departure)
    page = officer.get(response["Location"]).content.decode()
    assert page.count('class="list-group-item"') == 11
    assert "PID 参数整定表（纸质）" in page and "NC-001" in page
    assert 'id="departure-progress">0/11<' in page
    assert "disabled" in re.search(r'<button[^>]*id="close-submit"[^>]*>', page).group(0)


def test_a_bad_resignation_shows_the_field_and_writes_nothing(members, officer):
    employee = make_employee(members["officer"].organisation, None)
    response = officer.post(resign_url(employee), {"resignation_on": "2026-12-20", "last_day": "2026-12-01"})
    assert response.status_code == 200
    assert "最后工作日不能早于提出离职日期" in response.content.decode()
    employee.refresh_from_db()
    assert employee.state == EmployeeState.EMPLOYED and not Departure.objects.exists()


def test_a_second_resignation_shows_the_refusal_and_the_open_audit(members, officer):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    page = officer.get(resign_url(employee)).content.decode()
    assert 'id="step-refusal"' in page and detail_url(departure) in page
    response = officer.post(resign_url(employee), {"resignation_on": "2026-11-20", "last_day": "2026-12-20"})
    assert response.status_code == 200 and Departure.objects.count() == 1


# --- the list ---------------------------------------------------------------------------------------


def test_the_list_shows_progress_and_filters_by_state_and_name(members, officer):
    org = members["officer"].organisation
    first = resign(members, make_employee(org, None, number="E001", name="张三"))
    second = resign(members, make_employee(org, None, number="E002", name="李四"))
    complete_all(members, second)
    from shangmi.apps.people.actions.departures import departure_close

    departure_close(member=members["officer"], departure=second)
    page = officer.get("/people/departures/").content.decode()
    assert f'id="departure-row-{first.pk}"' in page and f'id="departure-row-{second.pk}"' in page
    assert '<span class="small progress-text">0/6</span>' in page
    assert '<span class="small progress-text">6/6</span>' in page
    only_open = officer.get("/people/departures/", {"state": "open"}).content.decode()
    assert "张三" in only_open and "李四" not in only_open
    by_name = officer.get("/people/departures/", {"q": "E002"}).content.decode()
    assert "李四" in by_name and "张三" not in by_name
    assert "没有符合条件" in officer.get("/people/departures/", {"q": "王五"}).content.decode()


# --- completing items --------------------------------------------------------------------------------


def test_completing_items_on_the_page_revokes_the_grant_and_uploads_the_excerpt(members, officer):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    grant_item = item_of(departure, "grant")
    response = post_item(officer, grant_item, outcome="done")
    assert response.status_code == 302
    assert response["Location"] == detail_url(departure) + f"#item-{grant_item.pk}"
    assert AccessGrant.objects.get(pk=leaver["grant"].pk).revoked_at is not None

    review = item_of(departure, "access_review")
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = officer.post(
        complete_url(review),
        {
            f"item{review.pk}-outcome": "done",
            f"item{review.pk}-note": "未见异常",
            f"item{review.pk}-file": SimpleUploadedFile("vpn.log", EXCERPT, content_type="text/plain"),
        },
    )
    assert response.status_code == 302
    review.refresh_from_db()
    assert review.file_deposit_id is not None
    download = officer.get(f"/people/departure-items/{review.pk}/file/")
    assert download.status_code == 200 and download.content == EXCERPT
    assert "vpn.log" in download["Content-Disposition"]
    page = officer.get(detail_url(departure)).content.decode()
    assert "vpn.log" in page and "未见异常" in page


def test_an_item_without_its_proof_shows_the_error_and_writes_nothing(members, officer):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    before = state_snapshot()
    response = post_item(officer, item_of(departure, "access_review"), outcome="done", note="无日志可用")
    assert response.status_code == 422
    assert "请上传访问日志摘录" in response.content.decode()
    response = post_item(officer, item_of(departure, "carrier"), outcome="returned", note="")
    assert response.status_code == 422 and "请填写确认说明" in response.content.decode()
    assert state_snapshot() == before
    assert AccessGrant.objects.get(pk=leaver["grant"].pk).revoked_at is None


def test_the_letter_downloads_as_a_docx_naming_the_person(members, officer):
    departure = resign(members, make_leaver(members)["employee"])
    response = officer.get(f"/people/departures/{departure.pk}/letter.docx")
    assert response.status_code == 200 and response["Content-Type"] == DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"]
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "张三（工号 E001）" in text
    assert PersonEvent.objects.filter(kind="dep_letter").count() == 1


def test_closing_on_the_page(members, officer):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    before = state_snapshot()
    response = officer.post(f"/people/departures/{departure.pk}/close/")
    assert response.status_code == 302
    page = officer.get(detail_url(departure)).content.decode()
    assert "还有 6 项必须完成的事项未完成" in page
    assert state_snapshot() == before
    complete_all(members, departure)
    response = officer.post(f"/people/departures/{departure.pk}/close/")
    assert response.status_code == 302
    departure.refresh_from_db()
    employee.refresh_from_db()
    assert departure.state == DepartureState.CLOSED and employee.state == EmployeeState.LEFT
    page = officer.get(detail_url(departure)).content.decode()
    assert 'id="departure-closed"' in page and 'id="close-submit"' not in page and "item-form" not in page


# --- who may see what --------------------------------------------------------------------------------


def _routes(departure, employee, item=None):
    item = item or departure.items.order_by("position").first()
    return {
        ("get", "/people/departures/"): "list",
        ("get", resign_url(employee)): "resign",
        ("post", resign_url(employee)): "resign",
        ("get", detail_url(departure)): "detail",
        ("get", f"/people/departures/{departure.pk}/letter.docx"): "letter",
        ("post", f"/people/departures/{departure.pk}/close/"): "close",
        ("post", complete_url(item)): "complete",
        ("get", f"/people/departure-items/{item.pk}/file/"): "file",
    }


def test_anonymous_is_sent_to_log_in(members, client):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    before = state_snapshot()
    for (method, url), _name in _routes(departure, employee).items():
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    assert state_snapshot() == before


def test_another_enterprise_finds_nothing(members, other_enterprise, login):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    from shangmi.apps.people.actions.departures import item_complete

    from .test_departures_actions import excerpt

    review = item_complete(
        member=members["officer"], item=item_of(departure, "access_review"), outcome="done", file=excerpt()
    )
    assert login(members["officer"].user).get(f"/people/departure-items/{review.pk}/file/").status_code == 200
    before = state_snapshot()
    stranger = login(other_enterprise[1]["officer"])
    for (method, url), name in _routes(departure, employee, review).items():
        response = getattr(stranger, method)(url)
        if name == "list":
            assert response.status_code == 200 and "张三" not in response.content.decode()
        else:
            assert response.status_code == 404, (method, url, response.status_code)
    assert state_snapshot() == before


def test_the_leaver_and_other_employees_are_refused(members, login):
    employee = make_employee(members["officer"].organisation, members["employee"].user)
    departure = resign(members, employee)
    before = state_snapshot()
    client = login(members["employee"].user)  # the leaver's own account
    for (method, url), name in _routes(departure, employee).items():
        response = getattr(client, method)(url)
        assert response.status_code in (403, 404), (method, url, response.status_code)
        if name in ("detail", "letter", "close", "complete", "file"):
            assert response.status_code == 404
    assert state_snapshot() == before


def test_the_manager_reads_but_does_not_act(members, login):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    before = state_snapshot()
    manager = login(members["manager"].user)
    assert manager.get("/people/departures/").status_code == 200
    page = manager.get(detail_url(departure))
    assert page.status_code == 200
    content = page.content.decode()
    assert (
        "item-form" not in content
        and 'id="close-submit"' not in content
        and 'id="departure-letter"' not in content
    )
    for (method, url), name in _routes(departure, leaver["employee"]).items():
        if name in ("resign", "letter", "close", "complete"):
            assert getattr(manager, method)(url).status_code == 403, url
    assert state_snapshot() == before
    assert AccessGrant.objects.get(pk=leaver["grant"].pk).revoked_at is None
