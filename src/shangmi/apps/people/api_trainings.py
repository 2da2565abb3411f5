"""API of the people side: trainings (list, create, detail, update, attendance, coverage), a person's
timeline with each record and its receipt, and the person's dossier ZIP.

Path objects go through queries.access_* (missing and foreign are both 404); writes call the actions,
which check the role (403) and the input (422 naming the field) and write nothing on refusal. Bodies are
read only after the path object was found."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from shangmi.api.pagination import paged
from shangmi.apps.evidence.log_service import receipt_for
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people import permissions
from shangmi.apps.people.actions import trainings as actions
from shangmi.apps.people.queries import (
    access_employee,
    access_person_event,
    access_training,
    employees_visible_to,
    timeline_of,
    trainings_visible_to,
)
from shangmi.apps.people.views.dossier import dossier_response
from shangmi.apps.registry.api_schemas import body_doc, read_body

router = Router(tags=["people"])


def _member(request):
    return getattr(request, "membership", None)


# ---- schemas ---------------------------------------------------------------------------------------


class TrainingIn(Schema):
    topic: str = Field("", max_length=1000)
    held_on: date | None = None
    trainer: str = Field("", max_length=1000)
    hours: Decimal | None = Field(None, description="学时，默认 1")
    materials: str = ""
    pass_mark: int | None = Field(None, description="及格分 0–100；不填表示无测验")


class TrainingOut(Schema):
    id: int
    topic: str
    held_on: date
    trainer: str
    hours: Decimal
    materials: str
    material_name: str
    material_sha256: str
    pass_mark: int | None
    attended: int


class AttendanceIn(Schema):
    employee_ids: list[int] = Field(default_factory=list, max_length=10000)
    score: int | None = Field(None, description="测验成绩 0–100，对所列人员统一登记")


class AttendanceOut(Schema):
    id: int
    employee_id: int
    employee_number: str
    employee_name: str
    score: int | None
    passed: bool | None
    recorded_at: datetime


class TrainingDetailOut(TrainingOut):
    attendances: list[AttendanceOut]


class PersonOut(Schema):
    id: int
    number: str
    name: str


class CoverageOut(Schema):
    today: date
    since: date
    numerator: int
    denominator: int
    percent: float | None
    untrained: list[PersonOut]


class PersonEventOut(Schema):
    id: int
    kind: str
    kind_label: str
    summary: str
    actor: str
    at: datetime
    record_sha256: str
    deposit_state: str
    record_url: str
    receipt_url: str | None


def _training_out(training, attended: int | None = None) -> dict:
    return {
        "id": training.pk,
        "topic": training.topic,
        "held_on": training.held_on,
        "trainer": training.trainer,
        "hours": training.hours,
        "materials": training.materials,
        "material_name": training.material_name,
        "material_sha256": training.material_sha256,
        "pass_mark": training.pass_mark,
        "attended": training.attendances.count() if attended is None else attended,
    }


def _attendance_out(a) -> dict:
    return {
        "id": a.pk,
        "employee_id": a.employee_id,
        "employee_number": a.employee.number,
        "employee_name": a.employee.name,
        "score": a.score,
        "passed": a.passed,
        "recorded_at": a.recorded_at,
    }


# ---- trainings -------------------------------------------------------------------------------------


@router.get("/trainings", response=list[TrainingOut], url_name="people_trainings", summary="保密培训列表")
@paged
def training_list(request):
    from django.db.models import Count

    rows = trainings_visible_to(_member(request)).annotate(n=Count("attendances")).order_by("-held_on", "-id")
    return [_training_out(t, t.n) for t in rows]


@router.post(
    "/trainings",
    response={201: TrainingOut},
    openapi_extra=body_doc(TrainingIn),
    url_name="people_training_create",
    summary="登记培训",
)
def training_create(request):
    member = _member(request)
    if not permissions.can_manage(member):
        raise PermissionDenied
    body = read_body(request, TrainingIn)
    training = actions.training_add(member=member, request=request, **body.model_dump())
    return Status(201, _training_out(training, 0))


@router.get(
    "/trainings/coverage",
    response=CoverageOut,
    url_name="people_training_coverage",
    summary="涉密人员近 12 个月培训覆盖率",
)
def training_coverage(request):
    member = _member(request)
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    today = timezone.localdate()
    result = actions.coverage(member.organisation_id, today)
    return {
        "today": today,
        "since": result.since,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "percent": result.percent,
        "untrained": [{"id": e.pk, "number": e.number, "name": e.name} for e in result.untrained],
    }


@router.get(
    "/trainings/{training_id}",
    response=TrainingDetailOut,
    url_name="people_training_detail",
    summary="培训详情与签到",
)
def training_detail(request, training_id: int):
    member = _member(request)
    training = access_training(member, training_id)
    attendances = training.attendances.select_related("employee", "training")
    if not permissions.reads_everyone(member):
        attendances = attendances.filter(employee__user_id=member.user_id)
    rows = [_attendance_out(a) for a in attendances]
    return {**_training_out(training), "attendances": rows}


@router.put(
    "/trainings/{training_id}",
    response=TrainingOut,
    openapi_extra=body_doc(TrainingIn),
    url_name="people_training_update",
    summary="修改培训",
)
def training_update(request, training_id: int):
    member = _member(request)
    training = access_training(member, training_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    body = read_body(request, TrainingIn)
    training = actions.training_update(member=member, training=training, request=request, **body.model_dump())
    return _training_out(training)


@router.post(
    "/trainings/{training_id}/attendance",
    response={201: list[AttendanceOut]},
    openapi_extra=body_doc(AttendanceIn),
    url_name="people_training_attendance",
    summary="登记培训签到（可附测验成绩）",
)
def training_attendance(request, training_id: int):
    member = _member(request)
    training = access_training(member, training_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    body = read_body(request, AttendanceIn)
    wanted = list(dict.fromkeys(body.employee_ids))
    found = {e.pk: e for e in employees_visible_to(member).filter(pk__in=wanted)}
    unknown = [str(pk) for pk in wanted if pk not in found]
    if unknown:
        raise ValidationError({"employee_ids": [_("没有这些员工：%(ids)s") % {"ids": ", ".join(unknown)}]})
    done = actions.attendance_record_many(
        member=member,
        training=training,
        employees=[found[pk] for pk in wanted],
        score=body.score,
        request=request,
    )
    return Status(201, [_attendance_out(a) for a in done])


# ---- the person's timeline, records and dossier -----------------------------------------------------


def _event_out(event) -> dict:
    included = event.deposit is not None and event.deposit.state == Deposit.State.INCLUDED
    base = f"/api/v1/people/events/{event.pk}"
    return {
        "id": event.pk,
        "kind": event.kind,
        "kind_label": str(event.get_kind_display()),
        "summary": event.summary,
        "actor": event.actor_label,
        "at": event.at,
        "record_sha256": event.deposit.sha256 if event.deposit_id else "",
        "deposit_state": event.deposit.state if event.deposit_id else "",
        "record_url": f"{base}/record",
        "receipt_url": f"{base}/receipt" if included else None,
    }


@router.get(
    "/employees/{employee_id}/timeline",
    response=list[PersonEventOut],
    url_name="people_employee_timeline",
    summary="人员时间线（每条记录的规范文本与回执地址）",
)
@paged
def employee_timeline(request, employee_id: int):
    person = access_employee(_member(request), employee_id)
    return [_event_out(e) for e in timeline_of(person)]


@router.get(
    "/events/{person_event_id}/record",
    url_name="people_event_record",
    summary="人员记录的规范文本（其 SHA-256 即存证摘要）",
)
def event_record(request, person_event_id: int):
    event = access_person_event(_member(request), person_event_id)
    response = HttpResponse(event.record.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="people-record-{event.pk}.json"'
    return response


@router.get(
    "/events/{person_event_id}/receipt",
    url_name="people_event_receipt",
    summary="人员记录的存证回执（入链后可取；之前为 409）",
)
def event_receipt(request, person_event_id: int):
    event = access_person_event(_member(request), person_event_id)
    if event.deposit is None or event.deposit.state != Deposit.State.INCLUDED:
        raise HttpError(409, _("尚未入链，请稍后再取回执"))
    response = HttpResponse(receipt_for(event.deposit).to_text(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="people-record-{event.pk}.receipt"'
    return response


@router.get(
    "/employees/{employee_id}/dossier",
    url_name="people_employee_dossier",
    summary="人员保密档案 ZIP（DOCX 摘要、签署文件、记录与回执、SHA-256 清单）",
)
def employee_dossier(request, employee_id: int):
    return dossier_response(_member(request), employee_id)
