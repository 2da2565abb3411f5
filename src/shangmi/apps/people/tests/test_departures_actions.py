"""The departure audit's actions: the checklist generated from grants, carriers and agreements, each
item's proof, the register grant revoked, closing refused while a mandatory item is open, and the closed
audit deposited."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.actions import departures as actions
from shangmi.apps.people.models import (
    Agreement,
    Departure,
    DepartureItem,
    Employee,
    NonCompeteTerms,
    PersonEvent,
)
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    DepartureState,
    EmployeeState,
    ItemKind,
    PersonEventKind,
)
from shangmi.apps.people.storage import read_document
from shangmi.apps.registry import actions as registry
from shangmi.apps.registry.actions.validation import TransitionRefused
from shangmi.apps.registry.models import AccessGrant, SecretEvent

pytestmark = pytest.mark.django_db

RESIGNED = date(2026, 11, 20)
LAST_DAY = date(2026, 12, 20)
EXCERPT = b"2026-11-01T09:00:00+08:00 zhang git clone firmware/valve\n"


def make_employee(org, user=None, *, number="E001", name="张三", **extra) -> Employee:
    fields = {"state": EmployeeState.EMPLOYED, "hired_on": date(2020, 3, 1), **extra}
    return Employee.objects.create(organisation=org, number=number, name=name, user=user, **fields)


def make_agreement(employee, kind, number, state=AgreementState.SIGNED) -> Agreement:
    return Agreement.objects.create(
        organisation=employee.organisation,
        kind=kind,
        number=number,
        employee=employee,
        state=state,
        template_version="test/1",
        signed_on=date(2020, 3, 1) if state == AgreementState.SIGNED else None,
    )


def make_secret(officer, name="恒温阀芯温控算法", description="PID 参数整定表的具体数值"):
    return registry.secret_apply(
        member=officer,
        points=[("PID 参数整定表", "分 6 段")],
        name=name,
        category="technical",
        subcategory="algorithm",
        description=description,
        level="core",
        period_kind="long_term",
        period_until=None,
        department="研发部",
        responsible=None,
    )


def make_leaver(members, **extra):
    """An employee (the enterprise's `employee` member) holding one carrier, one personal grant, a signed
    NDA and a signed non-compete (with terms); the officer's secret they know."""
    officer = members["officer"]
    org = officer.organisation
    user = members["employee"].user
    employee = make_employee(org, user, **extra)
    secret = make_secret(officer)
    carrier = registry.carrier_add(
        member=officer, secret=secret, kind="paper", name="PID 参数整定表（纸质）", custodian=user
    )
    grant = registry.grant_add(member=officer, secret=secret, user=user, reason="负责阀芯固件调试")
    nda = make_agreement(employee, AgreementKind.NDA, "NDA-001")
    non_compete = make_agreement(employee, AgreementKind.NON_COMPETE, "NC-001")
    NonCompeteTerms.objects.create(
        agreement=non_compete,
        scope="智能卫浴阀芯",
        region="中国大陆",
        months=12,
        monthly_compensation=Decimal("3000.00"),
    )
    return {
        "employee": employee,
        "secret": secret,
        "carrier": carrier,
        "grant": grant,
        "nda": nda,
        "non_compete": non_compete,
    }


def resign(members, employee, **overrides):
    fields = {"resignation_on": RESIGNED, "last_day": LAST_DAY, "reason": "个人发展"}
    fields.update(overrides)
    return actions.employee_resign(member=members["officer"], employee=employee, **fields)


def item_of(departure, kind) -> DepartureItem:
    return departure.items.get(kind=kind)


def excerpt(data: bytes = EXCERPT, name: str = "access-90d.log"):
    return SimpleUploadedFile(name, data, content_type="text/plain")


def complete_all(members, departure) -> None:
    """Complete every item the way an officer would."""
    officer = members["officer"]
    actions.letter_generate(member=officer, departure=departure)
    for item in departure.items.filter(done_at__isnull=True).order_by("position"):
        fields = {"outcome": "done", "note": ""}
        if item.kind == ItemKind.CARRIER:
            fields = {"outcome": "returned", "note": "已交回保密柜 B-2，周敏签收"}
        elif item.kind == ItemKind.INTERVIEW:
            fields["note"] = "已告知离职后的保密义务，本人确认未保留资料"
        elif item.kind == ItemKind.PLEDGE:
            fields["note"] = "纸质承诺书已签署，存人事档案"
        elif item.kind == ItemKind.LETTER:
            fields["note"] = "当面送达，本人签收"
        elif item.kind == ItemKind.NON_COMPETE:
            fields.update(decision="waive", note="岗位不涉及核心竞争业务")
        elif item.kind == ItemKind.ACCESS_REVIEW:
            fields.update(file=excerpt(), note="未见异常下载")
        elif item.kind == ItemKind.CUSTOMERS:
            fields["note"] = "华东区经销商 A、B 已电话通知"
        actions.item_complete(member=officer, item=item, **fields)


# --- the checklist --------------------------------------------------------------------------------


def test_resignation_opens_the_audit_with_a_checklist_from_grants_carriers_and_agreements(members):
    leaver = make_leaver(members, customer_facing=True)
    employee = leaver["employee"]
    # Not on the checklist: a revoked grant, another custodian's carrier, an unsigned agreement.
    other = make_secret(members["officer"], name="釉料配方")
    revoked = registry.grant_add(member=members["officer"], secret=other, user=employee.user, reason="临时")
    registry.grant_revoke(member=members["officer"], grant=revoked)
    registry.carrier_add(member=members["officer"], secret=other, kind="paper", name="工艺卡", custodian=None)
    make_agreement(employee, AgreementKind.CLEAN_HANDS, "CH-001", state=AgreementState.DRAFT)

    departure = resign(members, employee)

    employee.refresh_from_db()
    assert employee.state == EmployeeState.RESIGNING
    assert (employee.resignation_on, employee.last_day) == (RESIGNED, LAST_DAY)
    assert departure.state == DepartureState.OPEN and departure.reason == "个人发展"
    rows = [(i.kind, i.mandatory) for i in departure.items.order_by("position")]
    assert [k for k, _ in rows] == [
        "carrier",
        "grant",
        "accounts",
        "door",
        "interview",
        "pledge",
        "letter",
        "non_compete",
        "access_review",
        "customers",
        "agreement",
        "agreement",
    ]
    assert all(mandatory for _, mandatory in rows)
    assert item_of(departure, "carrier").carrier == leaver["carrier"]
    assert item_of(departure, "grant").grant == leaver["grant"]
    assert item_of(departure, "non_compete").agreement == leaver["non_compete"]
    assert {i.agreement.number for i in departure.items.filter(kind="agreement")} == {"NDA-001", "NC-001"}
    assert "90" in item_of(departure, "access_review").subject
    kinds = list(PersonEvent.objects.filter(employee=employee).values_list("kind", flat=True))
    assert kinds == [PersonEventKind.RESIGN, PersonEventKind.DEPARTURE_OPEN]
    opened = PersonEvent.objects.get(employee=employee, kind=PersonEventKind.DEPARTURE_OPEN)
    assert opened.deposit_id is not None
    assert len(json.loads(opened.record)["data"]["items"]) == 12


def test_an_employee_without_account_or_agreements_gets_the_fixed_items(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    kinds = list(departure.items.order_by("position").values_list("kind", flat=True))
    assert kinds == ["accounts", "door", "interview", "pledge", "letter", "access_review"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"last_day": RESIGNED - timedelta(days=1)}, "last_day"),
        ({"resignation_on": None}, "resignation_on"),
        ({"last_day": None}, "last_day"),
        ({"reason": "长" * 201}, "reason"),
    ],
)
def test_bad_resignation_names_the_field_and_writes_nothing(members, fields, field):
    employee = make_employee(members["officer"].organisation, None)
    with pytest.raises(ValidationError) as caught:
        resign(members, employee, **fields)
    assert field in caught.value.message_dict
    employee.refresh_from_db()
    assert employee.state == EmployeeState.EMPLOYED
    assert not Departure.objects.exists() and not PersonEvent.objects.exists()


def test_a_second_resignation_is_refused(members):
    employee = make_employee(members["officer"].organisation, None)
    resign(members, employee)
    with pytest.raises(TransitionRefused):
        resign(members, employee)
    assert Departure.objects.count() == 1
    employee.state = EmployeeState.LEFT
    employee.save(update_fields=["state"])
    with pytest.raises(TransitionRefused):
        resign(members, employee)


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_only_officer_and_admin_record_a_resignation(members, role):
    employee = make_employee(members["officer"].organisation, None)
    with pytest.raises(PermissionDenied):
        actions.employee_resign(
            member=members[role], employee=employee, resignation_on=RESIGNED, last_day=LAST_DAY
        )
    assert not Departure.objects.exists()
    actions.employee_resign(
        member=members["admin"], employee=employee, resignation_on=RESIGNED, last_day=LAST_DAY
    )


def test_another_organisations_officer_cannot_touch_the_employee(members, other_enterprise):
    from shangmi.apps.accounts.models import Membership

    org, people = other_enterprise
    stranger = Membership.objects.get(user=people["officer"], organisation=org)
    employee = make_employee(members["officer"].organisation, None)
    with pytest.raises(PermissionDenied):
        actions.employee_resign(
            member=stranger, employee=employee, resignation_on=RESIGNED, last_day=LAST_DAY
        )
    departure = resign(members, employee)
    with pytest.raises(PermissionDenied):
        actions.departure_close(member=stranger, departure=departure)
    with pytest.raises(PermissionDenied):
        actions.item_complete(member=stranger, item=item_of(departure, "door"), outcome="done")


# --- items ----------------------------------------------------------------------------------------


def test_the_grant_item_revokes_the_register_grant(members):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    item = actions.item_complete(member=members["officer"], item=item_of(departure, "grant"), outcome="done")
    grant = AccessGrant.objects.get(pk=leaver["grant"].pk)
    assert grant.revoked_at is not None
    assert SecretEvent.objects.filter(secret=leaver["secret"], kind="grant_revoke").count() == 1
    assert item.done_at is not None and item.done_by == members["officer"].user
    event = PersonEvent.objects.filter(kind=PersonEventKind.DEPARTURE_ITEM).get()
    assert json.loads(event.record)["data"]["revoked"] is True


def test_a_grant_revoked_meanwhile_in_the_register_is_simply_confirmed(members):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    registry.grant_revoke(member=members["officer"], grant=leaver["grant"])
    actions.item_complete(member=members["officer"], item=item_of(departure, "grant"), outcome="done")
    assert SecretEvent.objects.filter(kind="grant_revoke").count() == 1
    assert item_of(departure, "grant").is_done


@pytest.mark.parametrize(
    ("outcome", "note", "field"),
    [("done", "已归还", "outcome"), ("returned", "", "note"), ("deleted", "  ", "note")],
)
def test_a_carrier_needs_returned_or_deleted_and_a_confirmation(members, outcome, note, field):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    events = PersonEvent.objects.count()
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(
            member=members["officer"], item=item_of(departure, "carrier"), outcome=outcome, note=note
        )
    assert field in caught.value.message_dict
    assert not item_of(departure, "carrier").is_done and PersonEvent.objects.count() == events
    done = actions.item_complete(
        member=members["officer"], item=item_of(departure, "carrier"), outcome="deleted", note="U 盘已消磁"
    )
    assert (done.outcome, done.note) == ("deleted", "U 盘已消磁")


def test_the_access_review_requires_an_uploaded_excerpt_which_is_stored_and_deposited(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    item = item_of(departure, "access_review")
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item, outcome="done", note="无日志可用")
    assert "file" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item, outcome="not_applicable", note="无日志")
    assert "outcome" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:
        bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00binary", content_type="application/octet-stream")
        actions.item_complete(member=members["officer"], item=item, outcome="done", file=bad)
    assert "file" in caught.value.message_dict
    assert not item_of(departure, "access_review").is_done
    files_before = Deposit.objects.filter(kind="file").count()

    done = actions.item_complete(
        member=members["officer"], item=item, outcome="done", note="未见异常", file=excerpt()
    )
    assert done.file_name == "access-90d.log"
    assert read_document(departure.organisation_id, done.file_sha256) == EXCERPT
    assert done.file_deposit.sha256 == done.file_sha256 and done.file_deposit.kind == "file"
    assert Deposit.objects.filter(kind="file").count() == files_before + 1


def test_interview_notes_are_required_and_kept_on_the_audit(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item_of(departure, "interview"), outcome="done")
    assert "note" in caught.value.message_dict
    actions.item_complete(
        member=members["officer"], item=item_of(departure, "interview"), outcome="done", note="已告知义务"
    )
    departure.refresh_from_db()
    assert departure.interview_notes == "已告知义务"


def test_the_pledge_links_the_signed_departure_pledge(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    draft = make_agreement(employee, AgreementKind.DEPARTURE_PLEDGE, "DP-0", state=AgreementState.SENT)
    item = item_of(departure, "pledge")
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item, outcome="done", agreement=draft)
    assert "agreement" in caught.value.message_dict
    with pytest.raises(ValidationError) as caught:  # nothing linked and nothing said
        actions.item_complete(member=members["officer"], item=item, outcome="done")
    assert "note" in caught.value.message_dict
    pledge = make_agreement(employee, AgreementKind.DEPARTURE_PLEDGE, "DP-1")
    done = actions.item_complete(member=members["officer"], item=item, outcome="done")
    assert done.agreement == pledge  # the only signed one is linked by itself


def test_the_letter_item_needs_the_letter_generated_first(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    item = item_of(departure, "letter")
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item, outcome="done", note="当面送达")
    assert "outcome" in caught.value.message_dict
    data = actions.letter_generate(member=members["officer"], departure=departure)
    done = actions.item_complete(member=members["officer"], item=item, outcome="done", note="当面送达")
    import hashlib

    assert done.file_sha256 == hashlib.sha256(data).hexdigest()
    letter = PersonEvent.objects.get(kind=PersonEventKind.DEPARTURE_LETTER)
    assert json.loads(letter.record)["data"]["sha256"] == done.file_sha256


def test_the_non_compete_item_records_the_decision_on_the_agreement(members):
    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    item = item_of(departure, "non_compete")
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(member=members["officer"], item=item, outcome="done", note="理由")
    assert "decision" in caught.value.message_dict
    actions.item_complete(
        member=members["officer"], item=item, outcome="done", decision="enforce", note="核心岗位"
    )
    terms = NonCompeteTerms.objects.get(agreement=leaver["non_compete"])
    assert terms.decision == "enforce"
    assert terms.starts_on == LAST_DAY + timedelta(days=1)
    assert PersonEvent.objects.filter(kind=PersonEventKind.NON_COMPETE_DECISION).count() == 1


def test_a_non_compete_decided_elsewhere_is_confirmed_without_a_second_decision(members):
    from shangmi.apps.people.actions.non_compete import non_compete_decide

    leaver = make_leaver(members)
    departure = resign(members, leaver["employee"])
    non_compete_decide(
        member=members["officer"], agreement=leaver["non_compete"], decision="waive", reason="不涉密"
    )
    done = actions.item_complete(
        member=members["officer"], item=item_of(departure, "non_compete"), outcome="done"
    )
    assert done.is_done
    assert PersonEvent.objects.filter(kind=PersonEventKind.NON_COMPETE_DECISION).count() == 1
    record = json.loads(PersonEvent.objects.filter(kind=PersonEventKind.DEPARTURE_ITEM).get().record)
    assert record["data"]["decision"] == "waive"


def test_a_done_item_and_a_closed_audit_are_not_changed_again(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    door = item_of(departure, "door")
    actions.item_complete(member=members["officer"], item=door, outcome="done")
    with pytest.raises(TransitionRefused):
        actions.item_complete(member=members["officer"], item=door, outcome="done")
    with pytest.raises(ValidationError) as caught:
        actions.item_complete(
            member=members["officer"], item=item_of(departure, "accounts"), outcome="not_applicable"
        )
    assert "note" in caught.value.message_dict
    with pytest.raises(PermissionDenied):
        actions.item_complete(member=members["manager"], item=item_of(departure, "accounts"), outcome="done")


# --- closing --------------------------------------------------------------------------------------


def test_closing_is_refused_with_the_open_mandatory_items_and_changes_nothing(members):
    leaver = make_leaver(members)
    employee = leaver["employee"]
    departure = resign(members, employee)
    actions.item_complete(member=members["officer"], item=item_of(departure, "door"), outcome="done")
    events = PersonEvent.objects.count()
    deposits = Deposit.objects.count()
    with pytest.raises(TransitionRefused) as caught:
        actions.departure_close(member=members["officer"], departure=departure)
    message = " ".join(caught.value.messages)
    assert "还有 10 项" in message
    assert "载体归还或删除" in message and "近 90 天访问记录审查" in message
    assert "门禁权限注销" not in message
    departure.refresh_from_db()
    employee.refresh_from_db()
    assert departure.state == DepartureState.OPEN and departure.closed_at is None
    assert employee.state == EmployeeState.RESIGNING
    assert PersonEvent.objects.count() == events and Deposit.objects.count() == deposits


def test_closing_deposits_the_whole_audit_and_the_employee_has_left(members):
    leaver = make_leaver(members, customer_facing=True)
    employee = leaver["employee"]
    departure = resign(members, employee)
    complete_all(members, departure)
    with pytest.raises(PermissionDenied):
        actions.departure_close(member=members["manager"], departure=departure)

    closed = actions.departure_close(member=members["officer"], departure=departure)

    employee.refresh_from_db()
    assert employee.state == EmployeeState.LEFT
    assert closed.state == DepartureState.CLOSED and closed.closed_by == members["officer"].user
    event = PersonEvent.objects.get(employee=employee, kind=PersonEventKind.DEPARTURE_CLOSE)
    record = json.loads(event.record)
    assert record["employee"] == "张三（E001）"
    items = record["data"]["items"]
    assert len(items) == 12 and all(i["done_at"] for i in items)
    review = next(i for i in items if i["kind"] == "access_review")
    assert len(review["file_sha256"]) == 64
    from shangmi.engines.tlog.material import digest_bytes

    assert event.deposit.sha256 == digest_bytes(event.record.encode()).sha256
    assert PersonEvent.objects.filter(employee=employee, kind=PersonEventKind.LEAVE).count() == 1
    assert AccessGrant.objects.get(pk=leaver["grant"].pk).revoked_at is not None
    with pytest.raises(TransitionRefused):
        actions.departure_close(member=members["officer"], departure=closed)


def test_optional_items_do_not_block_closing(members):
    employee = make_employee(members["officer"].organisation, None)
    departure = resign(members, employee)
    complete_all(members, departure)
    extra = DepartureItem.objects.create(
        departure=departure, kind=ItemKind.AGREEMENT, mandatory=False, position=99
    )
    actions.departure_close(member=members["officer"], departure=departure)
    extra.refresh_from_db()
    assert extra.done_at is None
    assert timezone.now() >= Departure.objects.get(pk=departure.pk).closed_at
