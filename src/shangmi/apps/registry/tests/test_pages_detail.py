"""A secret's page: its fields, points, reviews, carriers and grants, the timeline, the downloadable
canonical record and its receipt; and which buttons each role sees in each state."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.utils import timezone

from shangmi.apps.evidence.log_service import include_pending, verifier_key
from shangmi.apps.registry import actions
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

SEARCHED = "国家知识产权局专利检索：压铸 保压 预热；中国知网"
FOUND = "未检索到相同的预热曲线与保压参数组合"
ACTION_IDS = (
    "action-review",
    "action-approve",
    "action-amend",
    "action-carrier",
    "action-grant",
    "action-declassify",
)


def _buttons(body: str) -> set[str]:
    return {i for i in ACTION_IDS if f'id="{i}"' in body}


def _url(secret) -> str:
    return f"/registry/{secret.pk}/"


@pytest.fixture
def designated(members, application, enterprise):
    _org, people = enterprise
    secret = application(
        members["employee"], responsible=people["manager"], value_estimate="120.5", value_basis="研发投入"
    )
    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched=SEARCHED, found=FOUND
    )
    actions.secret_approve(member=members["manager"], secret=secret, approve=True, opinion="同意")
    actions.carrier_add(
        member=members["officer"], secret=secret, kind="paper", name="工艺卡", location="档案室 A3"
    )
    actions.carrier_add(
        member=members["officer"],
        secret=secret,
        kind="document",
        name="工艺参数表.xlsx",
        sha256="a" * 64,
        sm3="b" * 64,
        size=1024,
        marking="marked",
    )
    actions.grant_add(member=members["officer"], secret=secret, user=people["employee"], reason="工艺调试")
    actions.grant_add(member=members["officer"], secret=secret, position="工艺工程师", reason="岗位职责")
    secret.refresh_from_db()
    return secret


def test_detail_shows_every_part_of_the_secret(login, enterprise, designated):
    _org, people = enterprise
    response = login(people["officer"]).get(_url(designated))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'<span class="mono">{designated.code}</span> 高强度铝合金压铸工艺参数' in body
    assert '<span class="badge state-designated fs-6 align-middle" id="secret-state">已定密</span>' in body
    fields = re.search(r'<dl class="row mb-0 small" id="secret-fields">(.*?)</dl>', body, re.S).group(1)
    for text in (
        "技术信息 · 工艺流程",
        "核心",
        "长期",
        "研发部",
        people["manager"].name,
        people["employee"].name,
        "120.50",
        "研发投入",
    ):
        assert text in fields, text
    points = re.search(r'<ol class="mb-0" id="secret-points">(.*?)</ol>', body, re.S).group(1)
    assert re.findall(r"<strong>(.*?)</strong>", points) == ["模具预热曲线", "保压时间"]
    reviews = body[body.index('id="secret-reviews"') : body.index('id="carriers"')]
    assert (
        SEARCHED in reviews and FOUND in reviews and people["officer"].name in reviews and "通过" in reviews
    )
    carriers = designated.carriers.order_by("code")
    for carrier in carriers:
        assert f'href="/registry/carriers/{carrier.pk}/label/"' in body
    paper, document = carriers
    paper_row = re.search(rf'<tr data-carrier="{paper.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "档案室 A3" in paper_row and "未标识" in paper_row
    assert f'action="/registry/carriers/{paper.pk}/mark/"' in paper_row
    doc_row = re.search(rf'<tr data-carrier="{document.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "已标识" in doc_row and "SHA-256 aaaaaaaaaaaaaaaa…" in doc_row and "/mark/" not in doc_row
    assert f'href="/registry/{designated.pk}/labels/"' in body
    grants = re.search(
        r'<table class="table table-sm align-middle small mb-0" id="grant-table">(.*?)</table>', body, re.S
    ).group(1)
    assert "工艺调试" in grants and "待确认" in grants and "工艺工程师" in grants and "0/0 人已确认" in grants
    assert grants.count("/revoke/") == 2 and "grant-ack" not in grants  # the officer is not the grantee


def test_timeline_lists_every_event_with_record_and_receipt(login, enterprise, designated):
    _org, people = enterprise
    client = login(people["officer"])
    body = client.get(_url(designated)).content.decode()
    kinds = re.findall(r'<li data-event="\d+" data-kind="(\w+)">', body)
    assert kinds == ["apply", "review", "approve", "carrier_add", "carrier_add", "grant", "grant"]
    assert "shangmi verify record.json record.receipt" in body
    labels = re.findall(r'<strong class="event-kind">(.*?)</strong>', body)
    assert labels[:3] == ["定密申请", "定密审查", "批准定密"]
    # Before the worker includes the deposits: records are downloadable, receipts are not yet offered.
    assert body.count('class="badge text-bg-warning deposit-state">待入链<') == 7
    assert "event-receipt" not in body

    event = designated.events.select_related("deposit").get(kind="review")
    record = client.get(f"/registry/events/{event.pk}/record/")
    assert record.status_code == 200
    assert record["Content-Type"] == "application/json; charset=utf-8"
    assert record["Content-Disposition"] == f'attachment; filename="{designated.code}-review-{event.pk}.json"'
    assert record.content == event.record.encode()
    assert hashlib.sha256(record.content).hexdigest() == event.deposit.sha256
    assert digest_bytes(record.content).sm3 == event.deposit.sm3
    assert SEARCHED in record.content.decode()

    pending = client.get(f"/registry/events/{event.pk}/receipt/")
    assert pending.status_code == 409
    assert pending.content.decode() == "该记录尚未写入证据日志，请稍后再下载回执"

    include_pending()
    receipt = client.get(f"/registry/events/{event.pk}/receipt/")
    assert receipt.status_code == 200
    assert (
        receipt["Content-Disposition"]
        == f'attachment; filename="{designated.code}-review-{event.pk}.receipt"'
    )
    verdict = verify_receipt(
        receipt.content, material=digest_bytes(record.content), trusted_vkey=verifier_key()
    )
    assert verdict.valid, [(c.name, c.detail) for c in verdict.checks]

    body = client.get(_url(designated)).content.decode()
    assert body.count('class="badge text-bg-success deposit-state">已入链<') == 7
    assert f'href="/registry/events/{event.pk}/receipt/"' in body


def test_timeline_downloads_follow_visibility(
    login, enterprise, other_enterprise, designated, members, application
):
    _org, people = enterprise
    event = designated.events.first()
    # The employee is entrusted (and the applicant): may download.
    assert login(people["employee"]).get(f"/registry/events/{event.pk}/record/").status_code == 200
    hidden = application(members["officer"])
    hidden_event = hidden.events.first()
    _other, other_people = other_enterprise
    for client in (login(people["employee"]), login(other_people["officer"])):
        for what in ("record", "receipt"):
            foreign = client.get(f"/registry/events/{hidden_event.pk}/{what}/")
            missing = client.get(f"/registry/events/987654321/{what}/")
            assert foreign.status_code == missing.status_code == 404
    assert client.get(_url(hidden)).status_code == 404


def test_buttons_follow_role_and_state(login, enterprise, members, application):
    _org, people = enterprise
    secret = application(members["employee"])
    clients = {role: login(user) for role, user in people.items()}

    def buttons(role):
        response = clients[role].get(_url(secret))
        assert response.status_code == 200
        return _buttons(response.content.decode())

    assert buttons("officer") == {"action-review", "action-carrier", "action-grant"}
    assert buttons("admin") == {"action-review", "action-carrier", "action-grant"}
    assert buttons("manager") == set()
    assert buttons("employee") == set()  # the applicant sees the application, but takes no step

    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched="专利库", found="无"
    )
    assert buttons("officer") == {"action-carrier", "action-grant"}
    assert buttons("manager") == {"action-approve"}
    assert buttons("employee") == set()

    actions.secret_approve(member=members["manager"], secret=secret, approve=True)
    assert buttons("officer") == {"action-amend", "action-carrier", "action-grant", "action-declassify"}
    assert buttons("manager") == set()

    actions.secret_declassify(member=members["officer"], secret=secret, reason="published")
    assert buttons("officer") == set()
    assert "已解密" in clients["officer"].get(_url(secret)).content.decode()


def test_grantee_acknowledges_from_my_grants(login, enterprise, designated):
    _org, people = enterprise
    client = login(people["employee"])
    grant = designated.grants.get(user=people["employee"])
    mine = client.get("/registry/mine/").content.decode()
    assert f'href="/registry/grants/{grant.pk}/acknowledge/"' in mine
    response = client.post(f"/registry/grants/{grant.pk}/acknowledge/")
    assert response.status_code == 302 and response["Location"] == _url(designated)
    grant.refresh_from_db()
    assert grant.acknowledged_at is not None and grant.acknowledged_at <= timezone.now()
    assert designated.events.filter(kind="grant_ack").count() == 1
    body = client.get(_url(designated)).content.decode()
    assert "已确认知悉 " + designated.code in body
    assert "/revoke/" not in body and "carrier-mark" not in body and "/destroy/" not in body
