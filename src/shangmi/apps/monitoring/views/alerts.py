"""Alerts: the filtered list, one alert with its explanation, the person's activity timeline chart and
its triage (assign, dismiss with a reason, escalate, reopen)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.models import Membership
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.monitoring import actions, permissions
from shangmi.apps.monitoring.forms import AlertFilterForm
from shangmi.apps.monitoring.queries import access_alert, alerts_of
from shangmi.apps.monitoring.timeline import activity_chart
from shangmi.apps.registry.models.choices import Level

ENTERPRISE = [OrgKind.ENTERPRISE]
LEVELS = dict(Level.choices)
PAGE_SIZE = 50


@require_safe
@member_required(kinds=ENTERPRISE)
def alert_list(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    form = AlertFilterForm(request.GET or None)
    rows = alerts_of(member).select_related("assignee")
    if form.is_valid():
        data = form.cleaned_data
        if data["severity"]:
            rows = rows.filter(severity=data["severity"])
        if data["state"]:
            rows = rows.filter(state=data["state"])
        if data["q"]:
            rows = rows.filter(Q(user_key__icontains=data["q"]) | Q(person_label__icontains=data["q"]))
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "monitoring/alerts.html", {"form": form, "page": page, "query": query.urlencode()})


@require_safe
@member_required(kinds=ENTERPRISE)
def alert_detail(request, alert_id: int):
    member = request.membership
    alert = access_alert(member, alert_id)
    explanation = alert.explanation or {}
    readers = Membership.objects.filter(
        organisation_id=member.organisation_id, is_active=True
    ).select_related("user")
    context = {
        "alert": alert,
        "indicators": explanation.get("indicators", []),
        "events": explanation.get("top_events", []),
        "secrets": [
            {**s, "level_label": LEVELS.get(s.get("level"), s.get("level"))}
            for s in explanation.get("secrets", [])
        ],
        "chart": activity_chart(alert),
        "notes": alert.notes.all(),
        "manage": permissions.can_manage(member),
        "assignees": [m for m in readers if permissions.can_read(m)],
    }
    return render(request, "monitoring/alert.html", context)


def _triage(request, alert_id: int, perform, success: str):
    alert = access_alert(request.membership, alert_id)
    try:
        perform(alert)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, success)
    return redirect("monitoring:alert", alert.pk)


@require_POST
@member_required(kinds=ENTERPRISE)
def alert_assign(request, alert_id: int):
    try:
        assignee = int(request.POST.get("assignee", ""))
    except ValueError:
        assignee = 0
    return _triage(
        request,
        alert_id,
        lambda a: actions.alert_assign(
            member=request.membership, alert=a, assignee_id=assignee, request=request
        ),
        _("已指派"),
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def alert_dismiss(request, alert_id: int):
    reason = request.POST.get("reason", "")
    return _triage(
        request,
        alert_id,
        lambda a: actions.alert_dismiss(member=request.membership, alert=a, reason=reason, request=request),
        _("已排除"),
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def alert_escalate(request, alert_id: int):
    note = request.POST.get("note", "")
    return _triage(
        request,
        alert_id,
        lambda a: actions.alert_escalate(member=request.membership, alert=a, note=note, request=request),
        _("已升级"),
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def alert_reopen(request, alert_id: int):
    return _triage(
        request,
        alert_id,
        lambda a: actions.alert_reopen(member=request.membership, alert=a, request=request),
        _("已重新打开"),
    )
