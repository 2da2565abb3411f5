"""The designation lifecycle through the actions: each step's state, records, audit and deposit, and
every refused step changing nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import SecretEvent, TradeSecret
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db


def _snapshot(secret):
    secret.refresh_from_db()
    return (
        secret.state,
        secret.level,
        secret.period_kind,
        secret.period_until,
        secret.events.count(),
        Deposit.objects.count(),
        AuditEvent.objects.count(),
    )


def test_application_to_designation_to_declassification(members, application):
    secret = application(members["employee"])
    year = timezone.localdate().year
    assert secret.code == f"{secret.organisation.short_code}-{year}-0001"
    assert secret.state == "applied"
    assert [p.title for p in secret.points.all()] == ["模具预热曲线", "保压时间"]
    assert "模具预热曲线" in secret.search_text

    actions.secret_review(
        member=members["officer"],
        secret=secret,
        decision="pass",
        searched="国家知识产权局专利检索：压铸 保压 预热；CNKI；行业标准 GB/T 15114",
        found="未检索到相同的预热曲线与保压参数组合",
    )
    secret.refresh_from_db()
    assert secret.state == "reviewed"
    actions.secret_approve(member=members["manager"], secret=secret, approve=True)
    secret.refresh_from_db()
    assert secret.state == "designated" and secret.designated_at is not None

    actions.secret_amend(
        member=members["officer"], secret=secret, reason="客户追加保密要求", level="important"
    )
    actions.secret_declassify(
        member=members["officer"], secret=secret, reason="patented", note="已申请发明专利"
    )
    secret.refresh_from_db()
    assert secret.state == "declassified"

    kinds = list(secret.events.values_list("kind", flat=True))
    assert kinds == ["apply", "review", "approve", "amend", "declassify"]
    # Each record is deposited: its bytes hash to the deposit's digests.
    for event in secret.events.select_related("deposit"):
        digest = digest_bytes(event.record.encode())
        assert (event.deposit.sha256, event.deposit.sm3, event.deposit.kind) == (
            digest.sha256,
            digest.sm3,
            "record",
        )
        record = json.loads(event.record)
        assert record["format"] == "shangmi-register-record/1" and record["secret"] == secret.code
    amend = json.loads(secret.events.get(kind="amend").record)
    assert amend["data"]["changes"] == {"level": {"from": "core", "to": "important"}}
    verbs = set(AuditEvent.objects.filter(organisation=secret.organisation).values_list("verb", flat=True))
    assert {
        "registry.apply",
        "registry.review",
        "registry.approve",
        "registry.amend",
        "registry.declassify",
    } <= verbs


def test_codes_count_up_per_organisation(members, application, other_enterprise):
    first = application(members["employee"])
    second = application(members["officer"], category="business", subcategory="customers")
    assert second.code.endswith("-0002") and first.code.endswith("-0001")


def test_illegal_transitions_explain_and_change_nothing(members, application):
    secret = application(members["employee"])
    before = _snapshot(secret)
    with pytest.raises(actions.TransitionRefused, match="待审查"):
        actions.secret_approve(member=members["manager"], secret=secret, approve=True)
    with pytest.raises(actions.TransitionRefused):
        actions.secret_declassify(member=members["officer"], secret=secret, reason="published")
    with pytest.raises(PermissionDenied):
        actions.secret_review(
            member=members["employee"], secret=secret, decision="pass", searched="x", found="y"
        )
    with pytest.raises(ValidationError) as error:
        actions.secret_review(
            member=members["officer"], secret=secret, decision="pass", searched="", found=""
        )
    assert set(error.value.message_dict) == {"searched", "found"}
    assert _snapshot(secret) == before


def test_employee_cannot_approve_and_manager_cannot_declassify(members, application):
    secret = application(members["officer"])
    actions.secret_review(
        member=members["officer"], secret=secret, decision="pass", searched="专利库", found="无"
    )
    before = _snapshot(secret)
    with pytest.raises(PermissionDenied):
        actions.secret_approve(member=members["employee"], secret=secret, approve=True)
    with pytest.raises(PermissionDenied):
        actions.secret_approve(member=members["officer"], secret=secret, approve=True)
    assert _snapshot(secret) == before
    actions.secret_approve(member=members["manager"], secret=secret, approve=True)
    with pytest.raises(PermissionDenied):
        actions.secret_declassify(member=members["manager"], secret=secret, reason="published")


def test_rejection_by_a_reviewer_refuses_the_application(members, application):
    secret = application(members["employee"])
    with pytest.raises(ValidationError, match="理由"):
        actions.secret_review(
            member=members["officer"], secret=secret, decision="reject", searched="网络", found="已公开"
        )
    actions.secret_review(
        member=members["officer"],
        secret=secret,
        decision="reject",
        searched="百度、专利库",
        found="公开于论文",
        opinion="已公开",
    )
    secret.refresh_from_db()
    assert secret.state == "refused"


def test_designation_group_and_quorum(members, application):
    officer, manager, admin = members["officer"], members["manager"], members["admin"]
    actions.policy_update(
        member=officer,
        code_pattern="{ORG}-{CAT}-{YEAR}-{NNN}",
        reviewers=[manager.user, admin.user],
        reviews_required=2,
        reminder_days=15,
    )
    secret = application(members["employee"])
    assert "-JS-" in secret.code and secret.code.endswith("-001")
    with pytest.raises(PermissionDenied):  # the officer is not in the group any more
        actions.secret_review(member=officer, secret=secret, decision="pass", searched="a", found="b")
    actions.secret_review(member=manager, secret=secret, decision="pass", searched="a", found="b")
    secret.refresh_from_db()
    assert secret.state == "applied"  # one of two
    with pytest.raises(actions.TransitionRefused):
        actions.secret_review(member=manager, secret=secret, decision="pass", searched="a", found="b")
    actions.secret_review(member=admin, secret=secret, decision="pass", searched="a", found="b")
    secret.refresh_from_db()
    assert secret.state == "reviewed"


def test_bad_pattern_and_bad_application_are_named(members, application):
    with pytest.raises(ValidationError) as error:
        actions.policy_update(
            member=members["officer"],
            code_pattern="{ORG}-{X}",
            reviewers=[],
            reviews_required=1,
            reminder_days=30,
        )
    assert "code_pattern" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        application(
            members["employee"],
            name="",
            category="business",
            subcategory="process",
            level="secret",
            period_kind="date",
            period_until=timezone.localdate() - timedelta(days=1),
            points=[],
        )
    assert set(error.value.message_dict) == {"name", "subcategory", "level", "period_until", "points"}
    assert TradeSecret.objects.count() == 0 and SecretEvent.objects.count() == 0


def test_carriers_marking_and_destruction(members, application):
    officer = members["officer"]
    secret = application(officer)
    digest = digest_bytes(b"drawing v3")
    carrier = actions.carrier_add(
        member=officer,
        secret=secret,
        kind="drawing",
        name="压铸模具总装图",
        location="档案室 A-3",
        copies=2,
        sha256=digest.sha256,
        sm3=digest.sm3,
        size=digest.size,
        custodian=officer.user,
    )
    assert carrier.code == f"{secret.code}-C01" and carrier.marking == "unmarked"
    assert carrier.deposit.sha256 == digest.sha256 and carrier.deposit.kind == "file"
    with pytest.raises(ValidationError) as error:
        actions.carrier_add(
            member=officer, secret=secret, kind="sample", name="样品", sha256=digest.sha256, sm3="zz", size=1
        )
    assert {"sha256", "sm3"} <= set(error.value.message_dict)
    actions.carrier_mark(member=officer, carrier=carrier)
    with pytest.raises(actions.TransitionRefused):
        actions.carrier_mark(member=officer, carrier=carrier)
    with pytest.raises(ValidationError) as error:
        actions.carrier_destroy(
            member=officer,
            carrier=carrier,
            method="shred",
            witness="",
            destroyed_on=timezone.localdate() + timedelta(days=1),
        )
    assert set(error.value.message_dict) == {"witness", "destroyed_on"}
    actions.carrier_destroy(
        member=officer, carrier=carrier, method="shred", witness="李监销", destroyed_on=timezone.localdate()
    )
    carrier.refresh_from_db()
    assert carrier.state == "destroyed" and carrier.destroy_witness == "李监销"
    with pytest.raises(actions.TransitionRefused, match="已于"):
        actions.carrier_destroy(
            member=officer, carrier=carrier, method="shred", witness="李", destroyed_on=timezone.localdate()
        )
    assert list(secret.events.values_list("kind", flat=True)) == [
        "apply",
        "carrier_add",
        "carrier_mark",
        "carrier_destroy",
    ]


def test_grants_and_acknowledgement(members, application):
    officer, employee = members["officer"], members["employee"]
    secret = application(officer)
    grant = actions.grant_add(member=officer, secret=secret, user=employee.user, reason="负责压铸工艺调试")
    with pytest.raises(actions.TransitionRefused):
        actions.grant_add(member=officer, secret=secret, user=employee.user, reason="重复")
    with pytest.raises(ValidationError):
        actions.grant_add(
            member=officer, secret=secret, user=employee.user, position="工艺工程师", reason="二选一"
        )
    with pytest.raises(PermissionDenied):
        actions.grant_acknowledge(member=officer, grant=grant)
    actions.grant_acknowledge(member=employee, grant=grant)
    grant.refresh_from_db()
    assert grant.acknowledged_at is not None
    actions.grant_revoke(member=officer, grant=grant)
    grant.refresh_from_db()
    assert grant.revoked_at is not None
