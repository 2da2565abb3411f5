"""Training actions: sessions with a deposited material file, attendance with the quiz pass mark, each
attendance on the person's timeline, refusals that write nothing, and the coverage figure on a known set."""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.actions import trainings as actions
from shangmi.apps.people.models import Attendance, Employee, PersonEvent, Position, Training
from shangmi.apps.people.storage import read_document
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 15)
PDF = b"%PDF-1.4 training slides"


def _person(org, number, *, key=False, position=None, state="employed", hired_on=date(2024, 1, 1)):
    return Employee.objects.create(
        organisation=org,
        number=number,
        name=f"员工{number}",
        is_key_person=key,
        position=position,
        state=state,
        hired_on=hired_on,
    )


def _training(member, held_on=date(2026, 3, 1), **extra):
    fields = {"topic": "商业秘密保护基础", "held_on": held_on, "trainer": "王老师", "hours": "2"}
    fields.update(extra)
    return actions.training_add(member=member, **fields)


def _counts():
    return (
        Training.objects.count(),
        Attendance.objects.count(),
        PersonEvent.objects.count(),
        Deposit.objects.count(),
    )


def test_training_add_stores_and_deposits_the_material(members):
    officer = members["officer"]
    training = _training(
        officer, pass_mark=60, materials="第一讲 何为商业秘密", material_name="课件.pdf", material_data=PDF
    )
    assert (training.topic, training.trainer, training.hours, training.pass_mark) == (
        "商业秘密保护基础",
        "王老师",
        Decimal("2.0"),
        60,
    )
    assert training.material_name == "课件.pdf"
    digest = digest_bytes(PDF)
    assert training.material_sha256 == digest.sha256
    assert read_document(officer.organisation_id, digest.sha256) == PDF
    deposit = Deposit.objects.get(kind="file", sha256=digest.sha256)
    assert (deposit.sm3, deposit.size, deposit.organisation_id) == (
        digest.sm3,
        len(PDF),
        officer.organisation_id,
    )


def test_training_add_refuses_bad_input_naming_fields_and_writes_nothing(members):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        actions.training_add(
            member=members["officer"],
            topic=" ",
            held_on=None,
            trainer="",
            hours="abc",
            pass_mark=101,
            material_name="x.exe",
            material_data=b"MZ\x90\x00",
        )
    assert set(caught.value.message_dict) == {"topic", "held_on", "trainer", "hours", "pass_mark", "material"}
    assert _counts() == before


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_only_officers_and_admins_register_trainings(members, role):
    before = _counts()
    with pytest.raises(PermissionDenied):
        _training(members[role])
    assert _counts() == before


def test_attendance_with_quiz_records_passed_and_timeline(members, enterprise):
    org, _people = enterprise
    officer = members["officer"]
    training = _training(officer, pass_mark=60)
    ok, low, none = _person(org, "E1"), _person(org, "E2"), _person(org, "E3")
    a1 = actions.attendance_record(member=officer, training=training, employee=ok, score=60)
    a2 = actions.attendance_record(member=officer, training=training, employee=low, score=59)
    a3 = actions.attendance_record(member=officer, training=training, employee=none)
    assert (a1.passed, a2.passed, a3.passed) == (True, False, False)
    event = PersonEvent.objects.get(employee=ok, kind="training")
    record = json.loads(event.record)
    assert record["event"] == "training" and record["employee"] == "员工E1（E1）"
    assert (
        record["data"]["score"] == 60
        and record["data"]["pass_mark"] == 60
        and record["data"]["passed"] is True
    )
    assert record["data"]["topic"] == "商业秘密保护基础"
    assert event.deposit.sha256 == digest_bytes(event.record.encode()).sha256
    assert "60 / 60 合格" in event.summary
    assert "59 / 60 不合格" in PersonEvent.objects.get(employee=low).summary


def test_attendance_without_quiz_has_no_verdict(members, enterprise):
    org, _people = enterprise
    training = _training(members["officer"])
    attendance = actions.attendance_record(
        member=members["officer"], training=training, employee=_person(org, "E1")
    )
    assert attendance.passed is None


def test_attendance_refusals_write_nothing(members, enterprise, other_enterprise):
    org, _people = enterprise
    other_org, _ = other_enterprise
    officer = members["officer"]
    training = _training(officer)
    first = _person(org, "E1")
    actions.attendance_record(member=officer, training=training, employee=first)
    before = _counts()
    cases = [
        ([first], None, "employees"),  # already recorded
        ([_person(org, "E2", state="left")], None, "employees"),
        ([_person(other_org, "X1")], None, "employees"),
        ([_person(org, "E3", hired_on=date(2026, 4, 1))], None, "employees"),  # hired after the session
        ([_person(org, "E4")], 101, "score"),
        ([], None, "employees"),
    ]
    for employees, score, field in cases:
        with pytest.raises(ValidationError) as caught:
            actions.attendance_record_many(
                member=officer, training=training, employees=employees, score=score
            )
        assert field in caught.value.message_dict
    # A batch with one bad person records no one.
    good = _person(org, "E5")
    with pytest.raises(ValidationError):
        actions.attendance_record_many(member=officer, training=training, employees=[good, first])
    assert _counts() == before
    with pytest.raises(PermissionDenied):
        actions.attendance_record(member=members["manager"], training=training, employee=good)
    assert _counts() == before


def test_pass_mark_is_fixed_once_scores_exist(members, enterprise):
    org, _people = enterprise
    officer = members["officer"]
    training = _training(officer, pass_mark=60)
    actions.attendance_record(member=officer, training=training, employee=_person(org, "E1"), score=70)
    fields = {"topic": "新主题", "held_on": training.held_on, "trainer": "李老师", "hours": 3}
    with pytest.raises(ValidationError) as caught:
        actions.training_update(member=officer, training=training, pass_mark=80, **fields)
    assert list(caught.value.message_dict) == ["pass_mark"]
    training.refresh_from_db()
    assert (training.topic, training.pass_mark) == ("商业秘密保护基础", 60)
    actions.training_update(member=officer, training=training, pass_mark=60, **fields)
    training.refresh_from_db()
    assert (training.topic, training.trainer, training.hours) == ("新主题", "李老师", Decimal("3.0"))


def test_attendance_remove_leaves_a_correction_on_the_timeline(members, enterprise):
    org, _people = enterprise
    officer = members["officer"]
    person = _person(org, "E1")
    attendance = actions.attendance_record(member=officer, training=_training(officer), employee=person)
    with pytest.raises(ValidationError):
        actions.attendance_remove(member=officer, attendance=attendance, reason=" ")
    assert Attendance.objects.filter(pk=attendance.pk).exists()
    actions.attendance_remove(member=officer, attendance=attendance, reason="误登记")
    assert not Attendance.objects.filter(pk=attendance.pk).exists()
    kinds = list(PersonEvent.objects.filter(employee=person).values_list("kind", flat=True))
    assert kinds == ["training", "change"]
    assert json.loads(PersonEvent.objects.get(kind="change").record)["data"]["reason"] == "误登记"


def test_coverage_on_a_known_set(members, enterprise, other_enterprise):
    org, _people = enterprise
    officer = members["officer"]
    core = Position.objects.create(organisation=org, name="研发工程师", sensitivity="core")
    plain = Position.objects.create(organisation=org, name="前台", sensitivity="none")
    trained = _person(org, "A1", key=True)  # no-quiz session within 12 months → trained
    passed = _person(org, "A2", position=core)  # quiz passed → trained
    failed = _person(org, "A3", position=core)  # quiz failed → untrained
    stale = _person(org, "A4", key=True)  # only a session 13 months ago → untrained
    onboarding = _person(org, "A5", position=core, state="onboarding", hired_on=date(2026, 6, 1))  # untrained
    resigning = _person(org, "A6", key=True, state="resigning")  # trained
    _person(org, "B1", key=True, state="left")  # gone: not counted
    _person(org, "B2", position=plain)  # not entrusted: not counted
    _person(org, "B3")  # not entrusted
    other_org, _ = other_enterprise
    _person(other_org, "C1", key=True)  # another enterprise
    recent = _training(officer, held_on=date(2026, 1, 10))
    quiz = _training(officer, held_on=date(2025, 12, 1), pass_mark=80)
    old = _training(officer, held_on=date(2025, 5, 14))
    future = _training(officer, held_on=TODAY + timedelta(days=3))
    for person in (trained, resigning):
        actions.attendance_record(member=officer, training=recent, employee=person)
    actions.attendance_record(member=officer, training=quiz, employee=passed, score=80)
    actions.attendance_record(member=officer, training=quiz, employee=failed, score=79)
    actions.attendance_record(member=officer, training=old, employee=stale)
    actions.attendance_record(member=officer, training=future, employee=stale)  # not yet held on TODAY

    result = actions.coverage(org.pk, TODAY)
    assert (result.numerator, result.denominator, result.percent) == (3, 6, 50.0)
    assert [p.number for p in result.untrained] == ["A3", "A4", "A5"]
    assert result.since == date(2025, 6, 16)
    # A session held on the same day a year earlier no longer counts; a day later it still does.
    assert actions.coverage(org.pk, date(2026, 5, 14)).numerator == 3
    assert actions.coverage(org.pk, date(2026, 5, 13)).numerator == 4
    assert onboarding.pk in [p.pk for p in result.untrained]
    assert actions.coverage(other_org.pk, TODAY).percent == 0.0
    assert actions.coverage(org.pk + 1000, TODAY).percent is None
