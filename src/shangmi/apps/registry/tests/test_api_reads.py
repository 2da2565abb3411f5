"""Reads over the API: who sees what, filters and Chinese search, statistics, pagination, canonical
records with their receipts, the register's settings, and a list whose query count does not grow with
the page."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.evidence.log_service import include_pending
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import AccessGrant, SecretEvent
from shangmi.apps.registry.tests.api_support import REVIEW, Api, role_apis, stored
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "未找到", "errors": []}
MISSING = 987654321


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["items"]]


def _designate(members, secret):
    actions.secret_review(member=members["officer"], secret=secret, **REVIEW)
    actions.secret_approve(member=members["manager"], secret=secret, approve=True)
    return secret


def test_an_employee_sees_only_what_they_applied_for_or_are_entrusted_with(
    enterprise, members, application, make_member
):
    org, people = enterprise
    officer = members["officer"]
    granted, hidden, by_position = application(officer), application(officer), application(officer)
    own = application(members["employee"])
    engineer = make_member(org, "employee", title="工艺工程师")
    mine = actions.grant_add(member=officer, secret=granted, user=people["employee"], reason="调试")
    other = actions.grant_add(member=officer, secret=granted, user=people["manager"], reason="审批")
    actions.grant_add(member=officer, secret=by_position, position="工艺工程师", reason="岗位职责")
    position = AccessGrant.objects.get(secret=by_position)
    apis = role_apis(enterprise)
    employee, engineer_api = apis["employee"], Api(engineer, org)

    # Grants open nothing until acknowledged (知悉确认); the acknowledgement text can be read first.
    assert _ids(employee.get("/secrets")) == [own.pk]
    assert not _ids(engineer_api.get("/secrets"))
    text = employee.get(f"/grants/{mine.pk}/acknowledgement").json()
    assert (
        text["version"] == "grant-ack/2" and granted.code in text["text"] and text["acknowledged_at"] is None
    )
    assert employee.post(f"/grants/{mine.pk}/acknowledge").status_code == 200
    assert engineer_api.post(f"/grants/{position.pk}/acknowledge").status_code == 200

    assert _ids(employee.get("/secrets")) == [own.pk, granted.pk]
    assert employee.get("/secrets").json()["count"] == 2
    assert _ids(engineer_api.get("/secrets")) == [by_position.pk]
    assert _ids(apis["manager"].get("/secrets")) == [own.pk, by_position.pk, hidden.pk, granted.pk]
    assert employee.get("/stats").json()["total"] == 2

    # A hidden secret answers exactly like a missing one.
    assert employee.get(f"/secrets/{hidden.pk}").json() == NOT_FOUND
    assert (
        employee.get(f"/secrets/{hidden.pk}").status_code
        == employee.get(f"/secrets/{MISSING}").status_code
        == 404
    )
    # Within a granted secret an employee sees their own grant, not the whole circle of knowledge.
    assert [g["id"] for g in employee.get(f"/secrets/{granted.pk}").json()["grants"]] == [mine.pk]
    assert [g["id"] for g in apis["officer"].get(f"/secrets/{granted.pk}").json()["grants"]] == [
        other.pk,
        mine.pk,
    ]
    assert employee.get(f"/grants/{other.pk}/revoke").status_code == 405

    actions.grant_revoke(member=officer, grant=mine)
    assert _ids(employee.get("/secrets")) == [own.pk]
    assert employee.get(f"/secrets/{granted.pk}").status_code == 404
    assert employee.get("/grants/mine").json() == {"items": [], "count": 0}


@pytest.fixture
def outsiders(other_enterprise, make_org, make_member):
    other_org, other_people = other_enterprise
    regulator, provider = make_org("regulator"), make_org("provider")
    return {
        "other enterprise's officer": Api(other_people["officer"], other_org),
        "other enterprise's manager": Api(other_people["manager"], other_org),
        "regulator": Api(make_member(regulator, "staff"), regulator),
        "regulator's admin": Api(make_member(regulator, "admin"), regulator),
        "service provider": Api(make_member(provider, "appraiser"), provider),
    }


def test_other_organisations_and_regulators_find_nothing(enterprise, members, application, outsiders):
    secret = _designate(members, application(members["employee"]))
    carrier = actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name="工艺卡")
    grant = actions.grant_add(
        member=members["officer"], secret=secret, user=members["employee"].user, reason="x"
    )
    event = SecretEvent.objects.filter(secret=secret).first()
    include_pending()
    own = role_apis(enterprise)["officer"]
    reads = [f"/secrets/{secret.pk}", f"/events/{event.pk}/record", f"/events/{event.pk}/receipt"]
    writes = [
        (f"/secrets/{secret.pk}/amend", {"reason": "x", "level": "general"}),
        (f"/secrets/{secret.pk}/declassify", {"reason": "published"}),
        (f"/secrets/{secret.pk}/carriers", {"kind": "paper", "name": "x"}),
        (f"/secrets/{secret.pk}/grants", {"position": "x", "reason": "x"}),
        (f"/carriers/{carrier.pk}/mark", None),
        (
            f"/carriers/{carrier.pk}/destroy",
            {"method": "shred", "witness": "x", "destroyed_on": timezone.localdate()},
        ),
        (f"/grants/{grant.pk}/revoke", None),
        (f"/grants/{grant.pk}/acknowledge", None),
    ]
    for path in reads:  # guard: the owner does reach each of these
        assert own.get(path).status_code == 200, path
    before = stored()
    for who, api in outsiders.items():
        assert api.get("/secrets").json() == {"items": [], "count": 0}, who
        assert api.get("/stats").json() == {"total": 0, "level": [], "category": [], "department": []}, who
        assert api.get("/grants/mine").json() == {"items": [], "count": 0}, who
        for path in reads:
            response = api.get(path)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), f"{who} GET {path}"
        for path, body in writes:
            response = api.post(path, body)
            assert (response.status_code, response.json()) == (404, NOT_FOUND), f"{who} POST {path}"
            # ... and a bad body changes nothing in the answer: the object is looked up first.
            assert api.post(path, {"no": "such field"}).json() == NOT_FOUND, f"{who} POST {path}"
    assert stored() == before


def test_filters_and_chinese_search(enterprise, members, application):
    officer = members["officer"]
    soon = timezone.localdate() + timedelta(days=20)
    later = timezone.localdate() + timedelta(days=200)
    casting = _designate(members, application(officer))  # 技术 / 核心 / 研发部 / 长期
    formula = application(
        officer,
        name="耐高温涂料配方",
        description="用于排气系统的涂层",
        subcategory="formula",
        level="important",
        department="化工部",
        period_kind="date",
        period_until=soon,
        points=[("树脂配比", "环氧树脂与固化剂比例")],
    )
    customers = application(
        officer,
        name="华东区重点客户名单",
        description="年采购额前五十的客户",
        category="business",
        subcategory="customers",
        level="general",
        department="销售部",
        period_kind="date",
        period_until=later,
        points=[("客户联系人", "采购负责人及报价习惯")],
    )
    actions.carrier_add(member=officer, secret=formula, kind="paper", name="配方卡")
    marked = actions.carrier_add(member=officer, secret=customers, kind="paper", name="客户表")
    actions.carrier_mark(member=officer, carrier=marked)
    api = role_apis(enterprise)["officer"]

    assert _ids(api.get("/secrets", category="business")) == [customers.pk]
    assert _ids(api.get("/secrets", level="important")) == [formula.pk]
    assert _ids(api.get("/secrets", state="designated")) == [casting.pk]
    assert _ids(api.get("/secrets", department="销售部")) == [customers.pk]
    assert _ids(api.get("/secrets", ending_within=30)) == [formula.pk]
    assert _ids(api.get("/secrets", ending_within=365)) == [customers.pk, formula.pk]
    assert _ids(api.get("/secrets", unmarked="true")) == [formula.pk]
    # Chinese substring search over names, descriptions, departments and secret points; terms are ANDed.
    assert _ids(api.get("/secrets", q="压铸")) == [casting.pk]
    assert _ids(api.get("/secrets", q="固化剂")) == [formula.pk]
    assert _ids(api.get("/secrets", q="客户 报价")) == [customers.pk]
    assert _ids(api.get("/secrets", q="客户 压铸")) == []
    # Case and full-width forms fold: ＴＥＮＴ１ finds TENT1.
    fullwidth = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in casting.code)
    assert _ids(api.get("/secrets", q=fullwidth)) == [casting.pk]
    assert _ids(api.get("/secrets", q=casting.code.lower())) == [casting.pk]
    assert _ids(api.get("/secrets", category="technical", q="部")) == [formula.pk, casting.pk]
    # Filters combine with the row's carrier counts.
    row = api.get("/secrets", q="配方").json()["items"][0]
    assert (row["carrier_count"], row["unmarked_count"]) == (1, 1)
    row = api.get("/secrets", q="客户名单").json()["items"][0]
    assert (row["carrier_count"], row["unmarked_count"]) == (1, 0)
    # Bad filter values: unknown vocabulary is ignored, a negative horizon names its field.
    assert api.get("/secrets", level="绝密").json()["count"] == 3
    response = api.get("/secrets", ending_within=-1)
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["ending_within"]

    assert api.get("/stats").json() == {
        "total": 3,
        "level": [
            {"key": "core", "label": "核心", "count": 1},
            {"key": "general", "label": "一般", "count": 1},
            {"key": "important", "label": "重要", "count": 1},
        ],
        "category": [
            {"key": "technical", "label": "技术信息", "count": 2},
            {"key": "business", "label": "经营信息", "count": 1},
        ],
        "department": [
            {"key": "化工部", "label": "化工部", "count": 1},
            {"key": "研发部", "label": "研发部", "count": 1},
            {"key": "销售部", "label": "销售部", "count": 1},
        ],
    }
    assert api.get("/stats", category="technical").json()["category"] == [
        {"key": "technical", "label": "技术信息", "count": 2}
    ]


def test_pages_and_counts(enterprise, members, application):
    for n in "甲乙丙丁戊己庚":
        application(members["officer"], name=f"工艺{n}号")
    api = role_apis(enterprise)["officer"]
    first = api.get("/secrets", page=1, page_size=3).json()
    third = api.get("/secrets", page=3, page_size=3).json()
    assert (first["count"], len(first["items"])) == (7, 3)
    assert (third["count"], len(third["items"])) == (7, 1)
    names = [r["name"] for r in first["items"]] + [r["name"] for r in third["items"]]
    assert names == ["工艺庚号", "工艺己号", "工艺戊号", "工艺甲号"]
    assert api.get("/secrets", page=1, page_size=3, q="工艺丙").json()["count"] == 1
    assert api.get("/secrets", page=4, page_size=3).status_code == 200
    assert api.get("/secrets", page=0).status_code == 422


def test_the_list_query_count_does_not_grow_with_the_page(enterprise, members, application):
    """No N+1: the responsible person is joined, carrier counts are one grouped query."""
    officer = members["officer"]
    api = role_apis(enterprise)["employee"]  # the employee's list is the one with a visibility subquery

    def queries_for_list() -> int:
        api.get("/secrets")  # the token's last use is recorded at most once a minute: not measured
        with CaptureQueriesContext(connection) as captured:
            assert api.get("/secrets").status_code == 200
        return len(captured)

    def add(count: int) -> None:
        for _ in range(count):
            secret = application(officer, responsible=members["manager"].user)
            actions.carrier_add(member=officer, secret=secret, kind="paper", name="卡")
            grant = actions.grant_add(
                member=officer, secret=secret, user=members["employee"].user, reason="x"
            )
            actions.grant_acknowledge(member=members["employee"], grant=grant)

    add(2)
    few = queries_for_list()
    add(8)
    assert api.get("/secrets").json()["count"] == 10
    assert queries_for_list() == few


def test_record_bytes_hash_to_the_deposit_and_the_receipt_follows_inclusion(enterprise, members, application):
    secret = application(members["employee"])
    event = SecretEvent.objects.select_related("deposit").get(secret=secret)
    api = role_apis(enterprise)["employee"]

    record = api.get(f"/events/{event.pk}/record")
    assert record.status_code == 200
    assert record["Content-Type"] == "application/json; charset=utf-8"
    assert record["Content-Disposition"] == f'attachment; filename="register-record-{event.pk}.json"'
    assert record.content == event.record.encode()
    assert hashlib.sha256(record.content).hexdigest() == event.deposit.sha256
    assert digest_bytes(record.content).sm3 == event.deposit.sm3

    pending = api.get(f"/events/{event.pk}/receipt")
    assert (pending.status_code, pending.json()) == (
        409,
        {"detail": "尚未入链，请稍后再取回执", "errors": []},
    )
    include_pending()
    detail = api.get(f"/secrets/{secret.pk}").json()["events"][0]
    assert (detail["deposit_state"], detail["leaf_index"]) == ("included", 0)
    receipt = api.get(detail["receipt_url"].removeprefix("/api/v1/registry"))
    assert receipt.status_code == 200
    assert receipt["Content-Type"] == "text/plain; charset=utf-8"
    assert verify_receipt(receipt.content, material=digest_bytes(record.content)).valid


def test_policy_is_read_by_members_and_set_by_the_officer(enterprise, members, application):
    org, people = enterprise
    apis = role_apis(enterprise)
    default = {
        "code_pattern": "{ORG}-{YEAR}-{NNNN}",
        "reviewers": [],
        "reviewer_names": [],
        "reviews_required": 1,
        "reminder_days": 30,
    }
    assert apis["employee"].get("/policy").json() == default

    group = sorted([people["employee"], people["manager"]], key=lambda u: u.pk)
    response = apis["officer"].put(
        "/policy",
        {
            "code_pattern": "{ORG}-{CAT}-{NNN}",
            "reviewers": [u.pk for u in group],
            "reviews_required": 2,
            "reminder_days": 60,
        },
    )
    assert response.status_code == 200
    expected = {
        "code_pattern": "{ORG}-{CAT}-{NNN}",
        "reviewers": [u.pk for u in group],
        "reviewer_names": [u.name for u in group],
        "reviews_required": 2,
        "reminder_days": 60,
    }
    assert response.json() == expected
    assert apis["manager"].get("/policy").json() == expected

    # The group now reviews: the employee in it sees applications waiting and reviews them; the officer
    # (not in the group) may not; two passes are needed.
    secret = application(members["admin"])
    assert secret.code == f"{org.short_code}-JS-001"
    assert _ids(apis["employee"].get("/secrets", state="applied")) == [secret.pk]
    before = stored()
    assert apis["officer"].post(f"/secrets/{secret.pk}/review", REVIEW).status_code == 403
    assert stored() == before
    assert apis["employee"].post(f"/secrets/{secret.pk}/review", REVIEW).json()["state"] == "applied"
    assert apis["manager"].post(f"/secrets/{secret.pk}/review", REVIEW).json()["state"] == "reviewed"
    # Once reviewed, the application leaves the employee's view (they are neither applicant nor entrusted).
    assert apis["employee"].get(f"/secrets/{secret.pk}").status_code == 404


def test_membership_without_a_title_does_not_match_position_grants(enterprise, members, application):
    """A grant to a position never reaches members whose title is empty."""
    org, _people = enterprise
    secret = application(members["officer"])
    actions.grant_add(member=members["officer"], secret=secret, position="工艺工程师", reason="岗位职责")
    assert Membership.objects.get(pk=members["employee"].pk).title == ""
    assert role_apis(enterprise)["employee"].get("/secrets").json()["count"] == 0


def test_pending_acknowledgements_for_the_officer(enterprise, members, application, make_member):
    org, people = enterprise
    officer = members["officer"]
    secret = application(officer)
    holder = make_member(org, "employee", name="周工", title="模具工程师")
    position = actions.grant_add(member=officer, secret=secret, position="模具工程师", reason="岗位职责")
    actions.grant_add(member=officer, secret=secret, user=people["employee"], reason="调试")
    apis = role_apis(enterprise)

    pending = apis["officer"].get("/grants/pending").json()
    assert pending["count"] == 2
    assert {row["person"] for row in pending["items"]} == {"周工", people["employee"].name}
    assert Api(holder, org).post(f"/grants/{position.pk}/acknowledge").status_code == 200
    assert [row["person"] for row in apis["manager"].get("/grants/pending").json()["items"]] == [
        people["employee"].name
    ]
    assert apis["officer"].get("/grants/pending", q="不存在").json()["count"] == 0
    assert apis["employee"].get("/grants/pending").status_code == 403
    mine = apis["employee"].get("/grants/mine", unacknowledged=True).json()
    assert mine["count"] == 1
