"""The departure audit over the API: resign, list, detail, complete (multipart excerpt), close, letter;
401 anonymous, 404 foreign, 403 role, 422 bad input with nothing written."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from docx import Document

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.people.models import Departure, PersonEvent
from shangmi.apps.people.models.choices import DepartureState, EmployeeState
from shangmi.apps.registry.models import AccessGrant

from .test_departures_actions import EXCERPT, item_of, make_employee, make_leaver, resign
from .test_departures_pages import state_snapshot

pytestmark = pytest.mark.django_db

API = "/api/v1/people"


class Api:
    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path, **params):
        return self.client.get(API + path, params, **self.headers)

    def post(self, path, body=None):
        data = "" if body is None else json.dumps(body)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)

    def multipart(self, path, data):
        return self.client.post(API + path, data, **self.headers)


@pytest.fixture
def apis(enterprise):
    org, people = enterprise
    return {role: Api(user, org) for role, user in people.items()}


RESIGN = {"resignation_on": "2026-11-20", "last_day": "2026-12-20", "reason": "个人发展"}


def test_the_whole_audit_over_the_api(members, apis):
    leaver = make_leaver(members, customer_facing=True)
    employee = leaver["employee"]
    api = apis["officer"]

    response = api.post(f"/employees/{employee.pk}/resign", RESIGN)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["employee_name"] == "张三" and body["state"] == "open"
    assert (body["item_total"], body["item_done"], body["mandatory_open"]) == (12, 0, 12)
    departure_id = body["id"]

    listed = api.get("/departures", state="open").json()["items"]
    assert [d["id"] for d in listed] == [departure_id]
    assert api.get("/departures", state="closed").json() == {"items": [], "count": 0}
    detail = api.get(f"/departures/{departure_id}").json()
    items = {i["kind"]: i for i in detail["items"]}
    assert items["grant"]["grant_id"] == leaver["grant"].pk
    assert items["carrier"]["carrier_id"] == leaver["carrier"].pk

    refused = api.post(f"/departures/{departure_id}/close")
    assert refused.status_code == 422 and "还有 12 项" in refused.json()["errors"][0]["message"]

    letter = api.get(f"/departures/{departure_id}/letter.docx")
    assert letter.status_code == 200
    assert "张三（工号 E001）" in "\n".join(p.text for p in Document(io.BytesIO(letter.content)).paragraphs)

    answers = {
        "carrier": {"outcome": "returned", "note": "已交回"},
        "grant": {"outcome": "done"},
        "accounts": {"outcome": "done"},
        "door": {"outcome": "not_applicable", "note": "未配发门禁卡"},
        "interview": {"outcome": "done", "note": "已告知义务"},
        "pledge": {"outcome": "done", "note": "纸质承诺书已签"},
        "letter": {"outcome": "done", "note": "当面送达"},
        "non_compete": {"outcome": "done", "decision": "waive", "note": "不涉及核心业务"},
        "customers": {"outcome": "done", "note": "客户甲、乙"},
    }
    for item in detail["items"]:
        if item["kind"] == "access_review":
            data = {
                "outcome": "done",
                "file": SimpleUploadedFile("excerpt.csv", EXCERPT, content_type="text/csv"),
            }
        else:
            data = answers.get(item["kind"], {"outcome": "done"})
        response = api.multipart(f"/departure-items/{item['id']}/complete", data)
        assert response.status_code == 200, (item["kind"], response.content)
        assert response.json()["done_at"]
    review = next(
        i for i in api.get(f"/departures/{departure_id}").json()["items"] if i["kind"] == "access_review"
    )
    assert (
        review["file_url"] == f"/people/departure-items/{review['id']}/file/"
        and len(review["file_sha256"]) == 64
    )
    assert AccessGrant.objects.get(pk=leaver["grant"].pk).revoked_at is not None

    closed = api.post(f"/departures/{departure_id}/close")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    employee.refresh_from_db()
    assert employee.state == EmployeeState.LEFT
    assert PersonEvent.objects.filter(employee=employee, kind="dep_close").count() == 1


def test_bad_input_is_422_naming_the_field_and_writes_nothing(members, apis):
    employee = make_employee(members["officer"].organisation, None)
    api = apis["officer"]
    response = api.post(f"/employees/{employee.pk}/resign", {**RESIGN, "last_day": "2026-11-01"})
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["last_day"]
    response = api.post(f"/employees/{employee.pk}/resign", {**RESIGN, "last_day": "not a date"})
    assert response.status_code == 422
    assert not Departure.objects.exists()

    departure = resign(members, employee)
    before = state_snapshot()
    review = item_of(departure, "access_review")
    response = api.multipart(f"/departure-items/{review.pk}/complete", {"outcome": "done", "note": "无日志"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "file"
    pledge = item_of(departure, "pledge")
    response = api.multipart(
        f"/departure-items/{pledge.pk}/complete", {"outcome": "done", "agreement_id": "999999"}
    )
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "agreement"
    response = api.multipart(f"/departure-items/{pledge.pk}/complete", {"outcome": "returned", "note": "x"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "outcome"
    assert state_snapshot() == before


def test_anonymous_is_401(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    item = item_of(departure, "door")
    client = Client()
    for method, path in [
        ("post", f"/employees/{employee.pk}/resign"),
        ("get", "/departures"),
        ("get", f"/departures/{departure.pk}"),
        ("post", f"/departure-items/{item.pk}/complete"),
        ("post", f"/departures/{departure.pk}/close"),
        ("get", f"/departures/{departure.pk}/letter.docx"),
    ]:
        assert getattr(client, method)(API + path).status_code == 401, path


def test_another_enterprise_gets_404_and_an_empty_list(members, other_enterprise):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    item = item_of(departure, "door")
    org, people = other_enterprise
    stranger = Api(people["officer"], org)
    before = state_snapshot()
    assert stranger.post(f"/employees/{employee.pk}/resign", {"last_day": "garbage"}).status_code == 404
    assert stranger.get(f"/departures/{departure.pk}").status_code == 404
    assert stranger.multipart(f"/departure-items/{item.pk}/complete", {"outcome": "done"}).status_code == 404
    assert stranger.post(f"/departures/{departure.pk}/close").status_code == 404
    assert stranger.get(f"/departures/{departure.pk}/letter.docx").status_code == 404
    assert stranger.get("/departures").json() == {"items": [], "count": 0}
    assert state_snapshot() == before


def test_roles(members, apis):
    employee = make_employee(members["officer"].organisation, members["employee"].user)
    other = make_employee(members["officer"].organisation, None, number="E002", name="李四")
    departure = resign(members, other)
    item = item_of(departure, "door")
    before = state_snapshot()
    leaver = apis["employee"]
    # The employee finds their own record but may not record a resignation; audits are invisible.
    assert leaver.post(f"/employees/{employee.pk}/resign", RESIGN).status_code == 403
    assert leaver.post(f"/employees/{other.pk}/resign", RESIGN).status_code == 404
    assert leaver.get("/departures").status_code == 403
    assert leaver.get(f"/departures/{departure.pk}").status_code == 404
    assert leaver.multipart(f"/departure-items/{item.pk}/complete", {"outcome": "done"}).status_code == 404
    manager = apis["manager"]
    assert manager.get(f"/departures/{departure.pk}").status_code == 200
    assert manager.get("/departures").status_code == 200
    assert manager.post(f"/employees/{employee.pk}/resign", RESIGN).status_code == 403
    assert manager.multipart(f"/departure-items/{item.pk}/complete", {"outcome": "done"}).status_code == 403
    assert manager.post(f"/departures/{departure.pk}/close").status_code == 403
    assert manager.get(f"/departures/{departure.pk}/letter.docx").status_code == 403
    assert state_snapshot() == before
    assert Departure.objects.get(pk=departure.pk).state == DepartureState.OPEN
