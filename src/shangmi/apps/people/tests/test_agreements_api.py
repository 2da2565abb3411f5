"""The agreements API: 401 anonymous, 404 foreign, 403 role, 422 bad input naming the field with nothing
written; the list and detail, drafting (the 24-month limit), send, sign as multipart (the scan's SHA-256
deposited), terminate, the DOCX and the scan, payments and the decision, and external parties."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from shangmi.apps.people.actions import agreements as actions
from shangmi.apps.people.actions import non_compete
from shangmi.apps.people.models import Agreement, ExternalParty
from shangmi.engines.tlog.material import digest_bytes

from .test_agreements_document import text_of
from .test_agreements_support import (
    API,
    PDF,
    TERMS,
    draft,
    employee,
    party,
    role_apis,
    signed,
    stored,
    upload,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def apis(enterprise):
    return role_apis(enterprise)


@pytest.fixture
def foreign(other_enterprise):
    return role_apis(other_enterprise)


@pytest.fixture
def person(enterprise):
    return employee(enterprise[0])


@pytest.fixture
def agreement(members, person):
    return draft(members["officer"], "nda", person)


def test_anonymous_gets_401(agreement):
    client = Client()
    for path in (
        "/agreements",
        f"/agreements/{agreement.pk}",
        f"/agreements/{agreement.pk}/document.docx",
        "/parties",
    ):
        response = client.get(API + path)
        assert response.status_code == 401, path
    before = stored()
    for path in (
        "/agreements",
        f"/agreements/{agreement.pk}/send",
        f"/agreements/{agreement.pk}/sign",
        "/parties",
    ):
        assert client.post(API + path, "{}", content_type="application/json").status_code == 401, path
    assert stored() == before


def test_foreign_enterprise_gets_404_and_empty_lists(foreign, enterprise, agreement):
    supplier = party(enterprise[0])
    officer = foreign["officer"]
    before = stored()
    base = f"/agreements/{agreement.pk}"
    for path in (
        base,
        f"{base}/document.docx",
        f"{base}/scan",
        f"{base}/payments",
        f"/parties/{supplier.pk}",
    ):
        assert officer.get(path).status_code == 404, path
    for path in (f"{base}/send", f"{base}/terminate", f"{base}/payments", f"{base}/decide"):
        assert officer.post(path, {"reason": "x", "decision": "waive"}).status_code == 404, path
    assert officer.multipart(f"{base}/sign", {"file": upload(), "signed_on": "2026-01-01"}).status_code == 404
    assert officer.put(f"/parties/{supplier.pk}", {"kind": "supplier", "name": "x"}).status_code == 404
    assert officer.get("/agreements").json() == {"items": [], "count": 0}
    assert officer.get("/parties").json() == {"items": [], "count": 0}
    assert stored() == before


def test_employee_sees_own_and_is_refused_the_rest(apis, enterprise, members, agreement):
    org, people = enterprise
    own = employee(org, number="E002", name="本人", user=people["employee"])
    mine = draft(members["officer"], "clean_hands", own)
    api = apis["employee"]
    assert [a["number"] for a in api.get("/agreements").json()["items"]] == [mine.number]
    assert api.get(f"/agreements/{mine.pk}").status_code == 200
    assert api.get(f"/agreements/{agreement.pk}").status_code == 404
    assert api.get("/parties").status_code == 403
    before = stored()
    assert api.post(f"/agreements/{mine.pk}/send").status_code == 403
    assert api.post(f"/agreements/{mine.pk}/terminate", {"reason": "x"}).status_code == 403
    assert (
        api.multipart(
            f"/agreements/{mine.pk}/sign", {"file": upload(), "signed_on": "2026-01-01"}
        ).status_code
        == 403
    )
    assert api.post("/agreements", {"kind": "nda", "employee_id": own.pk}).status_code == 403
    assert api.post("/parties", {"kind": "supplier", "name": "某公司"}).status_code == 403
    assert stored() == before


def test_list_filters(apis, members, enterprise, agreement):
    supplier = party(enterprise[0])
    processing = draft(members["officer"], "processing_nda", None, supplier)
    api = apis["manager"]
    body = api.get("/agreements").json()
    assert body["count"] == 2
    assert api.get("/agreements", kind="processing_nda").json()["items"][0]["number"] == processing.number
    row = api.get("/agreements", q="张三").json()["items"][0]
    assert (
        row["number"],
        row["employee_name"],
        row["employee_number"],
        row["kind_label"],
        row["state_label"],
    ) == (
        agreement.number,
        "张三",
        "E001",
        "员工保密合同",
        "草稿",
    )
    assert api.get("/agreements", state="signed").json()["count"] == 0


def test_create_and_the_24_month_limit(apis, person):
    api = apis["officer"]
    before = stored()
    response = api.post(
        "/agreements", {"kind": "non_compete", "employee_id": person.pk, **{**TERMS, "months": 25}}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "months",
            "message": "竞业限制期限不得超过二十四个月（《中华人民共和国劳动合同法》第二十四条），填写的是 25 个月",
        }
    ]
    response = api.post("/agreements", {"kind": "nda", "employee_id": 999999})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "employee_id"
    assert stored() == before
    response = api.post(
        "/agreements",
        {"kind": "non_compete", "employee_id": person.pk, "effective_on": "2026-01-01", **TERMS},
    )
    assert response.status_code == 201
    body = response.json()
    assert (body["state"], body["non_compete"]["months"], body["non_compete"]["decision"]) == (
        "draft",
        12,
        "pending",
    )
    assert body["effective_on"] == "2026-01-01" and len(body["generated_sha256"]) == 64


def test_send_sign_multipart_and_downloads(apis, agreement):
    api = apis["officer"]
    base = f"/agreements/{agreement.pk}"
    assert api.post(f"{base}/send").json()["state"] == "sent"
    before = stored()
    response = api.multipart(f"{base}/sign", {"file": upload(), "signed_on": "not a date"})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "signed_on"
    response = api.multipart(f"{base}/sign", {"signed_on": timezone.localdate().isoformat()})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "file", "message": "文件是空的"}
    ]
    assert stored() == before
    response = api.multipart(
        f"{base}/sign", {"file": upload(), "signed_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 200
    body = response.json()
    digest = digest_bytes(PDF)
    assert (body["state"], body["scan_sha256"], body["scan_size"]) == ("signed", digest.sha256, len(PDF))
    assert Agreement.objects.get().scan_deposit.sha256 == digest.sha256
    assert api.get(f"{base}/scan").content == PDF
    document = api.get(f"{base}/document.docx")
    assert digest_bytes(document.content).sha256 == agreement.generated_sha256 and "张三" in text_of(
        document.content
    )
    # Signed again: refused, nothing changes.
    before = stored()
    response = api.multipart(
        f"{base}/sign", {"file": upload(), "signed_on": timezone.localdate().isoformat()}
    )
    assert response.status_code == 422 and "不能登记签署" in response.json()["errors"][0]["message"]
    assert stored() == before


def test_terminate(apis, agreement):
    api = apis["officer"]
    before = stored()
    response = api.post(f"/agreements/{agreement.pk}/terminate", {"reason": ""})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "reason", "message": "请写明终止原因"}
    ]
    assert apis["manager"].post(f"/agreements/{agreement.pk}/terminate", {"reason": "x"}).status_code == 403
    assert stored() == before
    body = api.post(f"/agreements/{agreement.pk}/terminate", {"reason": "改签"}).json()
    assert (body["state"], body["termination_reason"]) == ("terminated", "改签")


def test_payments_and_decision(apis, members, enterprise):
    today = timezone.localdate()
    last_day = non_compete.add_months(today, -4).replace(day=1) - timedelta(days=1)
    leaver = employee(enterprise[0], number="E900", name="李四", state="resigning", last_day=last_day)
    agreement = signed(members["officer"], "non_compete", leaver)
    api = apis["officer"]
    base = f"/agreements/{agreement.pk}"
    before = stored()
    response = api.post(f"{base}/decide", {"decision": "waive", "reason": ""})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"
    assert apis["manager"].post(f"{base}/decide", {"decision": "enforce"}).status_code == 403
    assert stored() == before
    body = api.post(f"{base}/decide", {"decision": "enforce"}).json()
    assert body["non_compete"]["starts_on"] == (last_day + timedelta(days=1)).isoformat()
    assert (body["unpaid_months"], body["unpaid_warning"]) == (4, True)
    month = (last_day + timedelta(days=1)).isoformat()
    response = api.post(f"{base}/payments", {"month": month, "amount": "6000", "paid_on": today.isoformat()})
    assert response.status_code == 201 and response.json()["amount"] == "6000.00"
    before = stored()
    response = api.post(f"{base}/payments", {"month": month, "amount": "6000", "paid_on": today.isoformat()})
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "month"
    assert stored() == before
    assert [p["month"] for p in api.get(f"{base}/payments").json()["items"]] == [month]
    detail = api.get(base).json()
    assert len(detail["payments"]) == 1 and detail["unpaid_months"] == 3


def test_parties(apis, foreign):
    api = apis["officer"]
    before = stored()
    response = api.post("/parties", {"kind": "supplier", "name": ""})
    assert response.status_code == 422 and response.json()["errors"] == [
        {"field": "name", "message": "请填写单位或个人名称"}
    ]
    assert stored() == before
    created = api.post("/parties", {"kind": "supplier", "name": "甬江材料", "contact": "陈工"})
    assert created.status_code == 201
    party_id = created.json()["id"]
    assert api.get(f"/parties/{party_id}").json()["contact"] == "陈工"
    updated = api.put(f"/parties/{party_id}", {"kind": "partner", "name": "甬江材料", "phone": "123"})
    assert updated.json()["kind"] == "partner" and ExternalParty.objects.get().phone == "123"
    assert apis["manager"].get("/parties").json()["count"] == 1
    assert apis["manager"].put(f"/parties/{party_id}", {"kind": "partner", "name": "x"}).status_code == 403
    draft_body = api.post("/agreements", {"kind": "cooperation_nda", "party_id": party_id}).json()
    assert draft_body["party_name"] == "甬江材料"
    assert api.post("/agreements", {"kind": "cooperation_nda", "party_id": party_id + 99}).status_code == 422


def test_document_bytes_are_a_docx(apis, agreement):
    response = apis["manager"].get(f"/agreements/{agreement.pk}/document.docx")
    assert response.status_code == 200 and io.BytesIO(response.content).read(2) == b"PK"
    assert actions.TERMINABLE  # the module is importable by the departures helper
