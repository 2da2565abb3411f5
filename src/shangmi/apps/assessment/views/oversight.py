"""Pages for the organisations outside the enterprise: the self-checks a provider or regulator was invited
to review, and a regulator's view of the shared scores in its jurisdiction."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.assessment import charts
from shangmi.apps.assessment.framework import available_frameworks
from shangmi.apps.assessment.jurisdiction import BANDS, overview
from shangmi.apps.assessment.labels import domain_name
from shangmi.apps.assessment.queries import reviews_for


@require_safe
@member_required(kinds=[OrgKind.PROVIDER, OrgKind.REGULATOR])
def reviews(request):
    rows = reviews_for(request.membership).select_related("organisation").order_by("state", "-submitted_at")
    return render(request, "assessment/reviews.html", {"assessments": rows})


def _domain_names() -> dict[str, str]:
    names: dict[str, str] = {}
    for framework in available_frameworks():
        for domain in framework.domains:
            names.setdefault(domain.key, domain_name(domain))
    return names


@require_safe
@member_required(kinds=[OrgKind.REGULATOR])
def jurisdiction(request):
    result = overview(request.membership.organisation)
    labels = [label for _low, _high, label in BANDS]
    names = _domain_names()
    context = {
        "overview": result,
        "bands": labels,
        "domains": [(names.get(k, k), score) for k, score in result.domains],
    }
    if result.sharing:
        context["district_chart"] = charts.histogram(labels, {g.name: g.bands for g in result.by_district})
        context["industry_chart"] = charts.histogram(labels, {g.name: g.bands for g in result.by_industry})
    return render(request, "assessment/jurisdiction.html", context)
