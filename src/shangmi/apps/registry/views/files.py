"""The register in Excel and Word: the import page (upload, row-by-row report, result), the template,
and the .xlsx and .docx exports of the visible register with the list's filters."""

from __future__ import annotations

from dataclasses import asdict

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.imports import ImportRejected
from shangmi.apps.registry.actions.imports import register_import as import_action
from shangmi.apps.registry.spreadsheets.downloads import export_response, template_response
from shangmi.apps.registry.spreadsheets.reader import MAX_SECRETS
from shangmi.apps.registry.spreadsheets.upload import MAX_UPLOAD_BYTES, UploadRefused, too_large_message

_RESULT_KEY = "registry_import_result"
# Multipart framing around the file: a body larger than this cannot hold an acceptable workbook, so it
# is refused before Django reads it.
_FRAMING_BYTES = 64 * 1024


@require_http_methods(["GET", "POST"])
@member_required(kinds=["enterprise"])
def register_import(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    context = {
        "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        "max_secrets": MAX_SECRETS,
        "result": request.session.pop(_RESULT_KEY, None) if request.method == "GET" else None,
    }
    if request.method == "GET":
        return render(request, "registry/import.html", context)
    try:
        result = import_action(member=member, workbook_bytes=_uploaded_bytes(request), request=request)
    except ImportRejected as rejected:
        context["problems"] = rejected.problems
    except UploadRefused as refused:
        context["file_error"] = refused.message_text
    except ValidationError as error:
        context["file_error"] = " ".join(error.messages)
    else:
        # Post/redirect/get: reloading the result page must not import the workbook a second time.
        request.session[_RESULT_KEY] = asdict(result)
        return redirect("registry:import")
    return render(request, "registry/import.html", context, status=422)


def _uploaded_bytes(request) -> bytes:
    if int(request.META.get("CONTENT_LENGTH") or 0) > MAX_UPLOAD_BYTES + _FRAMING_BYTES:
        raise UploadRefused(too_large_message())
    upload = request.FILES.get("file")
    if upload is None:
        raise UploadRefused(_no_file_message())
    if upload.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    return upload.read()


def _no_file_message() -> str:
    return _("请选择要导入的 .xlsx 文件")


@require_safe
@member_required(kinds=["enterprise"])
def import_template(request):
    return template_response(request.membership)


@require_safe
@member_required(kinds=["enterprise"])
def export_xlsx(request):
    return export_response(request.membership, request.GET, "xlsx")


@require_safe
@member_required(kinds=["enterprise"])
def export_docx(request):
    try:
        return export_response(request.membership, request.GET, "docx")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        query = request.GET.urlencode()
        return redirect(f"{_list_url()}?{query}" if query else _list_url())


def _list_url() -> str:
    return reverse("registry:list")
