"""Routes of the self-check (自我体检), its report, readiness, oversight pages and the dossier."""

from django.urls import path

from shangmi.apps.assessment.urls_dossier import urlpatterns as dossier_urlpatterns
from shangmi.apps.assessment.views import assessments, oversight, readiness, report

app_name = "assessment"

urlpatterns = [
    path("", assessments.assessment_list, name="list"),
    path("start/", assessments.assessment_start, name="start"),
    path("<int:assessment_id>/", assessments.assessment_detail, name="detail"),
    path("<int:assessment_id>/answer/", assessments.answer, name="answer"),
    path("<int:assessment_id>/accept/", assessments.accept_proposals, name="accept"),
    path("<int:assessment_id>/discard/", assessments.discard, name="discard"),
    path("<int:assessment_id>/submit/", assessments.submit, name="submit"),
    path("<int:assessment_id>/invite/", assessments.invite, name="invite"),
    path("<int:assessment_id>/review/", assessments.review, name="review"),
    path("<int:assessment_id>/report/", report.report, name="report"),
    path("<int:assessment_id>/report.docx", report.report_download, name="report_docx"),
    path("<int:assessment_id>/answers.xlsx", report.answers_download, name="answers_xlsx"),
    path("reviews/", oversight.reviews, name="reviews"),
    path("jurisdiction/", oversight.jurisdiction, name="jurisdiction"),
    path("readiness/", readiness.readiness_page, name="readiness"),
    *dossier_urlpatterns,
]
