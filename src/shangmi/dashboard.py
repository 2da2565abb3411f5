"""Figures for the dashboard, composed across apps. Every number is counted from stored data."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Membership, Organisation, User
from shangmi.apps.accounts.queries import organisations_in_jurisdiction, regions_within
from shangmi.apps.accounts.roles import TWO_FACTOR_REQUIRED, OrgKind, Role
from shangmi.apps.audit.models import AuditEvent


def _audit_series(organisation: Organisation, days: int = 30) -> dict:
    today = timezone.localdate()
    start = today - timedelta(days=days - 1)
    rows = (
        AuditEvent.objects.filter(organisation=organisation, created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(n=Count("id"))
    )
    counts = {row["day"]: row["n"] for row in rows}
    labels = [(start + timedelta(days=i)) for i in range(days)]
    return {"labels": [d.strftime("%m-%d") for d in labels], "values": [counts.get(d, 0) for d in labels]}


def _bar_chart(series: dict) -> dict:
    """An ECharts option for a daily bar chart; rendered client-side from json_script."""
    return {
        "animation": False,
        "grid": {"left": 32, "right": 8, "top": 16, "bottom": 24},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "category", "data": series["labels"]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [{"type": "bar", "data": series["values"], "itemStyle": {"color": "#8b1d1d"}}],
    }


def _two_factor_coverage(organisation: Organisation) -> tuple[int, int]:
    required_roles = TWO_FACTOR_REQUIRED.get(organisation.kind, frozenset())
    members = Membership.objects.filter(organisation=organisation, is_active=True, role__in=required_roles)
    total = members.count()
    enrolled = members.filter(user__totpdevice__confirmed=True).values("user").distinct().count()
    return enrolled, total


def figures_for(organisation: Organisation) -> dict:
    members = Membership.objects.filter(organisation=organisation, is_active=True)
    since = timezone.now() - timedelta(days=30)
    enrolled, required = _two_factor_coverage(organisation)
    cards = [
        {"label": _("成员"), "value": members.count(), "icon": "people"},
        {
            "label": _("近 30 天审计事件"),
            "value": AuditEvent.objects.filter(organisation=organisation, created_at__gte=since).count(),
            "icon": "journal-text",
        },
        {"label": _("双因素认证（须启用者）"), "value": f"{enrolled}/{required}", "icon": "shield-check"},
    ]
    by_role = [
        {"label": Role(row["role"]).label, "value": row["n"]}
        for row in members.values("role").annotate(n=Count("id")).order_by("-n")
    ]
    by_department = [
        {"label": row["department"] or _("未分配"), "value": row["n"]}
        for row in members.values("department").annotate(n=Count("id")).order_by("-n")
    ]
    series = _audit_series(organisation)
    context = {
        "cards": cards,
        "by_role": by_role,
        "by_department": by_department,
        "audit_chart": _bar_chart(series),
    }
    if organisation.kind == OrgKind.REGULATOR and organisation.region:
        counties = regions_within(organisation.region).exclude(code=organisation.region.code)
        enterprises = organisations_in_jurisdiction(organisation, OrgKind.ENTERPRISE)
        context["cards"] += [
            {"label": _("辖区内下级区划"), "value": counties.count(), "icon": "map"},
            {"label": _("辖区内在平台的企业"), "value": enterprises.count(), "icon": "building"},
            {
                "label": _("辖区内监管部门"),
                "value": organisations_in_jurisdiction(organisation, OrgKind.REGULATOR)
                .exclude(pk=organisation.pk)
                .count(),
                "icon": "bank",
            },
        ]
    if organisation.kind == OrgKind.PLATFORM:
        context["cards"] += [
            {"label": _("组织"), "value": Organisation.objects.count(), "icon": "diagram-3"},
            {"label": _("用户"), "value": User.objects.count(), "icon": "person"},
        ]
    return context
