"""API of the demonstration-base programme under /api/v1/bases: applications (list with filters, detail,
draft, update, submit), the bureaus' steps (review, acceptance, notice, recognition, revocation) and the
published list.

Path objects go through queries.access_application (missing and foreign are both 404); writes call the
actions, which check role and jurisdiction (403) and the input (422 naming the field) and write nothing on
refusal."""

from datetime import date, datetime
from typing import Literal

from ninja import Field, Query, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.bases import actions, checklist
from shangmi.apps.bases.queries import access_application, applications_of, published
from shangmi.apps.registry.api_schemas import body_doc, read_body

router = Router(tags=["bases"])


def _member(request):
    return getattr(request, "membership", None)


class ApplicationOut(Schema):
    id: int
    applicant: str
    kind: str
    level: str
    year: int
    district: str | None
    state: str
    name: str
    document_number: str
    recognised_on: date | None
    submitted_at: datetime | None
    updated_at: datetime


class ApplicationDetailOut(ApplicationOut):
    form: dict
    checklist: list[dict]
    notice_start: date | None
    notice_end: date | None
    recommend_opinion: str
    acceptance_opinion: str
    events: list[dict]


class ApplicationFilters(Schema):
    state: str | None = Field(None, max_length=16)
    kind: Literal["zone", "station", "point"] | None = None
    level: Literal["county", "city", "province"] | None = None
    year: int | None = None
    q: str | None = Field(None, max_length=100)


class CreateIn(Schema):
    kind: Literal["zone", "station", "point"]
    level: Literal["county", "city", "province"] = "city"


class UpdateIn(Schema):
    form: dict[str, str | int | float | None] = Field(default_factory=dict, description="申报表字段")
    checklist: dict[str, str | int | float] | None = Field(None, description="条件自查：数字或 yes/no")


class ReviewIn(Schema):
    recommend: bool
    opinion: str = Field(..., max_length=5000)


class AcceptIn(Schema):
    prereview_notes: str = Field(..., max_length=5000)
    site_notes: str = Field("", max_length=5000)
    opinion: str = Field(..., max_length=5000)
    passed: bool


class NoticeIn(Schema):
    start: date
    end: date


class RecogniseIn(Schema):
    document_number: str = Field(..., max_length=64)
    recognised_on: date


class RevokeIn(Schema):
    reason: Literal["false_materials", "serious_violation", "dishonesty", "infringement", "other"]
    document_number: str = Field(..., max_length=64)
    revoked_on: date
    notes: str = Field("", max_length=5000)


FORM_OUT = actions.applicant.FORM_FIELDS


def _out(a) -> dict:
    return {
        "id": a.pk,
        "applicant": a.applicant.name,
        "kind": a.kind,
        "level": a.level,
        "year": a.year,
        "district": a.district.name if a.district_id else None,
        "state": a.state,
        "name": a.name,
        "document_number": a.document_number,
        "recognised_on": a.recognised_on,
        "submitted_at": a.submitted_at,
        "updated_at": a.updated_at,
    }


def _detail(a) -> dict:
    form = {f: getattr(a, f) for f in FORM_OUT}
    if form.get("output_value") is not None:
        form["output_value"] = float(form["output_value"])
    return {
        **_out(a),
        "form": form,
        "checklist": [
            {
                "key": o.rule.key,
                "label": str(o.rule.label),
                "article": str(o.rule.article),
                "value": o.value,
                "met": o.met,
            }
            for o in checklist.evaluate(a)
        ],
        "notice_start": a.notice_start,
        "notice_end": a.notice_end,
        "recommend_opinion": a.recommend_opinion,
        "acceptance_opinion": a.acceptance_opinion,
        "events": [
            {
                "action": e.action,
                "state_to": e.state_to,
                "note": e.note,
                "actor": e.actor_label,
                "at": e.at.isoformat(),
            }
            for e in a.events.all()
        ],
    }


@router.get(
    "/applications", response=list[ApplicationOut], url_name="bases_applications", summary="基地申报列表"
)
@paged
def application_list(request, filters: Query[ApplicationFilters]):
    rows = applications_of(_member(request))
    for field in ("state", "kind", "level", "year"):
        value = getattr(filters, field)
        if value:
            rows = rows.filter(**{field: value})
    if filters.q:
        rows = rows.filter(name__icontains=filters.q)
    return [_out(a) for a in rows]


@router.post(
    "/applications",
    response={201: ApplicationDetailOut},
    openapi_extra=body_doc(CreateIn),
    url_name="bases_application_create",
    summary="新建申报草稿（按本单位信息预填）",
)
def application_create(request):
    body = read_body(request, CreateIn)
    a = actions.application_create(member=_member(request), kind=body.kind, level=body.level, request=request)
    return Status(201, _detail(a))


@router.get(
    "/applications/{application_id}",
    response=ApplicationDetailOut,
    url_name="bases_application",
    summary="申报详情",
)
def application_detail(request, application_id: int):
    return _detail(access_application(_member(request), application_id))


@router.post(
    "/applications/{application_id}/form",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(UpdateIn),
    url_name="bases_application_update",
    summary="修改申报表与条件自查（草稿或被退回时）",
)
def application_update(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, UpdateIn)
    data = {k: ("" if v is None else v) for k, v in body.form.items() if k in FORM_OUT}
    raw = {k: str(v) for k, v in body.checklist.items()} if body.checklist is not None else None
    a = actions.application_update(
        member=member, application=a, data=data, checklist_input=raw, request=request
    )
    return _detail(a)


@router.post(
    "/applications/{application_id}/submit",
    response=ApplicationDetailOut,
    url_name="bases_application_submit",
    summary="提交申报",
)
def application_submit(request, application_id: int):
    member = _member(request)
    a = actions.application_submit(
        member=member, application=access_application(member, application_id), request=request
    )
    return _detail(a)


@router.post(
    "/applications/{application_id}/review",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(ReviewIn),
    url_name="bases_application_review",
    summary="县局审核：推荐或退回",
)
def application_review(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, ReviewIn)
    a = actions.application_review(
        member=member, application=a, recommend=body.recommend, opinion=body.opinion, request=request
    )
    return _detail(a)


@router.post(
    "/applications/{application_id}/accept",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(AcceptIn),
    url_name="bases_application_accept",
    summary="验收：书面预审、实地考察、验收意见",
)
def application_accept(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, AcceptIn)
    a = actions.application_accept(member=member, application=a, request=request, **body.dict())
    return _detail(a)


@router.post(
    "/applications/{application_id}/notice",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(NoticeIn),
    url_name="bases_application_notice",
    summary="公示",
)
def application_notice(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, NoticeIn)
    a = actions.notice_publish(member=member, application=a, start=body.start, end=body.end, request=request)
    return _detail(a)


@router.post(
    "/applications/{application_id}/recognise",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(RecogniseIn),
    url_name="bases_application_recognise",
    summary="发文认定",
)
def application_recognise(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, RecogniseIn)
    a = actions.application_recognise(member=member, application=a, request=request, **body.dict())
    return _detail(a)


@router.post(
    "/applications/{application_id}/revoke",
    response=ApplicationDetailOut,
    openapi_extra=body_doc(RevokeIn),
    url_name="bases_application_revoke",
    summary="撤销认定（指南第十五条，两年内不得再次申报）",
)
def application_revoke(request, application_id: int):
    member = _member(request)
    a = access_application(member, application_id)
    body = read_body(request, RevokeIn)
    a = actions.application_revoke(member=member, application=a, request=request, **body.dict())
    return _detail(a)


@router.get("/published", response=list[ApplicationOut], url_name="bases_published", summary="已认定基地名单")
@paged
def published_list(request):
    return [_out(a) for a in published().select_related("applicant")]
