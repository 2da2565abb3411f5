"""API of monitoring under /api/v1/monitoring: alerts (list with filters, detail, triage), log sources
(list, create, upload a file), scoring runs (list, start) and the summary by severity.

Path objects go through queries.access_* (missing and foreign are both 404); writes call the actions,
which check the role (403) and the input (422 naming the field) and write nothing on refusal."""

from datetime import date, datetime
from typing import Literal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from ninja import Field, Query, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.monitoring import actions, permissions
from shangmi.apps.monitoring.models import AlertState
from shangmi.apps.monitoring.queries import (
    access_alert,
    access_source,
    alerts_of,
    runs_of,
    sources_of,
    uploads_of,
)
from shangmi.apps.registry.api_schemas import body_doc, read_body

router = Router(tags=["monitoring"])


def _member(request):
    return getattr(request, "membership", None)


def _reader(request):
    member = _member(request)
    if not permissions.can_read(member):
        raise PermissionDenied
    return member


class AlertOut(Schema):
    id: int
    user_key: str
    person: str
    employee_id: int | None
    score: float
    severity: str
    window_start: date
    window_end: date
    last_day: date | None
    state: str
    assignee: str | None
    created_at: datetime
    updated_at: datetime


class AlertDetailOut(AlertOut):
    explanation: dict
    notes: list[dict]


class AlertFilters(Schema):
    severity: Literal["low", "medium", "high", "critical"] | None = None
    state: Literal["open", "assigned", "escalated", "dismissed"] | None = None
    user: str | None = Field(None, max_length=100)


class TriageIn(Schema):
    action: Literal["assign", "dismiss", "escalate", "reopen"]
    assignee_id: int | None = None
    reason: str = Field("", max_length=1000, description="排除时必填")


class SourceIn(Schema):
    name: str = Field(..., max_length=100)
    kind: Literal["upload", "folder"]
    preset: Literal["cert-r6", "dlp", "jsonl"]
    folder: str = Field("", max_length=500)


class SourceOut(Schema):
    id: int
    name: str
    kind: str
    preset: str
    folder: str
    enabled: bool
    last_checked_at: datetime | None
    last_error: str


class UploadOut(Schema):
    id: int
    source_id: int
    name: str
    sha256: str
    size: int
    state: str
    report: dict
    error: str
    created_at: datetime


class RunOut(Schema):
    id: int
    state: str
    created_at: datetime
    finished_at: datetime | None
    users: int
    events: int
    alerts: int
    error: str


class SummaryOut(Schema):
    by_severity: dict[str, int]
    by_state: dict[str, int]


def _alert_out(a) -> dict:
    return {
        "id": a.pk,
        "user_key": a.user_key,
        "person": a.person_label,
        "employee_id": a.employee_id,
        "score": a.score,
        "severity": a.severity,
        "window_start": a.window_start,
        "window_end": a.window_end,
        "last_day": a.last_day,
        "state": a.state,
        "assignee": a.assignee.name if a.assignee_id else None,
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def _source_out(s) -> dict:
    return {
        "id": s.pk,
        "name": s.name,
        "kind": s.kind,
        "preset": s.preset,
        "folder": s.folder,
        "enabled": s.enabled,
        "last_checked_at": s.last_checked_at,
        "last_error": s.last_error,
    }


def _upload_out(u) -> dict:
    return {
        "id": u.pk,
        "source_id": u.source_id,
        "name": u.name,
        "sha256": u.sha256,
        "size": u.size,
        "state": u.state,
        "report": u.report,
        "error": u.error,
        "created_at": u.created_at,
    }


def _run_out(r) -> dict:
    return {
        "id": r.pk,
        "state": r.state,
        "created_at": r.created_at,
        "finished_at": r.finished_at,
        "users": r.users,
        "events": r.events,
        "alerts": r.alerts,
        "error": r.error,
    }


@router.get("/alerts", response=list[AlertOut], url_name="monitoring_alerts", summary="风险告警列表")
@paged
def alert_list(request, filters: Query[AlertFilters]):
    rows = alerts_of(_reader(request)).select_related("assignee")
    if filters.severity:
        rows = rows.filter(severity=filters.severity)
    if filters.state:
        rows = rows.filter(state=filters.state)
    if filters.user:
        rows = rows.filter(user_key=filters.user)
    return [_alert_out(a) for a in rows]


@router.get(
    "/summary", response=SummaryOut, url_name="monitoring_summary", summary="按严重程度与处理状态统计"
)
def summary(request):
    rows = alerts_of(_reader(request))
    active = rows.exclude(state=AlertState.DISMISSED)
    return {
        "by_severity": dict(active.values_list("severity").annotate(n=Count("id"))),
        "by_state": dict(rows.values_list("state").annotate(n=Count("id"))),
    }


@router.get(
    "/alerts/{alert_id}", response=AlertDetailOut, url_name="monitoring_alert", summary="告警详情与解释"
)
def alert_detail(request, alert_id: int):
    a = access_alert(_member(request), alert_id)
    notes = [
        {"action": n.action, "text": n.text, "actor": n.actor_label, "at": n.at.isoformat()}
        for n in a.notes.all()
    ]
    return {**_alert_out(a), "explanation": a.explanation, "notes": notes}


@router.post(
    "/alerts/{alert_id}/triage",
    response=AlertOut,
    openapi_extra=body_doc(TriageIn),
    url_name="monitoring_alert_triage",
    summary="处理告警：指派、排除（须写理由）、升级、重新打开",
)
def alert_triage(request, alert_id: int):
    member = _member(request)
    a = access_alert(member, alert_id)
    body = read_body(request, TriageIn)
    if body.action == "assign":
        if body.assignee_id is None:
            raise ValidationError({"assignee_id": ["请选择处理人"]})
        a = actions.alert_assign(member=member, alert=a, assignee_id=body.assignee_id, request=request)
    elif body.action == "dismiss":
        a = actions.alert_dismiss(member=member, alert=a, reason=body.reason, request=request)
    elif body.action == "escalate":
        a = actions.alert_escalate(member=member, alert=a, note=body.reason, request=request)
    else:
        a = actions.alert_reopen(member=member, alert=a, request=request)
    return _alert_out(a)


@router.get("/sources", response=list[SourceOut], url_name="monitoring_sources", summary="日志来源")
@paged
def source_list(request):
    return [_source_out(s) for s in sources_of(_reader(request)).order_by("name")]


@router.post(
    "/sources",
    response={201: SourceOut},
    openapi_extra=body_doc(SourceIn),
    url_name="monitoring_source_create",
    summary="添加日志来源（上传或监视服务器目录）",
)
def source_create(request):
    member = _member(request)
    if not permissions.can_manage(member):
        raise PermissionDenied
    body = read_body(request, SourceIn)
    return Status(
        201, _source_out(actions.source_create(member=member, request=request, **body.model_dump()))
    )


_UPLOAD_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                }
            }
        },
    }
}


@router.post(
    "/sources/{source_id}/uploads",
    response={201: UploadOut},
    openapi_extra=_UPLOAD_DOC,
    url_name="monitoring_upload",
    summary="上传日志文件（multipart file；CERT r6 目录请打包为 ZIP），后台导入",
)
def upload(request, source_id: int):
    member = _member(request)
    source = access_source(member, source_id)  # the body is read only once the source is found
    added = actions.upload_add(
        member=member, source=source, uploaded=request.FILES.get("file"), request=request
    )
    return Status(201, _upload_out(added))


@router.get("/uploads", response=list[UploadOut], url_name="monitoring_uploads", summary="导入的日志文件")
@paged
def upload_list(request):
    return [_upload_out(u) for u in uploads_of(_reader(request))]


@router.get("/runs", response=list[RunOut], url_name="monitoring_runs", summary="评分运行")
@paged
def run_list(request):
    return [_run_out(r) for r in runs_of(_reader(request))]


@router.post("/runs", response={202: RunOut}, url_name="monitoring_run_start", summary="开始评分（后台运行）")
def run_start(request):
    return Status(202, _run_out(actions.scoring_request(member=_member(request), request=request)))
