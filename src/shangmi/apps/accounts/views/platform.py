"""Organisations on the platform, for platform administrators: list, search, onboard."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.decorators import platform_admin_required
from shangmi.apps.accounts.forms import OrganisationForm, merge_validation_error
from shangmi.apps.accounts.models import Organisation
from shangmi.apps.accounts.roles import OrgKind

ONBOARD_KINDS = [(k, label) for k, label in OrgKind.choices if k != OrgKind.PLATFORM]


@platform_admin_required
def organisation_list(request):
    qs = Organisation.objects.select_related("region").annotate(
        members=Count("memberships", filter=Q(memberships__is_active=True))
    )
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_code__icontains=q) | Q(region__name__contains=q))
    kind = request.GET.get("kind", "")
    if kind:
        qs = qs.filter(kind=kind)
    page = Paginator(qs.order_by("kind", "short_code"), 25).get_page(request.GET.get("page"))
    context = {"page": page, "q": q, "kind": kind, "kinds": OrgKind.choices}
    template = "accounts/organisations.html#rows" if request.htmx else "accounts/organisations.html"
    return render(request, template, context)


@platform_admin_required
def organisation_add(request):
    form = OrganisationForm(request.POST or None, kinds=ONBOARD_KINDS)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            organisation, membership, password = actions.organisation_onboard(
                actor=request.user,
                kind=d["kind"],
                name=d["name"],
                short_code=d["short_code"],
                region_code=d["region"] or None,
                credit_code=d["credit_code"],
                industry=d["industry"],
                admin_name=d["admin_name"],
                admin_email=d["admin_email"] or None,
                admin_phone=d["admin_phone"] or None,
                request=request,
            )
        except ValidationError as error:
            merge_validation_error(form, error)
        else:
            return render(
                request,
                "accounts/member_added.html",
                {"membership": membership, "password": password, "organisation": organisation},
            )
    return render(request, "accounts/organisation_form.html", {"form": form})
