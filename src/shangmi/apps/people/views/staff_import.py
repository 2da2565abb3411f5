"""The HR import page (upload, row-by-row report, result) and its template. Officers and admins."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.hr_import import (
    MAX_ROWS,
    TEMPLATE_NAME,
    XLSX_CONTENT_TYPE,
    HrImportRejected,
    hr_import,
    template_bytes,
)
from shangmi.apps.registry.spreadsheets.upload import MAX_UPLOAD_BYTES, UploadRefused, too_large_message

_RESULT_KEY = "people_import_result"
_FRAMING_BYTES = 64 * 1024


def _manager(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    return member


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def staff_import(request):
    member = _manager(request)
    context = {
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_rows": MAX_ROWS,
        "result": request.session.pop(_RESULT_KEY, None) if request.method == "GET" else None,
    }
    if request.method == "GET":
        return render(request, "people/staff/import.html", context)
    try:
        result = hr_import(member=member, workbook_bytes=_uploaded_bytes(request), request=request)
    except HrImportRejected as rejected:
        context["problems"] = rejected.problems
    except UploadRefused as refused:
        context["file_error"] = refused.message_text
    except ValidationError as error:
        context["file_error"] = " ".join(error.messages)
    else:
        # Post/redirect/get: reloading the result page must not import the workbook again.
        request.session[_RESULT_KEY] = asdict(result)
        return redirect("people:import")
    return render(request, "people/staff/import.html", context, status=422)


def _uploaded_bytes(request) -> bytes:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + _FRAMING_BYTES:
        raise UploadRefused(too_large_message())
    upload = request.FILES.get("file")
    if upload is None:
        raise UploadRefused(_("请选择要导入的 .xlsx 文件"))
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    return upload.read()


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def import_template(request):
    _manager(request)
    response = HttpResponse(template_bytes(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response
