"""One secret's whole life over the API, with tokens for an employee, the secrecy officer and a manager:
application → review → approval → amendment → carriers → grants → declassification. Every answer is
compared field by field with what was stored."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry.models import AccessGrant, Carrier, SecretEvent, TradeSecret
from shangmi.apps.registry.tests.api_support import APPLICATION, REVIEW, role_apis
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db

SHA = "a" * 64
SM3 = "b" * 64


def iso(value):
    """A datetime as the API writes it."""
    return None if value is None else DjangoJSONEncoder().default(value)


def secret_row(secret: TradeSecret, **counts) -> dict:
    secret.refresh_from_db()
    return {
        "id": secret.pk,
        "code": secret.code,
        "name": secret.name,
        "category": secret.category,
        "subcategory": secret.subcategory,
        "level": secret.level,
        "period_kind": secret.period_kind,
        "period_until": secret.period_until.isoformat() if secret.period_until else None,
        "department": secret.department,
        "responsible": secret.responsible.name if secret.responsible else None,
        "state": secret.state,
        "created_at": iso(secret.created_at),
        "designated_at": iso(secret.designated_at),
        "carrier_count": counts.get("carrier_count", 0),
        "unmarked_count": counts.get("unmarked_count", 0),
    }


def carrier_row(carrier: Carrier) -> dict:
    carrier.refresh_from_db()
    return {
        "id": carrier.pk,
        "secret_id": carrier.secret_id,
        "code": carrier.code,
        "kind": carrier.kind,
        "name": carrier.name,
        "location": carrier.location,
        "custodian": carrier.custodian.name if carrier.custodian else None,
        "custodian_id": carrier.custodian_id,
        "marking": carrier.marking,
        "copies": carrier.copies,
        "sha256": carrier.sha256,
        "sm3": carrier.sm3,
        "size": carrier.size,
        "deposit_id": carrier.deposit_id,
        "state": carrier.state,
        "destroy_method": carrier.destroy_method,
        "destroy_witness": carrier.destroy_witness,
        "destroyed_on": carrier.destroyed_on.isoformat() if carrier.destroyed_on else None,
        "created_at": iso(carrier.created_at),
    }


def grant_row(grant: AccessGrant) -> dict:
    grant.refresh_from_db()
    return {
        "id": grant.pk,
        "secret_id": grant.secret_id,
        "user_id": grant.user_id,
        "user": grant.user.name if grant.user else None,
        "position": grant.position,
        "reason": grant.reason,
        "granted_by": grant.granted_by.name,
        "granted_at": iso(grant.granted_at),
        "expires_on": grant.expires_on.isoformat() if grant.expires_on else None,
        "acknowledged_at": iso(grant.acknowledged_at),
        "revoked_at": iso(grant.revoked_at),
        "active": grant.is_active(),
    }


def event_row(event: SecretEvent) -> dict:
    return {
        "id": event.pk,
        "kind": event.kind,
        "actor": event.actor_label,
        "at": iso(event.at),
        "sha256": event.deposit.sha256,
        "deposit_state": event.deposit.state,
        "leaf_index": event.deposit.leaf_index,
        "record_url": f"/api/v1/registry/events/{event.pk}/record",
        "receipt_url": f"/api/v1/registry/events/{event.pk}/receipt",
    }


def test_a_secret_from_application_to_declassification(enterprise):
    org, people = enterprise
    apis = role_apis(enterprise)
    employee, officer, manager = apis["employee"], apis["officer"], apis["manager"]
    year = timezone.localdate().year

    # 定密申请 by an employee, with a responsible person and a value estimate.
    response = employee.post(
        "/secrets",
        {
            **APPLICATION,
            "responsible": people["manager"].pk,
            "value_estimate": "120.50",
            "value_basis": "研发投入",
        },
    )
    assert response.status_code == 201
    secret = TradeSecret.objects.get(pk=response.json()["id"])
    assert response.json() == secret_row(secret)
    assert secret.code == f"{org.short_code}-{year}-0001"
    assert (secret.state, secret.applicant, secret.responsible) == (
        "applied",
        people["employee"],
        people["manager"],
    )
    assert str(secret.value_estimate) == "120.50"
    sid = secret.pk

    # Review by the officer (the designation group is empty, so officers review).
    response = officer.post(f"/secrets/{sid}/review", REVIEW)
    assert response.status_code == 200
    assert response.json() == secret_row(secret)
    assert response.json()["state"] == "reviewed"

    response = manager.post(f"/secrets/{sid}/approve", {"approve": True, "opinion": "同意定为核心商业秘密"})
    assert response.status_code == 200
    assert response.json() == secret_row(secret)
    assert response.json()["state"] == "designated" and response.json()["designated_at"] is not None

    until = timezone.localdate() + timedelta(days=400)
    response = officer.post(
        f"/secrets/{sid}/amend",
        {"reason": "客户追加保密要求", "level": "important", "period_kind": "date", "period_until": until},
    )
    assert response.status_code == 200
    assert response.json() == secret_row(secret)
    assert (response.json()["level"], response.json()["period_until"]) == ("important", until.isoformat())

    # Carriers: a paper one, then an electronic one registered by its digests only.
    response = officer.post(
        f"/secrets/{sid}/carriers",
        {
            "kind": "paper",
            "name": "工艺卡",
            "location": "档案室 A-3",
            "custodian": people["employee"].pk,
            "copies": 2,
        },
    )
    assert response.status_code == 201
    paper = Carrier.objects.get(pk=response.json()["id"])
    assert response.json() == carrier_row(paper)
    assert (paper.code, paper.location, paper.copies, paper.custodian) == (
        f"{secret.code}-C01",
        "档案室 A-3",
        2,
        people["employee"],
    )
    response = officer.post(
        f"/secrets/{sid}/carriers",
        {"kind": "document", "name": "工艺参数表.xlsx", "sha256": SHA, "sm3": SM3, "size": 2048},
    )
    assert response.status_code == 201
    document = Carrier.objects.get(pk=response.json()["id"])
    assert response.json() == carrier_row(document)
    deposit = Deposit.objects.get(pk=document.deposit_id)
    assert (deposit.kind, deposit.sha256, deposit.sm3, deposit.size) == ("file", SHA, SM3, 2048)

    response = officer.post(f"/carriers/{paper.pk}/mark")
    assert response.status_code == 200
    assert response.json() == carrier_row(paper) and response.json()["marking"] == "marked"
    today = timezone.localdate()
    response = officer.post(
        f"/carriers/{document.pk}/destroy", {"method": "wipe", "witness": "王监销", "destroyed_on": today}
    )
    assert response.status_code == 200
    assert response.json() == carrier_row(document)
    assert (document.state, document.destroy_method, document.destroy_witness, document.destroyed_on) == (
        "destroyed",
        "wipe",
        "王监销",
        today,
    )

    # Grants: to the employee in person and to a position; the employee acknowledges; one is revoked.
    response = officer.post(f"/secrets/{sid}/grants", {"user": people["employee"].pk, "reason": "工艺实施"})
    assert response.status_code == 201
    personal = AccessGrant.objects.get(pk=response.json()["id"])
    assert response.json() == grant_row(personal)
    assert (personal.user, personal.granted_by, personal.reason) == (
        people["employee"],
        people["officer"],
        "工艺实施",
    )
    expiry = today + timedelta(days=90)
    response = officer.post(
        f"/secrets/{sid}/grants", {"position": "工艺工程师", "reason": "岗位职责", "expires_on": expiry}
    )
    assert response.status_code == 201
    by_position = AccessGrant.objects.get(pk=response.json()["id"])
    assert response.json() == grant_row(by_position)
    assert (by_position.user, by_position.position, by_position.expires_on) == (None, "工艺工程师", expiry)

    mine = employee.get("/grants/mine", unacknowledged=True).json()
    assert [g["id"] for g in mine["items"]] == [personal.pk] and mine["count"] == 1
    response = employee.post(f"/grants/{personal.pk}/acknowledge")
    assert response.status_code == 200
    assert response.json() == grant_row(personal)
    assert personal.acknowledged_at is not None and personal.acknowledged_ip == "127.0.0.1"
    mine = employee.get("/grants/mine").json()
    assert mine["count"] == 1
    assert mine["items"][0] == {
        **grant_row(personal),
        "secret": {
            "id": sid,
            "code": secret.code,
            "name": secret.name,
            "level": "important",
            "state": "designated",
        },
    }
    assert employee.get("/grants/mine", unacknowledged=True).json() == {"items": [], "count": 0}

    response = officer.post(f"/grants/{by_position.pk}/revoke")
    assert response.status_code == 200
    assert response.json() == grant_row(by_position)
    assert response.json()["revoked_at"] is not None and response.json()["active"] is False

    response = officer.post(f"/secrets/{sid}/declassify", {"reason": "patented", "note": "已申请发明专利"})
    assert response.status_code == 200
    assert response.json() == secret_row(secret, carrier_count=2, unmarked_count=0)
    assert secret.state == "declassified" and secret.declassified_at is not None

    # The detail holds everything, and every transition is in the timeline with its deposit.
    detail = manager.get(f"/secrets/{sid}")
    assert detail.status_code == 200
    body = detail.json()
    events = list(SecretEvent.objects.filter(secret=secret).select_related("deposit").order_by("at", "id"))
    assert [e.kind for e in events] == [
        "apply",
        "review",
        "approve",
        "amend",
        "carrier_add",
        "carrier_add",
        "carrier_mark",
        "carrier_destroy",
        "grant",
        "grant",
        "grant_ack",
        "grant_revoke",
        "declassify",
    ]
    review = secret.reviews.get()
    assert body == {
        **secret_row(secret, carrier_count=2, unmarked_count=0),
        "description": APPLICATION["description"],
        "value_estimate": "120.50",
        "value_basis": "研发投入",
        "applicant": people["employee"].name,
        "declassified_at": iso(secret.declassified_at),
        "points": [
            {"number": 1, "title": "模具预热曲线", "description": "分三段升温"},
            {"number": 2, "title": "保压时间", "description": "随壁厚调整"},
        ],
        "carriers": [carrier_row(paper), carrier_row(document)],
        "grants": [grant_row(by_position), grant_row(personal)],
        "reviews": [
            {
                "reviewer": people["officer"].name,
                "decision": "pass",
                "searched": REVIEW["searched"],
                "found": REVIEW["found"],
                "opinion": "",
                "at": iso(review.at),
            }
        ],
        "events": [event_row(e) for e in events],
    }
    # Each event left one audit event and one record deposit (plus the electronic carrier's file deposit).
    assert AuditEvent.objects.filter(verb__startswith="registry.", organisation=org).count() == len(events)
    assert Deposit.objects.filter(organisation=org, kind="record").count() == len(events)
    for event in events:
        assert digest_bytes(event.record.encode()).sha256 == event.deposit.sha256


def test_the_refused_application_ends_there(enterprise):
    apis = role_apis(enterprise)
    sid = apis["employee"].post("/secrets", APPLICATION).json()["id"]
    apis["officer"].post(f"/secrets/{sid}/review", REVIEW)
    response = apis["manager"].post(
        f"/secrets/{sid}/approve", {"approve": False, "opinion": "已在行业内公开"}
    )
    assert response.status_code == 200
    assert response.json()["state"] == "refused"
    assert [e["kind"] for e in apis["manager"].get(f"/secrets/{sid}").json()["events"]] == [
        "apply",
        "review",
        "refuse",
    ]


def test_a_reviewer_rejects_with_an_opinion(enterprise):
    apis = role_apis(enterprise)
    sid = apis["employee"].post("/secrets", APPLICATION).json()["id"]
    response = apis["officer"].post(
        f"/secrets/{sid}/review", {**REVIEW, "decision": "reject", "opinion": "专利 CN1234567 已公开该曲线"}
    )
    assert response.status_code == 200 and response.json()["state"] == "refused"
    assert (
        apis["officer"].get(f"/secrets/{sid}").json()["reviews"][0]["opinion"]
        == "专利 CN1234567 已公开该曲线"
    )
