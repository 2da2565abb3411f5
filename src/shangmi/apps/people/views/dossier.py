"""The dossier download (人员保密档案 ZIP): officers, admins and managers only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.dossier import dossier_name, dossier_zip
from shangmi.apps.people.queries import access_employee


def dossier_response(member, employee_id: int) -> HttpResponse:
    employee = access_employee(member, employee_id)
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    response = HttpResponse(dossier_zip(employee), content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, dossier_name(employee))
    return response


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def dossier(request, employee_id: int):
    return dossier_response(request.membership, employee_id)
