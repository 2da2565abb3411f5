"""The departure audits (离职审计) list: open and closed audits with their progress, filterable."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import render

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.forms.departures import DepartureFilterForm
from shangmi.apps.people.queries import departures_visible_to


def with_progress(qs):
    """Each audit with its item counts: total, done, and mandatory items still open."""
    return qs.annotate(
        item_total=Count("items"),
        item_done=Count("items", filter=Q(items__done_at__isnull=False)),
        mandatory_open=Count("items", filter=Q(items__mandatory=True, items__done_at__isnull=True)),
    )


def filter_departures(qs, data: dict):
    state = data.get("state") or ""
    if state:
        qs = qs.filter(state=state)
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(employee__name__icontains=q) | Q(employee__number__icontains=q))
    return qs


@member_required(kinds=[OrgKind.ENTERPRISE])
def departure_list(request):
    member = request.membership
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    form = DepartureFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    rows = with_progress(
        filter_departures(departures_visible_to(member), data).select_related("employee", "opened_by")
    ).order_by("state", "-opened_at", "-pk")
    return render(
        request,
        "people/departures/list.html",
        {"form": form, "departures": rows, "manage": permissions.can_manage(member)},
    )
