"""Carrier and access-grant pages: register, mark and destroy carriers; entrust, revoke and acknowledge;
the member's own list (我的知悉事项); and the register's settings. Refusals change nothing."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import (
    AccessGrant,
    Carrier,
    GrantAcknowledgement,
    RegisterPolicy,
    SecretEvent,
)

pytestmark = pytest.mark.django_db

SHA256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
SM3 = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"


def stored() -> tuple:
    return (
        list(Carrier.objects.order_by("pk").values_list("pk", "marking", "state", "destroy_witness")),
        list(AccessGrant.objects.order_by("pk").values_list("pk", "revoked_at", "acknowledged_at")),
        list(RegisterPolicy.objects.values_list("code_pattern", "reviews_required", "reminder_days")),
        SecretEvent.objects.count(),
        Deposit.objects.count(),
        AuditEvent.objects.count(),
    )


def entrust(members, secret, user, reason="调试") -> AccessGrant:
    """Grant the person access and have them acknowledge it: only then does the grant open the secret."""
    grant = actions.grant_add(member=members["officer"], secret=secret, user=user, reason=reason)
    actions.grant_acknowledge(
        member=Membership.objects.get(user=user, organisation=secret.organisation), grant=grant
    )
    return grant


@pytest.fixture
def secret(members, application):
    secret = application(members["officer"])
    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched="专利库", found="无"
    )
    return actions.secret_approve(member=members["manager"], secret=secret, approve=True)


def carrier_data(**overrides) -> dict:
    data = {
        "kind": "paper",
        "name": "工艺卡（纸质）",
        "code": "",
        "location": "档案室 A3",
        "custodian": "",
        "copies": "2",
        "marking": "unmarked",
        "sha256": "",
        "sm3": "",
        "size": "",
    }
    data.update(overrides)
    return data


def test_officer_registers_a_paper_carrier(login, enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/carriers/new/"
    page = client.get(url).content.decode()
    assert 'id="digest-box" data-electronic="document drawing repository"' in page
    assert '<input class="form-control" type="file" id="digest-file">' in page  # no name: never uploaded
    assert 'src="/static/shangmi/evidence/digest.js" nonce=' in page
    response = client.post(url, carrier_data(custodian=str(people["employee"].pk)))
    assert response.status_code == 302 and response["Location"] == f"/registry/{secret.pk}/"
    carrier = Carrier.objects.get()
    assert (carrier.code, carrier.copies, carrier.custodian, carrier.location, carrier.deposit) == (
        f"{secret.code}-C01",
        2,
        people["employee"],
        "档案室 A3",
        None,
    )
    assert secret.events.filter(kind="carrier_add").count() == 1


def test_electronic_carrier_with_digests_is_deposited(login, enterprise, secret):
    _org, people = enterprise
    response = login(people["officer"]).post(
        f"/registry/{secret.pk}/carriers/new/",
        carrier_data(
            kind="document", name="参数表.xlsx", code="GY-001", sha256=SHA256.upper(), sm3=SM3, size="4"
        ),
    )
    assert response.status_code == 302
    carrier = Carrier.objects.select_related("deposit").get()
    assert (carrier.code, carrier.sha256, carrier.sm3, carrier.size) == ("GY-001", SHA256, SM3, 4)
    assert (carrier.deposit.kind, carrier.deposit.sha256, carrier.deposit.label) == ("file", SHA256, "GY-001")


def test_carrier_errors_name_their_fields(login, enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/carriers/new/"
    before = stored()
    response = client.post(
        url, carrier_data(kind="paper", name="", copies="0", sha256="xyz", sm3="", size="1")
    )
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "name": ["请填写载体名称（最长 200 字）"],
        "copies": ["份数应为 1 至 100000 的整数"],
        "sha256": ["SHA-256 应为 64 位十六进制"],
        "sm3": ["SM3 应为 64 位十六进制"],
    }
    assert 'class="form-control is-invalid"' in response.content.decode()


def test_carrier_refusals(login, enterprise, members, secret):
    _org, people = enterprise
    url = f"/registry/{secret.pk}/carriers/new/"
    entrust(members, secret, people["employee"])
    before = stored()
    for role in ("employee", "manager"):
        client = login(people[role])
        assert client.get(url).status_code == 403
        assert client.post(url, carrier_data()).status_code == 403
    assert stored() == before
    actions.secret_declassify(member=members["officer"], secret=secret, reason="published")
    before = stored()
    officer = login(people["officer"])
    assert "当前状态为“已解密”，不能登记载体" in officer.get(url).content.decode()
    response = officer.post(url, carrier_data())
    assert response.status_code == 200 and "不能登记载体" in response.content.decode()
    assert stored() == before


@pytest.fixture
def carrier(members, secret):
    return actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name="工艺卡")


def test_mark_a_carrier(login, enterprise, carrier):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/carriers/{carrier.pk}/mark/"
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/registry/{carrier.secret_id}/#carriers"
    carrier.refresh_from_db()
    assert carrier.marking == "marked"
    before = stored()
    again = client.post(url, follow=True)
    assert f"载体“{carrier.code}”已标识" in again.content.decode()
    assert stored() == before


def test_mark_refused_to_employee_and_manager(login, enterprise, members, carrier):
    _org, people = enterprise
    entrust(members, carrier.secret, people["employee"])
    before = stored()
    for role in ("employee", "manager"):
        assert login(people[role]).post(f"/registry/carriers/{carrier.pk}/mark/").status_code == 403
    assert stored() == before


def test_destroy_a_carrier(login, enterprise, carrier):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/carriers/{carrier.pk}/destroy/"
    page = client.get(url)
    assert page.status_code == 200
    today = timezone.localdate().isoformat()
    assert f'<input type="date" name="destroyed_on" value="{today}"' in page.content.decode()
    before = stored()
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(url, {"method": "", "witness": "", "destroyed_on": tomorrow})
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "method": ["销毁方式应为：粉碎、焚毁、数据擦除、消磁、物理破坏、其他"],
        "witness": ["请填写监销人（最长 64 字）"],
        "destroyed_on": ["销毁日期不能晚于今天"],
    }
    response = client.post(
        url, {"method": "shred", "witness": "王监销", "destroyed_on": today, "note": "年度清理"}
    )
    assert response.status_code == 302
    carrier.refresh_from_db()
    assert (
        carrier.state,
        carrier.destroy_method,
        carrier.destroy_witness,
        carrier.destroyed_on.isoformat(),
    ) == (
        "destroyed",
        "shred",
        "王监销",
        today,
    )
    detail = client.get(f"/registry/{carrier.secret_id}/").content.decode()
    assert "粉碎 · 王监销" in detail and f"/registry/carriers/{carrier.pk}/destroy/" not in detail
    assert "已于" in client.get(url).content.decode()
    before = stored()
    client.post(url, {"method": "shred", "witness": "王监销", "destroyed_on": today})
    assert stored() == before


def test_destroy_refused_to_employee(login, enterprise, members, carrier):
    _org, people = enterprise
    entrust(members, carrier.secret, people["employee"])
    client = login(people["employee"])
    url = f"/registry/carriers/{carrier.pk}/destroy/"
    before = stored()
    assert client.get(url).status_code == 403
    today = timezone.localdate().isoformat()
    assert client.post(url, {"method": "shred", "witness": "王", "destroyed_on": today}).status_code == 403
    assert stored() == before


def test_grant_to_a_person_and_to_a_position(login, enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/grants/new/"
    assert people["employee"].name in client.get(url).content.decode()
    expires = (timezone.localdate() + timedelta(days=90)).isoformat()
    response = client.post(
        url, {"user": str(people["employee"].pk), "reason": "工艺调试", "expires_on": expires}
    )
    assert response.status_code == 302 and response["Location"] == f"/registry/{secret.pk}/#grants"
    response = client.post(url, {"position": "工艺工程师", "reason": "岗位职责"})
    assert response.status_code == 302
    grants = AccessGrant.objects.order_by("pk")
    assert [(g.user, g.position, g.reason, g.granted_by, str(g.expires_on)) for g in grants] == [
        (people["employee"], "", "工艺调试", people["officer"], expires),
        (None, "工艺工程师", "岗位职责", people["officer"], "None"),
    ]


def test_grant_errors_and_duplicates(login, enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    url = f"/registry/{secret.pk}/grants/new/"
    before = stored()
    both = client.post(url, {"user": str(people["employee"].pk), "position": "工程师", "reason": "x"})
    assert both.context["form"].errors == {"user": ["请选择一名人员或填写一个岗位（二选一）"]}
    neither = client.post(url, {"reason": ""})
    assert neither.context["form"].errors == {
        "user": ["请选择一名人员或填写一个岗位（二选一）"],
        "reason": ["请填写知悉事由（最长 200 字）"],
    }
    past = client.post(url, {"position": "工程师", "reason": "x", "expires_on": "2000-01-01"})
    assert past.context["form"].errors == {"expires_on": ["有效期必须晚于今天"]}
    assert stored() == before
    client.post(url, {"user": str(people["employee"].pk), "reason": "调试"})
    before = stored()
    duplicate = client.post(url, {"user": str(people["employee"].pk), "reason": "调试"})
    assert duplicate.status_code == 200 and "已在知悉范围内" in duplicate.content.decode()
    assert stored() == before


def test_grant_refused_to_employee_and_manager(login, enterprise, members, secret):
    _org, people = enterprise
    entrust(members, secret, people["employee"])
    url = f"/registry/{secret.pk}/grants/new/"
    before = stored()
    for role in ("employee", "manager"):
        client = login(people[role])
        assert client.get(url).status_code == 403
        assert client.post(url, {"position": "工程师", "reason": "x"}).status_code == 403
    assert stored() == before


def test_revoke_a_grant(login, enterprise, members, secret):
    _org, people = enterprise
    grant = entrust(members, secret, people["employee"])
    before = stored()
    for role in ("employee", "manager"):
        assert login(people[role]).post(f"/registry/grants/{grant.pk}/revoke/").status_code == 403
    assert stored() == before
    client = login(people["officer"])
    assert client.get(f"/registry/grants/{grant.pk}/revoke/").status_code == 405
    response = client.post(f"/registry/grants/{grant.pk}/revoke/")
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.revoked_at is not None
    # Revoked: the employee no longer sees the secret.
    assert login(people["employee"]).get(f"/registry/{secret.pk}/").status_code == 404


def test_my_grants_and_acknowledgement(login, enterprise, members, secret, application, make_member):
    org, people = enterprise
    engineer = make_member(org, "employee", title="工艺工程师")
    colleague = make_member(org, "employee", title="工艺工程师")
    personal = actions.grant_add(member=members["officer"], secret=secret, user=engineer, reason="工艺调试")
    other = application(members["officer"], name="恒温阀控制固件", level="important")
    position = actions.grant_add(
        member=members["officer"], secret=other, position="工艺工程师", reason="岗位职责"
    )
    hidden = application(members["officer"], name="不相干的秘密")
    actions.grant_add(member=members["officer"], secret=hidden, user=people["employee"], reason="别人的")

    client = login(engineer)
    page = client.get("/registry/mine/")
    assert page.status_code == 200
    body = page.content.decode()
    assert {g.secret.code for g in page.context["grants"]} == {other.code, secret.code}
    assert "有 2 项待您确认。" in body
    assert (
        "不相干的秘密" not in body
        and "恒温阀控制固件" in body
        and '<span class="label-colon">岗位</span>工艺工程师' in body
    )
    # The gate: before acknowledging, the engineer cannot open the secret.
    assert client.get(f"/registry/{secret.pk}/").status_code == 404
    assert f'href="/registry/grants/{personal.pk}/acknowledge/"' in body

    # The acknowledgement page shows the exact text, its version and SHA-256.
    ack_page = client.get(f"/registry/grants/{personal.pk}/acknowledge/")
    text = ack_page.context["text"]
    assert secret.code in text and "刑法》第二百一十九条" in text and "工艺调试" in text
    assert ack_page.context["sha256"] == hashlib.sha256(text.encode()).hexdigest()
    assert ack_page.context["sha256"] in ack_page.content.decode()

    # Nobody else acknowledges for the person: to them it is not their grant.
    before = stored()
    assert login(people["officer"]).post(f"/registry/grants/{personal.pk}/acknowledge/").status_code == 404
    assert login(colleague).post(f"/registry/grants/{personal.pk}/acknowledge/").status_code == 404
    assert stored() == before
    response = client.post(f"/registry/grants/{personal.pk}/acknowledge/")
    assert response.status_code == 302 and response["Location"] == f"/registry/{secret.pk}/"
    personal.refresh_from_db()
    assert personal.acknowledged_at is not None and personal.acknowledged_ip == "127.0.0.1"
    ack = GrantAcknowledgement.objects.get(grant=personal)
    assert (ack.user, ack.text_version, ack.text_sha256) == (
        engineer,
        "grant-ack/2",
        ack_page.context["sha256"],
    )
    record = json.loads(SecretEvent.objects.filter(secret=secret, kind="grant_ack").get().record)
    assert record["data"]["text_sha256"] == ack.text_sha256 and record["data"]["ip"] == "127.0.0.1"
    assert client.get(f"/registry/{secret.pk}/").status_code == 200

    # The position grant: each holder acknowledges for themselves.
    assert client.post(f"/registry/grants/{position.pk}/acknowledge/").status_code == 302
    assert client.get(f"/registry/{other.pk}/").status_code == 200
    assert login(colleague).get(f"/registry/{other.pk}/").status_code == 404
    body = client.get("/registry/mine/").content.decode()
    assert "待您确认" not in body and "grant-ack" not in body and "已确认" in body
    before = stored()
    again = client.post(f"/registry/grants/{personal.pk}/acknowledge/", follow=True)
    assert "已确认" in again.content.decode()
    assert stored() == before


def test_the_officer_sees_who_has_not_acknowledged(login, enterprise, members, secret, make_member):
    org, people = enterprise
    engineer = make_member(org, "employee", name="王工", title="工艺工程师")
    make_member(org, "employee", name="李工", title="工艺工程师")
    actions.grant_add(member=members["officer"], secret=secret, position="工艺工程师", reason="岗位职责")
    entrust(members, secret, people["manager"])
    actions.grant_add(member=members["officer"], secret=secret, user=people["employee"], reason="调试")
    actions.grant_acknowledge(
        member=Membership.objects.get(user=engineer, organisation=org),
        grant=AccessGrant.objects.get(position="工艺工程师"),
    )

    page = login(people["officer"]).get("/registry/acknowledgements/")
    assert page.status_code == 200
    waiting = sorted(row.person for row in page.context["page"].object_list)
    assert waiting == sorted(["李工", people["employee"].name])
    assert page.context["total"] == 2
    detail = login(people["officer"]).get(f"/registry/{secret.pk}/").content.decode()
    assert "1/2 人已确认" in detail
    assert login(people["officer"]).get("/registry/acknowledgements/", {"q": "不存在"}).context["total"] == 0
    for role in ("employee",):
        assert login(people[role]).get("/registry/acknowledgements/").status_code == 403
    assert login(people["manager"]).get("/registry/acknowledgements/").status_code == 200


def test_my_grants_empty_and_closed_to_regulators(login, enterprise, make_org, make_member):
    _org, people = enterprise
    body = login(people["employee"]).get("/registry/mine/").content.decode()
    assert "目前没有授权您知悉的商业秘密。" in body
    regulator = make_org("regulator")
    assert login(make_member(regulator, "staff")).get("/registry/mine/").status_code == 403


def test_settings_page(login, enterprise):
    org, people = enterprise
    client = login(people["officer"])
    page = client.get("/registry/settings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'value="{ORG}-{YEAR}-{NNNN}"' in body
    assert re.search(r'<select name="reviewers"[^>]*multiple', body)
    response = client.post(
        "/registry/settings/",
        {
            "code_pattern": "{ORG}-{CAT}-{YEAR}-{NNN}",
            "reviewers": [str(people["officer"].pk), str(people["manager"].pk)],
            "reviews_required": "2",
            "reminder_days": "45",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/registry/settings/"
    policy = RegisterPolicy.objects.get(organisation=org)
    assert (policy.code_pattern, policy.reviews_required, policy.reminder_days) == (
        "{ORG}-{CAT}-{YEAR}-{NNN}",
        2,
        45,
    )
    assert set(policy.reviewers.all()) == {people["officer"], people["manager"]}
    assert "台账设置已保存" in client.get("/registry/settings/").content.decode()


def test_settings_errors_and_refusals(login, enterprise):
    _org, people = enterprise
    client = login(people["officer"])
    client.get("/registry/settings/")  # the policy row exists from here on
    before = stored()
    response = client.post(
        "/registry/settings/",
        {
            "code_pattern": "{ORG}-{FOO}",
            "reviewers": [str(people["officer"].pk)],
            "reviews_required": "3",
            "reminder_days": "0",
        },
    )
    assert response.status_code == 200 and stored() == before
    assert response.context["form"].errors == {
        "code_pattern": ["编号规则含未知占位符：{FOO}"],
        "reviews_required": ["所需审查通过人数不能多于审查小组人数"],
        "reminder_days": ["提前提醒天数应为 1 至 365"],
    }
    for role in ("employee", "manager"):
        other = login(people[role])
        assert other.get("/registry/settings/").status_code == 403
        data = {"code_pattern": "X-{NNN}", "reviews_required": "1", "reminder_days": "5"}
        assert other.post("/registry/settings/", data).status_code == 403
    assert stored() == before
