"""Documents of the programme: an application as DOCX in the official table's layout, the notice and
recognition lists as DOCX or Excel (members, limited to what they may see), and the public list of
recognised bases (art. 14: published on the bureaus' portals, so open to anyone)."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases import permissions
from shangmi.apps.bases.documents import application_docx as application_document
from shangmi.apps.bases.documents import lists
from shangmi.apps.bases.models import BaseKind, BaseLevel
from shangmi.apps.bases.queries import access_application, published
from shangmi.apps.registry.forms.base import StyledForm
from shangmi.apps.registry.spreadsheets.writer import XLSX_CONTENT_TYPE
from shangmi.office.word import DOCX_CONTENT_TYPE

KINDS = [OrgKind.ENTERPRISE, OrgKind.REGULATOR]
FORMATS = {"docx": DOCX_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
PER_PAGE = 30


class PublishedFilter(StyledForm):
    q = forms.CharField(label=gettext_lazy("名称"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("类型"),
        required=False,
        choices=[("", gettext_lazy("全部类型")), *BaseKind.choices],
    )
    level = forms.ChoiceField(
        label=gettext_lazy("级别"),
        required=False,
        choices=[("", gettext_lazy("全部级别")), *BaseLevel.choices],
    )
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False, min_value=2000, max_value=2100)


def _member(request):
    """The member if the programme is open to them (an applicant or a bureau), else None."""
    member = request.membership
    return member if permissions.is_applicant(member) or permissions.is_bureau(member) else None


@login_not_required
@require_safe
def published_list(request):
    rows = published()
    filters = PublishedFilter(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            rows = rows.filter(name__icontains=data["q"])
        for field in ("kind", "level", "year"):
            if data[field]:
                rows = rows.filter(**{field: data[field]})
    # Only the columns art. 14 publishes: nothing else of the application leaves the database here.
    rows = rows.only(
        "name", "kind", "level", "year", "document_number", "recognised_on", "district__name"
    ).order_by("-recognised_on", "name", "pk")
    page = Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "bases/published.html",
        {"page": page, "filters": filters, "query": query.urlencode()},
    )


@require_safe
@member_required(kinds=KINDS)
def application_docx(request, application_id: int):
    # Other members get the same 404 as for a missing application (access_application).
    application = access_application(_member(request), application_id)
    response = HttpResponse(
        application_document.application_docx(application), content_type=DOCX_CONTENT_TYPE
    )
    response["Content-Disposition"] = content_disposition_header(
        True, application_document.file_name(application)
    )
    return response


@require_safe
@member_required(kinds=KINDS)
def list_file(request, which: str, fmt: str):
    if which not in lists.KINDS or fmt not in FORMATS:
        raise Http404
    member = _member(request)
    if member is None:
        raise PermissionDenied
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
    except ValueError:
        year = None
    applications = lists.applications_for(member, which, year)
    build = lists.list_docx if fmt == "docx" else lists.list_xlsx
    response = HttpResponse(build(which, applications, year), content_type=FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(True, lists.file_name(which, fmt, year))
    return response
