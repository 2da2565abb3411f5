"""The trainings API and the person timeline/dossier routes: 401 anonymous, 404 foreign, 403 role, 422 bad
input with nothing written, and the happy paths."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.evidence.log_service import include_pending, verifier_key
from shangmi.apps.people.actions import trainings as actions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.models import Attendance, Employee, PersonEvent, Training
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

API = "/api/v1/people"


class Api:
    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str):
        return self.client.get(API + path, **self.headers)

    def post(self, path: str, body=None):
        data = "" if body is None else json.dumps(body, default=str)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)

    def put(self, path: str, body):
        return self.client.put(
            API + path, json.dumps(body, default=str), content_type="application/json", **self.headers
        )


@pytest.fixture
def apis(enterprise):
    org, people = enterprise
    return {role: Api(user, org) for role, user in people.items()}


@pytest.fixture
def foreign(other_enterprise):
    org, people = other_enterprise
    return Api(people["officer"], org)


def _person(org, number, *, user=None, key=False):
    return Employee.objects.create(
        organisation=org,
        number=number,
        name=f"员工{number}",
        user=user,
        is_key_person=key,
        hired_on=date(2024, 1, 1),
    )


@pytest.fixture
def session(members):
    return actions.training_add(
        member=members["officer"],
        topic="保密意识",
        held_on=timezone.localdate() - timedelta(days=3),
        trainer="王老师",
        pass_mark=60,
    )


BODY = {
    "topic": "新员工保密培训",
    "held_on": "2026-03-01",
    "trainer": "李老师",
    "hours": "2",
    "pass_mark": 80,
}


def test_anonymous_gets_401(client, session):
    for path in ("/trainings", "/trainings/coverage", f"/trainings/{session.pk}", "/employees/1/timeline"):
        assert client.get(API + path).status_code == 401, path
    assert client.post(API + "/trainings", BODY, content_type="application/json").status_code == 401
    assert Training.objects.count() == 1


def test_create_update_detail_and_list(apis):
    created = apis["officer"].post("/trainings", BODY)
    assert created.status_code == 201
    data = created.json()
    assert (data["topic"], data["held_on"], data["hours"], data["pass_mark"], data["attended"]) == (
        "新员工保密培训",
        "2026-03-01",
        "2.0",
        80,
        0,
    )
    pk = data["id"]
    updated = apis["admin"].put(f"/trainings/{pk}", {**BODY, "topic": "新员工保密培训（二）"})
    assert updated.status_code == 200 and updated.json()["topic"] == "新员工保密培训（二）"
    assert [t["id"] for t in apis["manager"].get("/trainings").json()["items"]] == [pk]
    assert apis["manager"].get(f"/trainings/{pk}").json()["attendances"] == []


def test_bad_input_is_422_naming_fields_and_writes_nothing(apis, session):
    response = apis["officer"].post("/trainings", {"topic": "", "trainer": "x", "pass_mark": 150})
    assert response.status_code == 422
    fields = {e["field"] for e in response.json()["errors"]}
    assert {"topic", "held_on", "pass_mark"} <= fields
    response = apis["officer"].put(f"/trainings/{session.pk}", {**BODY, "hours": "-1"})
    assert response.status_code == 422
    session.refresh_from_db()
    assert Training.objects.count() == 1 and session.topic == "保密意识"
    response = apis["officer"].post(f"/trainings/{session.pk}/attendance", {"employee_ids": [987654]})
    assert response.status_code == 422 and "employee_ids" in {e["field"] for e in response.json()["errors"]}
    assert Attendance.objects.count() == 0 and PersonEvent.objects.count() == 0


def test_roles_are_refused_with_403_and_nothing_changes(apis, session, enterprise):
    org, _people = enterprise
    person = _person(org, "E1")
    for role in ("manager", "employee"):
        assert apis[role].post("/trainings", BODY).status_code == 403
    assert apis["manager"].put(f"/trainings/{session.pk}", BODY).status_code == 403
    assert (
        apis["manager"].post(f"/trainings/{session.pk}/attendance", {"employee_ids": [person.pk]}).status_code
        == 403
    )
    assert apis["employee"].get("/trainings/coverage").status_code == 403
    assert apis["employee"].get(f"/employees/{person.pk}/dossier").status_code == 404  # not their record
    assert Training.objects.count() == 1 and Attendance.objects.count() == 0


def test_foreign_enterprise_gets_404_and_empty_lists(apis, foreign, session, enterprise):
    org, _people = enterprise
    person = _person(org, "E1")
    apis["officer"].post(f"/trainings/{session.pk}/attendance", {"employee_ids": [person.pk]})
    event = PersonEvent.objects.get()
    assert foreign.get("/trainings").json() == {"items": [], "count": 0}
    for path in (
        f"/trainings/{session.pk}",
        f"/employees/{person.pk}/timeline",
        f"/employees/{person.pk}/dossier",
        f"/events/{event.pk}/record",
        f"/events/{event.pk}/receipt",
    ):
        assert foreign.get(path).status_code == 404, path
    assert foreign.put(f"/trainings/{session.pk}", BODY).status_code == 404
    assert (
        foreign.post(f"/trainings/{session.pk}/attendance", {"employee_ids": [person.pk]}).status_code == 404
    )
    assert foreign.get("/trainings/coverage").json()["denominator"] == 0
    assert Attendance.objects.count() == 1


def test_attendance_coverage_timeline_and_dossier(apis, session, enterprise):
    org, people = enterprise
    me = _person(org, "E1", user=people["employee"], key=True)
    other = _person(org, "E2", key=True)
    record_person_event(member=None, organisation=org, kind="hire", employee=me, data={}, summary="登记入职")
    response = apis["officer"].post(
        f"/trainings/{session.pk}/attendance", {"employee_ids": [me.pk], "score": 61}
    )
    assert response.status_code == 201
    [row] = response.json()
    assert (row["employee_number"], row["score"], row["passed"]) == ("E1", 61, True)
    again = apis["officer"].post(f"/trainings/{session.pk}/attendance", {"employee_ids": [me.pk, other.pk]})
    assert again.status_code == 422 and Attendance.objects.count() == 1

    coverage = apis["manager"].get("/trainings/coverage").json()
    assert (coverage["numerator"], coverage["denominator"], coverage["percent"]) == (1, 2, 50.0)
    assert [p["number"] for p in coverage["untrained"]] == ["E2"]

    timeline = apis["employee"].get(f"/employees/{me.pk}/timeline")
    assert timeline.status_code == 200
    assert [e["kind"] for e in timeline.json()["items"]] == ["hire", "training"]
    assert all(e["receipt_url"] is None for e in timeline.json()["items"])
    assert apis["employee"].get(f"/employees/{other.pk}/timeline").status_code == 404
    assert (
        apis["employee"].get(f"/trainings/{session.pk}").json()["attendances"][0]["employee_number"] == "E1"
    )
    include_pending()
    event = timeline.json()["items"][1]
    [event] = [
        e
        for e in apis["employee"].get(f"/employees/{me.pk}/timeline").json()["items"]
        if e["id"] == event["id"]
    ]
    record = apis["employee"].get(event["record_url"].removeprefix(API))
    receipt = apis["employee"].get(event["receipt_url"].removeprefix(API))
    assert record.status_code == receipt.status_code == 200
    assert digest_bytes(record.content).sha256 == event["record_sha256"]
    assert verify_receipt(
        receipt.content, material=digest_bytes(record.content), trusted_vkey=verifier_key()
    ).valid

    dossier = apis["manager"].get(f"/employees/{me.pk}/dossier")
    assert dossier.status_code == 200 and dossier["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(dossier.content)) as archive:
        names = archive.namelist()
        assert names[:2] == ["summary.docx", "MANIFEST.sha256"]
        assert len([n for n in names if n.endswith(".receipt")]) == 2
    assert apis["employee"].get(f"/employees/{me.pk}/dossier").status_code == 403
