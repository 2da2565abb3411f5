"""The audit page for organisation admins: filters, pages, and .xlsx export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES
from shangmi.apps.audit.export import events_to_xlsx
from shangmi.apps.audit.forms import AuditFilterForm
from shangmi.apps.audit.queries import events_for, verbs_for


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    events = events_for(request.organisation, **{k: v for k, v in filters.items() if v})
    return form, events


@member_required(roles=ORG_ADMIN_ROLES)
def event_list(request):
    form, events = _filtered(request)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "verbs": verbs_for(request.organisation),
        "query": query.urlencode(),
    }
    template = "audit/list.html#results" if request.htmx else "audit/list.html"
    return render(request, template, context)


@member_required(roles=ORG_ADMIN_ROLES)
def event_export(request):
    _form, events = _filtered(request)
    content = events_to_xlsx(events.iterator(chunk_size=2000), request.organisation.name)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.organisation.short_code}-{stamp}.xlsx"'
    )
    return response
