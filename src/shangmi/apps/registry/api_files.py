"""The register in Excel and Word over the API: the import template, the import (all or nothing, with a
report of every bad row in the standard error schema), and the .xlsx / .docx exports of the visible
register with the list's filters."""

from __future__ import annotations

from dataclasses import asdict

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.imports import ImportRejected, register_import
from shangmi.apps.registry.api_schemas import RegisterFilters
from shangmi.apps.registry.spreadsheets.downloads import export_response, template_response
from shangmi.apps.registry.spreadsheets.upload import MAX_UPLOAD_BYTES, UploadRefused, too_large_message

router = Router(tags=["registry"])


class ImportOut(Schema):
    secrets: int
    points: int
    carriers: int
    grants: int
    designated: int
    declassified: int
    workbook_sha256: str


class RowErrorOut(Schema):
    field: str  # 商业秘密!B5 名称: sheet, cell and column header
    message: str
    sheet: str
    row: int
    column: str


class ImportErrorOut(Schema):
    detail: str
    errors: list[RowErrorOut]


def _enterprise_member(request):
    member = getattr(request, "membership", None)
    if not permissions.is_enterprise_member(member):
        raise PermissionDenied
    return member


@router.get("/import/template.xlsx", url_name="registry_import_template", summary="台账导入模板（.xlsx）")
def import_template(request):
    return template_response(_enterprise_member(request))


@router.post(
    "/import",
    response={201: ImportOut, 422: ImportErrorOut},
    url_name="registry_import",
    summary="导入台账（.xlsx，multipart 字段 file；全部通过才导入，否则 422 列出每个错误）",
)
def import_workbook(request, file: File[UploadedFile]):
    member = _enterprise_member(request)
    if not permissions.can_manage(member):
        raise PermissionDenied  # before reading the upload
    if file.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    try:
        result = register_import(member=member, workbook_bytes=file.read(), request=request)
    except ImportRejected as rejected:
        errors = [
            {"field": p.field, "message": p.message, "sheet": p.sheet, "row": p.row, "column": p.column}
            for p in rejected.problems
        ]
        detail = _("工作簿有 %(n)s 处错误，未导入任何内容") % {"n": len(errors)}
        return Status(422, {"detail": detail, "errors": errors})
    return Status(201, asdict(result))


@router.get("/export.xlsx", url_name="registry_export_xlsx", summary="导出台账（.xlsx，可按列表条件筛选）")
def export_xlsx(request, filters: Query[RegisterFilters]):
    return export_response(_enterprise_member(request), filters.model_dump(), "xlsx")


@router.get(
    "/export.docx", url_name="registry_export_docx", summary="导出可打印台账（.docx，可按列表条件筛选）"
)
def export_docx(request, filters: Query[RegisterFilters]):
    return export_response(_enterprise_member(request), filters.model_dump(), "docx")
