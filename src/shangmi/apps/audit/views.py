"""The audit page for organisation admins: filters, pages, and .xlsx export."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES
from shangmi.apps.audit.export import events_to_xlsx
from shangmi.apps.audit.forms import AuditFilterForm
from shangmi.apps.audit.queries import events_for, verbs_for


def _filtered(request):
    form = AuditFilterForm(request.GET or None)
    form.is_valid()
    # The filters that parsed apply even when the form as a whole is invalid: a reversed date range
    # finds nothing, rather than dropping every filter and listing everything under the error.
    filters = getattr(form, "cleaned_data", {})
    events = events_for(request.organisation, **{k: v for k, v in filters.items() if v})
    return form, events


def _form_errors(form) -> str:
    texts = [str(e) for e in form.non_field_errors()]
    texts += [
        f"{form.fields[name].label}: {e}"
        for name, errors in form.errors.items()
        if name != "__all__"
        for e in errors
    ]
    return "; ".join(texts)


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
    form, events = _filtered(request)
    if form.is_bound and not form.is_valid():
        # An export must hold exactly what was asked for; refuse rather than export something else.
        return HttpResponseBadRequest(_form_errors(form), content_type="text/plain; charset=utf-8")
    content = events_to_xlsx(events.iterator(chunk_size=2000), request.organisation.name)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="audit-{request.organisation.short_code}-{stamp}.xlsx"'
    )
    return response
