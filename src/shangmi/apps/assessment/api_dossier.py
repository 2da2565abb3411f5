"""API of the 合理保密措施 dossier (mounted at /api/v1/assessment/dossiers): the measures of one trade
secret at a cut-off date as JSON, and the evidence ZIP. Only members who read the whole register of the
secret's organisation: 404 alike for missing and foreign secrets, 403 for an employee entrusted with it;
an invalid cut-off date is a 422 naming the field `cutoff`."""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from ninja import Query, Router, Schema

from shangmi.apps.assessment.dossier.export import dossier_name, dossier_zip
from shangmi.apps.assessment.dossier.measures import collect_measures
from shangmi.apps.assessment.views.dossier import dossier_secret

router = Router(tags=["assessment"])


class CutoffIn(Schema):
    cutoff: date | None = None  # YYYY-MM-DD; today (Asia/Shanghai) when omitted


class MeasureOut(Schema):
    category: str
    title: str
    at: str  # ISO 8601: a datetime with its offset, or a date
    predates: bool
    art6: list[int]
    record_sha256: str
    receipt_available: bool
    file_sha256: str


class CountOut(Schema):
    predates: int
    after: int


class DossierOut(Schema):
    secret_code: str
    cutoff: date
    generated_at: str
    measures: list[MeasureOut]
    counts: dict[str, CountOut]


def _found(request, secret_id: int, cutoff: date | None):
    secret = dossier_secret(getattr(request, "membership", None), secret_id)
    return secret, collect_measures(secret, cutoff or timezone.localdate())


def _iso(at: datetime | date) -> str:
    return (
        timezone.localtime(at).isoformat(timespec="seconds") if isinstance(at, datetime) else at.isoformat()
    )


@router.get(
    "/{secret_id}",
    response=DossierOut,
    url_name="assessment_dossier_detail",
    summary="合理保密措施：某一商业秘密在截止日期前后的各项保密措施",
)
def dossier_detail(request, secret_id: int, query: Query[CutoffIn]):
    secret, found = _found(request, secret_id, query.cutoff)
    return {
        "secret_code": secret.code,
        "cutoff": found.cutoff,
        "generated_at": _iso(found.generated_at),
        "measures": [
            {
                "category": m.category,
                "title": m.title,
                "at": _iso(m.at),
                "predates": m.predates,
                "art6": list(m.art6),
                "record_sha256": m.record_sha256,
                "receipt_available": m.receipt_available,
                "file_sha256": m.file.sha256 if m.file else "",
            }
            for m in found.measures
        ],
        "counts": found.counts(),
    }


@router.get(
    "/{secret_id}/zip",
    url_name="assessment_dossier_zip",
    summary="合理保密措施证据包（ZIP：Word 说明、记录、文件、回执、MANIFEST.sha256）",
)
def dossier_zip_download(request, secret_id: int, query: Query[CutoffIn]):
    secret, found = _found(request, secret_id, query.cutoff)
    response = HttpResponse(dossier_zip(found), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dossier_name(secret, found.cutoff))
    return response
