"""File responses for the register's downloads, shared by the pages and the API. Exports are written to
a temporary file, not built in memory; a small file is then sent from memory with its length, a large one
streamed from the temporary file, which disappears when the response is closed."""

from __future__ import annotations

import tempfile

from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from shangmi.apps.registry.queries import filter_register, secrets_visible_to
from shangmi.apps.registry.spreadsheets.export_docx import export_register_docx
from shangmi.apps.registry.spreadsheets.export_xlsx import export_register_xlsx
from shangmi.apps.registry.spreadsheets.template import template_bytes
from shangmi.apps.registry.spreadsheets.writer import XLSX_CONTENT_TYPE
from shangmi.office.word import DOCX_CONTENT_TYPE

TEMPLATE_NAME = "商业秘密台账导入模板.xlsx"
IN_MEMORY_BYTES = 8 * 1024 * 1024


def template_response(member) -> HttpResponse:
    data = template_bytes(organisation=member.organisation, person_name=member.user.name)
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, TEMPLATE_NAME)
    return response


def export_response(member, params, kind: str) -> HttpResponse:
    """The visible register, filtered by `params` (the list's filters), as "xlsx" or "docx". A docx of too
    many secrets raises export_docx.TooManyForDocx (a ValidationError) before anything is written."""
    secrets = filter_register(secrets_visible_to(member), params)
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes (and so deletes) it
    try:
        if kind == "docx":
            export_register_docx(handle, secrets=secrets, member=member, params=params)
            content_type = DOCX_CONTENT_TYPE
        else:
            export_register_xlsx(handle, secrets=secrets, member=member, params=params)
            content_type = XLSX_CONTENT_TYPE
    except BaseException:
        handle.close()
        raise
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"商业秘密台账-{member.organisation.short_code}-{day}.{kind}"
    return _respond(handle, name, content_type)


def _respond(handle, filename: str, content_type: str) -> HttpResponse:
    """Small files go out from memory with their length; large ones stream from the temporary file."""
    size = handle.tell()
    handle.seek(0)
    if size <= IN_MEMORY_BYTES:
        with handle:
            response = HttpResponse(handle.read(), content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
