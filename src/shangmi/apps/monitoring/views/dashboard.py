"""The monitoring dashboard: alerts by severity, the people with the highest scores, the trend of alerts
raised, the latest scoring run and a button to score again."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max
from django.db.models.functions import TruncDate
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.monitoring import actions, permissions
from shangmi.apps.monitoring.models import AlertState, Severity
from shangmi.apps.monitoring.queries import alerts_of, runs_of, sources_of

ENTERPRISE = [OrgKind.ENTERPRISE]
SEVERITY_COLOURS = {"low": "#6c8ebf", "medium": "#e0a100", "high": "#d9534f", "critical": "#7b1113"}


def _trend(alerts) -> dict:
    rows = (
        alerts.annotate(day=TruncDate("created_at"))
        .values("day", "severity")
        .annotate(n=Count("id"))
        .order_by("day")
    )
    days = sorted({r["day"] for r in rows})
    series = []
    for value, label in Severity.choices:
        by_day = {r["day"]: r["n"] for r in rows if r["severity"] == value}
        series.append(
            {
                "name": str(label),
                "type": "bar",
                "stack": "all",
                "itemStyle": {"color": SEVERITY_COLOURS[value]},
                "data": [by_day.get(d, 0) for d in days],
            }
        )
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 40},
        "xAxis": {"type": "category", "data": [d.isoformat() for d in days]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": series,
    }


@require_safe
@member_required(kinds=ENTERPRISE)
def dashboard(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    alerts = alerts_of(member)
    active = alerts.exclude(state=AlertState.DISMISSED)
    counts = dict(active.values_list("severity").annotate(n=Count("id")))
    top = (
        active.values("user_key", "person_label")
        .annotate(best=Max("score"), n=Count("id"))
        .order_by("-best")[:10]
    )
    context = {
        "severities": [(value, label, counts.get(value, 0)) for value, label in reversed(Severity.choices)],
        "top": list(top),
        "latest_run": runs_of(member).first(),
        "sources": sources_of(member).count(),
        "manage": permissions.can_manage(member),
        "has_alerts": alerts.exists(),
    }
    if context["has_alerts"]:
        context["trend"] = _trend(alerts)
    return render(request, "monitoring/dashboard.html", context)


@require_POST
@member_required(kinds=ENTERPRISE)
def score_now(request):
    run = actions.scoring_request(member=request.membership, request=request)
    messages.success(
        request, _("已提交评分（%(state)s），完成后刷新页面查看告警") % {"state": run.get_state_display()}
    )
    return redirect("monitoring:dashboard")
