"""Trainings (保密培训): sessions with their materials (an uploaded file is kept by its SHA-256 and its
digests deposited), attendance with an optional quiz score against the session's pass mark (each
attendance goes on the person's timeline), and coverage: the share of entrusted people trained in the
last twelve months."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.records import person_label, record_person_event
from shangmi.apps.people.models import Attendance, Employee, Training
from shangmi.apps.people.models.choices import EmployeeState, PersonEventKind, Sensitivity
from shangmi.apps.people.storage import document_kind, safe_name, store_document
from shangmi.apps.registry.actions.validation import raise_if, require

# People whose training counts towards coverage: everyone not yet gone.
CURRENT_STATES = (EmployeeState.ONBOARDING, EmployeeState.EMPLOYED, EmployeeState.RESIGNING)
MAX_HOURS = Decimal("999.9")


# ---- sessions -------------------------------------------------------------------------------------


def _clean_training(fields: dict[str, Any], errors: dict) -> dict[str, Any]:
    out: dict[str, Any] = {}
    topic = str(fields.get("topic") or "").strip()
    if not topic:
        errors["topic"] = [_("请填写培训主题")]
    elif len(topic) > 200:
        errors["topic"] = [_("培训主题最长 200 字")]
    out["topic"] = topic
    held_on = fields.get("held_on")
    if not isinstance(held_on, date):
        errors["held_on"] = [_("请填写培训日期")]
    out["held_on"] = held_on
    trainer = str(fields.get("trainer") or "").strip()
    if not trainer:
        errors["trainer"] = [_("请填写培训人")]
    elif len(trainer) > 64:
        errors["trainer"] = [_("培训人最长 64 字")]
    out["trainer"] = trainer
    raw_hours = fields.get("hours")
    hours = None
    if raw_hours in (None, ""):
        hours = Decimal("1")
    else:
        try:
            hours = Decimal(str(raw_hours))
        except InvalidOperation:
            hours = None
        if hours is None or not hours.is_finite() or not Decimal("0.1") <= hours <= MAX_HOURS:
            errors["hours"] = [_("学时应为 0.1 至 999.9 之间的数字")]
            hours = None
        else:
            hours = hours.quantize(Decimal("0.1"))
    out["hours"] = hours
    out["materials"] = str(fields.get("materials") or "").strip()
    pass_mark = fields.get("pass_mark")
    if pass_mark in (None, ""):
        pass_mark = None
    elif type(pass_mark) is not int or not 0 <= pass_mark <= 100:
        errors["pass_mark"] = [_("及格分应为 0 至 100 的整数")]
        pass_mark = None
    out["pass_mark"] = pass_mark
    return out


def _store_material(member, training: Training, name: str, data: bytes, request) -> None:
    """Keep the file and deposit its digests; the training then names it."""
    digest = store_document(member.organisation_id, name, data)
    deposit_create(
        organisation=member.organisation,
        actor=member.user,
        kind="file",
        sha256=digest.sha256,
        sm3=digest.sm3,
        size=digest.size,
        label=f"training {training.pk} material",
        meta={"training": training.pk, "file": safe_name(name)},
        request=request,
    )
    training.material_name = safe_name(name)
    training.material_sha256 = digest.sha256


def _check_material(name: str, data: bytes | None, errors: dict) -> None:
    if data is None:
        return
    try:
        document_kind(name, data)
    except ValidationError as error:
        errors["material"] = error.message_dict.get("file", error.messages)


def _snapshot(training: Training) -> dict[str, Any]:
    return {
        "topic": training.topic,
        "held_on": training.held_on,
        "trainer": training.trainer,
        "hours": training.hours,
        "pass_mark": training.pass_mark,
        "material": training.material_name,
        "material_sha256": training.material_sha256,
    }


@transaction.atomic
def training_add(
    *,
    member,
    material_name: str = "",
    material_data: bytes | None = None,
    request=None,
    **fields,
) -> Training:
    """Register a session. `material_data` (with its file name) is stored and deposited."""
    require(permissions.can_manage(member))
    errors: dict = {}
    values = _clean_training(fields, errors)
    _check_material(material_name, material_data, errors)
    raise_if(errors)
    training = Training.objects.create(organisation=member.organisation, created_by=member.user, **values)
    if material_data is not None:
        _store_material(member, training, material_name, material_data, request)
        training.save(update_fields=["material_name", "material_sha256"])
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.training_add",
        obj=training,
        changes=_snapshot(training),
        request=request,
    )
    return training


@transaction.atomic
def training_update(
    *,
    member,
    training: Training,
    material_name: str = "",
    material_data: bytes | None = None,
    request=None,
    **fields,
) -> Training:
    """Change a session's fields; a new material file replaces the old one (both stay deposited).
    The pass mark cannot change once scores are recorded: who passed is part of the timeline."""
    require(permissions.can_manage(member) and training.organisation_id == member.organisation_id)
    errors: dict = {}
    values = _clean_training(fields, errors)
    _check_material(material_name, material_data, errors)
    if (
        "pass_mark" not in errors
        and values["pass_mark"] != training.pass_mark
        and training.attendances.filter(score__isnull=False).exists()
    ):
        errors["pass_mark"] = [_("已登记测验成绩，不能再修改及格分")]
    raise_if(errors)
    before = _snapshot(training)
    for name, value in values.items():
        setattr(training, name, value)
    update = list(values)
    if material_data is not None:
        _store_material(member, training, material_name, material_data, request)
        update += ["material_name", "material_sha256"]
    training.save(update_fields=update)
    after = _snapshot(training)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="people.training_update",
        obj=training,
        changes={k: [before[k], v] for k, v in after.items() if before[k] != v},
        request=request,
    )
    return training


# ---- attendance -----------------------------------------------------------------------------------


def _clean_score(score: Any, errors: dict) -> int | None:
    if score in (None, ""):
        return None
    if type(score) is not int or not 0 <= score <= 100:
        errors["score"] = [_("测验成绩应为 0 至 100 的整数")]
        return None
    return score


def _attendance_data(attendance: Attendance) -> dict[str, Any]:
    training = attendance.training
    return {
        "training": training.pk,
        "topic": training.topic,
        "held_on": training.held_on,
        "trainer": training.trainer,
        "hours": training.hours,
        "material_sha256": training.material_sha256,
        "score": attendance.score,
        "pass_mark": training.pass_mark,
        "passed": attendance.passed,
    }


def _summary(attendance: Attendance) -> str:
    training = attendance.training
    text = f"{training.held_on} {training.topic}"
    if attendance.passed is not None:
        verdict = _("合格") if attendance.passed else _("不合格")
        text += f" · {attendance.score} / {training.pass_mark} {verdict}"
    elif attendance.score is not None:
        text += f" · {attendance.score}"
    return text


@transaction.atomic
def attendance_record_many(
    *, member, training: Training, employees: list[Employee], score: Any = None, request=None
) -> list[Attendance]:
    """Record that each of `employees` attended, with the same (optional) score. All or nothing:
    someone of another organisation, someone who has left, or someone already recorded refuses the
    whole batch, naming them."""
    require(permissions.can_manage(member) and training.organisation_id == member.organisation_id)
    errors: dict = {}
    score = _clean_score(score, errors)
    if not employees:
        errors["employees"] = [_("请选择参加培训的人员")]
    problems = []
    seen: set[int] = set()
    for employee in employees:
        if employee.organisation_id != member.organisation_id:
            problems.append(_("%(who)s 不是本单位员工") % {"who": person_label(employee)})
        elif employee.pk in seen or training.attendances.filter(employee=employee).exists():
            problems.append(_("%(who)s 已登记参加本次培训") % {"who": person_label(employee)})
        elif employee.state == EmployeeState.LEFT:
            problems.append(_("%(who)s 已离职") % {"who": person_label(employee)})
        elif employee.hired_on and training.held_on < employee.hired_on:
            problems.append(_("%(who)s 入职日期晚于培训日期") % {"who": person_label(employee)})
        seen.add(employee.pk)
    if problems:
        errors["employees"] = problems
    raise_if(errors)
    done = []
    for employee in employees:
        attendance = Attendance.objects.create(training=training, employee=employee, score=score)
        record_person_event(
            member=member,
            organisation=member.organisation,
            kind=PersonEventKind.TRAINING,
            employee=employee,
            data=_attendance_data(attendance),
            summary=_summary(attendance),
            request=request,
            audit_obj=attendance,
        )
        done.append(attendance)
    return done


def attendance_record(
    *, member, training: Training, employee: Employee, score: Any = None, request=None
) -> Attendance:
    """One person attended (one row per person per training); the timeline gets a TRAINING record."""
    [attendance] = attendance_record_many(
        member=member, training=training, employees=[employee], score=score, request=request
    )
    return attendance


@transaction.atomic
def attendance_remove(*, member, attendance: Attendance, reason: str, request=None) -> None:
    """Correct a mistaken attendance. The deposited record stays; the timeline gets a correction."""
    require(permissions.can_manage(member) and attendance.employee.organisation_id == member.organisation_id)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请说明撤销原因")]})
    if len(reason) > 200:
        raise ValidationError({"reason": [_("撤销原因最长 200 字")]})
    data = {**_attendance_data(attendance), "removed": True, "reason": reason}
    training = attendance.training
    record_person_event(
        member=member,
        organisation=member.organisation,
        kind=PersonEventKind.CHANGE,
        employee=attendance.employee,
        data=data,
        summary=_("撤销培训签到：%(topic)s（%(reason)s）") % {"topic": training.topic, "reason": reason},
        request=request,
        audit_obj=attendance,
    )
    attendance.delete()


# ---- coverage -------------------------------------------------------------------------------------


def year_before(today: date) -> date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


def entrusted_people(organisation_id: int):
    """Current entrusted people (涉密人员): key personnel or holding a sensitive position."""
    return (
        Employee.objects.filter(organisation_id=organisation_id, state__in=CURRENT_STATES)
        .filter(
            Q(is_key_person=True) | (Q(position__isnull=False) & ~Q(position__sensitivity=Sensitivity.NONE))
        )
        .select_related("department", "position")
        .order_by("number")
    )


def counting_attendances(today: date):
    """Attendances that count as trained on `today`: a session in the last twelve months (up to today),
    passed when it had a quiz."""
    return Attendance.objects.filter(
        training__held_on__gt=year_before(today), training__held_on__lte=today
    ).filter(Q(training__pass_mark__isnull=True) | Q(score__gte=F("training__pass_mark")))


@dataclass
class Coverage:
    numerator: int
    denominator: int
    since: date
    untrained: list[Employee] = field(default_factory=list)

    @property
    def percent(self) -> float | None:
        if not self.denominator:
            return None
        return round(100 * self.numerator / self.denominator, 1)


def coverage(organisation_id: int, today: date) -> Coverage:
    """Entrusted people trained in the twelve months up to `today` (two queries)."""
    people = list(entrusted_people(organisation_id))
    trained = set(
        counting_attendances(today)
        .filter(employee_id__in=[p.pk for p in people])
        .values_list("employee_id", flat=True)
    )
    untrained = [p for p in people if p.pk not in trained]
    return Coverage(
        numerator=len(people) - len(untrained),
        denominator=len(people),
        since=year_before(today) + timedelta(days=1),
        untrained=untrained,
    )
