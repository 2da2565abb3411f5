"""The self-check report page (radar, comparison, trend, gaps) and its Word document."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.assessment import charts
from shangmi.apps.assessment.answers_xlsx import answers_name, answers_xlsx
from shangmi.apps.assessment.queries import access_assessment
from shangmi.apps.assessment.report import build_report
from shangmi.apps.assessment.report_docx import report_docx, report_name
from shangmi.apps.registry.spreadsheets.writer import XLSX_CONTENT_TYPE
from shangmi.office.word import DOCX_CONTENT_TYPE


@require_safe
@member_required()
def report(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    result = build_report(assessment)
    names = [r.name for r in result.rows]
    previous = [r.previous for r in result.rows] if result.previous is not None else None
    context = {
        "assessment": assessment,
        "report": result,
        "radar": charts.radar(names, [r.score.score for r in result.rows], previous),
        "trend": charts.trend(
            [f"{a.submitted_at:%Y-%m-%d}" for a in result.trend], [a.score for a in result.trend]
        )
        if result.trend
        else None,
    }
    return render(request, "assessment/report.html", context)


@require_safe
@member_required()
def report_download(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    response = HttpResponse(report_docx(build_report(assessment)), content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, report_name(assessment))
    return response


@require_safe
@member_required()
def answers_download(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    response = HttpResponse(answers_xlsx(assessment), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, answers_name(assessment))
    return response
