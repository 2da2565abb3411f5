"""API of self-checks under /api/v1/assessment: frameworks, self-checks (start, answer, accept the
platform's proposals, submit, invite, review), the report as JSON or Word, 示范点 readiness, the
regulator's jurisdiction overview, and (api_dossier) the reasonable-measures dossier.

Path objects go through queries.access_assessment (missing and foreign are both 404); writes call the
actions, which check the role (403) and the input (422 naming the field) and write nothing on refusal."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Field, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.accounts.models import Organisation
from shangmi.apps.assessment import actions, permissions
from shangmi.apps.assessment.api_dossier import router as dossier_router
from shangmi.apps.assessment.framework import available_frameworks
from shangmi.apps.assessment.jurisdiction import overview
from shangmi.apps.assessment.queries import access_assessment, assessments_of, latest_finished, reviews_for
from shangmi.apps.assessment.readiness import readiness, readiness_met
from shangmi.apps.assessment.report import build_report
from shangmi.apps.assessment.report_docx import report_docx, report_name
from shangmi.apps.registry.api_schemas import body_doc, read_body
from shangmi.office.word import DOCX_CONTENT_TYPE

router = Router(tags=["assessment"])
router.add_router("/dossiers", dossier_router)


def _member(request):
    return getattr(request, "membership", None)


# ---- schemas ---------------------------------------------------------------------------------------


class FrameworkOut(Schema):
    key: str
    version: str
    name: str
    sha256: str
    domains: int
    questions: int


class StartIn(Schema):
    framework: str = Field(..., description="框架标识，如 shangmi")
    version: str | None = Field(None, description="版本；不填取最新版本")
    title: str = Field("", max_length=100)


class AnswerIn(Schema):
    question: str = Field(..., max_length=32)
    choice: str = Field(..., max_length=32)
    note: str = Field("", max_length=1000)
    override_reason: str = Field("", max_length=500, description="与系统建议答案不同时必填")


class SubmitIn(Schema):
    shared_with_regulator: bool = False
    declares_standard: bool = False


class InviteIn(Schema):
    reviewer_id: int


class ReviewIn(Schema):
    opinion: str = Field(..., max_length=5000)


class AnswerOut(Schema):
    question: str
    choice: str
    source: str
    proposed_choice: str
    proposed_figure: str
    override_reason: str
    note: str
    answered_at: datetime


class AssessmentOut(Schema):
    id: int
    organisation: str
    title: str
    framework: str
    framework_version: str
    state: str
    score: float | None
    created_at: datetime
    submitted_at: datetime | None
    reviewer: str | None
    shared_with_regulator: bool
    declares_standard: bool


class AssessmentDetailOut(AssessmentOut):
    answers: list[AnswerOut]
    review_opinion: str


class DomainOut(Schema):
    key: str
    name: str
    score: float | None
    previous: float | None
    answered: int
    total: int


class GapOut(Schema):
    question: str
    text: str
    choice: str
    weight: float
    shortfall: float
    priority: float
    mandatory: bool
    recommendation: str


class ReportOut(Schema):
    assessment: AssessmentOut
    overall: float | None
    overall_delta: float | None
    previous_id: int | None
    domains: list[DomainOut]
    gaps: list[GapOut]
    trend: list[dict]


class CriterionOut(Schema):
    key: str
    label: str
    article: str
    met: bool | None
    evidence: list[str]


class ReadinessOut(Schema):
    assessment_id: int | None
    all_met: bool
    criteria: list[CriterionOut]


class GroupOut(Schema):
    name: str
    count: int
    mean: float | None
    median: float | None
    bands: list[int]


class JurisdictionOut(Schema):
    enterprises: int
    sharing: int
    by_district: list[GroupOut]
    by_industry: list[GroupOut]


def _out(a) -> dict:
    return {
        "id": a.pk,
        "organisation": a.organisation.name,
        "title": a.title,
        "framework": a.framework_key,
        "framework_version": a.framework_version,
        "state": a.state,
        "score": a.score,
        "created_at": a.created_at,
        "submitted_at": a.submitted_at,
        "reviewer": a.reviewer_organisation.name if a.reviewer_organisation_id else None,
        "shared_with_regulator": a.shared_with_regulator,
        "declares_standard": a.declares_standard,
    }


def _detail(a) -> dict:
    answers = [_answer_out(x) for x in a.answers.all()]
    return {**_out(a), "answers": answers, "review_opinion": a.review_opinion}


def _answer_out(x) -> dict:
    return {
        "question": x.question_id,
        "choice": x.choice,
        "source": x.source,
        "proposed_choice": x.proposed_choice,
        "proposed_figure": x.proposed_figure,
        "override_reason": x.override_reason,
        "note": x.note,
        "answered_at": x.answered_at,
    }


# ---- frameworks and self-checks ----------------------------------------------------------------------


@router.get("/frameworks", response=list[FrameworkOut], url_name="assessment_frameworks", summary="体检框架")
@paged
def framework_list(request):
    return [
        {
            "key": f.key,
            "version": f.version,
            "name": f.name,
            "sha256": f.sha256,
            "domains": len(f.domains),
            "questions": len(f.questions),
        }
        for f in available_frameworks()
    ]


@router.get(
    "/assessments",
    response=list[AssessmentOut],
    url_name="assessment_list",
    summary="自我体检列表（本企业或受邀评审）",
)
@paged
def assessment_list(request):
    member = _member(request)
    rows = (assessments_of(member) | reviews_for(member)).select_related(
        "organisation", "reviewer_organisation"
    )
    return [_out(a) for a in rows.order_by("-created_at", "-id")]


@router.post(
    "/assessments",
    response={201: AssessmentDetailOut},
    openapi_extra=body_doc(StartIn),
    url_name="assessment_start",
    summary="开始自我体检",
)
def assessment_start(request):
    member = _member(request)
    if not permissions.can_run(member):
        raise PermissionDenied
    body = read_body(request, StartIn)
    a = actions.assessment_start(
        member=member, framework_key=body.framework, version=body.version, title=body.title, request=request
    )
    return Status(201, _detail(a))


@router.get(
    "/assessments/{assessment_id}",
    response=AssessmentDetailOut,
    url_name="assessment_detail",
    summary="自我体检详情",
)
def assessment_detail(request, assessment_id: int):
    return _detail(access_assessment(_member(request), assessment_id))


@router.post(
    "/assessments/{assessment_id}/answers",
    response=AnswerOut,
    openapi_extra=body_doc(AnswerIn),
    url_name="assessment_answer",
    summary="作答一题（与系统建议不同时须说明理由）",
)
def assessment_answer(request, assessment_id: int):
    member = _member(request)
    a = access_assessment(member, assessment_id)
    body = read_body(request, AnswerIn)
    x = actions.answer_save(
        member=member,
        assessment=a,
        question_id=body.question,
        choice=body.choice,
        note=body.note,
        override_reason=body.override_reason,
        request=request,
    )
    return _answer_out(x)


@router.post(
    "/assessments/{assessment_id}/accept-proposals",
    response=dict,
    url_name="assessment_accept",
    summary="未答题采用系统建议",
)
def assessment_accept(request, assessment_id: int):
    member = _member(request)
    a = access_assessment(member, assessment_id)
    return {"accepted": actions.proposals_accept(member=member, assessment=a, request=request)}


@router.post(
    "/assessments/{assessment_id}/submit",
    response=AssessmentOut,
    openapi_extra=body_doc(SubmitIn),
    url_name="assessment_submit",
    summary="提交自我体检",
)
def assessment_submit(request, assessment_id: int):
    member = _member(request)
    a = access_assessment(member, assessment_id)
    body = read_body(request, SubmitIn)
    a = actions.assessment_submit(
        member=member,
        assessment=a,
        shared_with_regulator=body.shared_with_regulator,
        declares_standard=body.declares_standard,
        request=request,
    )
    return _out(a)


@router.post(
    "/assessments/{assessment_id}/invite",
    response=AssessmentOut,
    openapi_extra=body_doc(InviteIn),
    url_name="assessment_invite",
    summary="邀请服务机构或监管部门评审",
)
def assessment_invite(request, assessment_id: int):
    member = _member(request)
    a = access_assessment(member, assessment_id)
    body = read_body(request, InviteIn)
    reviewer = Organisation.objects.filter(pk=body.reviewer_id, kind__in=permissions.REVIEWER_KINDS).first()
    return _out(actions.assessment_invite(member=member, assessment=a, reviewer=reviewer, request=request))


@router.post(
    "/assessments/{assessment_id}/review",
    response=AssessmentOut,
    openapi_extra=body_doc(ReviewIn),
    url_name="assessment_review",
    summary="评审意见（受邀机构）",
)
def assessment_review(request, assessment_id: int):
    member = _member(request)
    a = access_assessment(member, assessment_id)
    body = read_body(request, ReviewIn)
    return _out(actions.assessment_review(member=member, assessment=a, opinion=body.opinion, request=request))


@router.get(
    "/assessments/{assessment_id}/report",
    response=ReportOut,
    url_name="assessment_report",
    summary="体检报告",
)
def assessment_report(request, assessment_id: int):
    r = build_report(access_assessment(_member(request), assessment_id))
    return {
        "assessment": _out(r.assessment),
        "overall": r.overall,
        "overall_delta": r.overall_delta,
        "previous_id": r.previous.pk if r.previous else None,
        "domains": [
            {
                "key": row.score.domain.key,
                "name": row.name,
                "score": row.score.score,
                "previous": row.previous,
                "answered": row.score.answered,
                "total": row.score.total,
            }
            for row in r.rows
        ],
        "gaps": [
            {
                "question": g.question.id,
                "text": g.question.text,
                "choice": g.choice.key,
                "weight": g.question.weight,
                "shortfall": g.shortfall,
                "priority": g.priority,
                "mandatory": g.question.mandatory,
                "recommendation": g.question.recommendation,
            }
            for g in r.gaps
        ],
        "trend": [
            {"id": t.pk, "submitted_at": t.submitted_at.isoformat(), "score": t.score} for t in r.trend
        ],
    }


@router.get(
    "/assessments/{assessment_id}/report.docx",
    response={200: None},
    url_name="assessment_report_docx",
    summary="体检报告（Word）",
)
def assessment_report_docx(request, assessment_id: int):
    a = access_assessment(_member(request), assessment_id)
    response = HttpResponse(report_docx(build_report(a)), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, report_name(a))
    return response


# ---- readiness and the regulator's view -------------------------------------------------------------


@router.get("/readiness", response=ReadinessOut, url_name="assessment_readiness", summary="示范点条件对照")
def readiness_view(request):
    member = _member(request)
    if not permissions.can_read(member):
        raise PermissionDenied
    latest = latest_finished(member.organisation_id)
    criteria = readiness(member.organisation_id, timezone.localdate(), latest)
    return {
        "assessment_id": latest.pk if latest else None,
        "all_met": readiness_met(criteria),
        "criteria": [
            {"key": c.key, "label": c.label, "article": c.article, "met": c.met, "evidence": c.evidence}
            for c in criteria
        ],
    }


def _group(g) -> dict:
    return {"name": g.name, "count": g.count, "mean": g.mean, "median": g.median, "bands": g.bands}


@router.get(
    "/jurisdiction",
    response=JurisdictionOut,
    url_name="assessment_jurisdiction",
    summary="辖区体检概况（监管部门）",
)
def jurisdiction_view(request):
    member = _member(request)
    if not permissions.is_regulator_member(member):
        raise PermissionDenied
    result = overview(member.organisation)
    return {
        "enterprises": result.enterprises,
        "sharing": result.sharing,
        "by_district": [_group(g) for g in result.by_district],
        "by_industry": [_group(g) for g in result.by_industry],
    }
