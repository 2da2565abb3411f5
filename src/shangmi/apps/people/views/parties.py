"""External parties (外部单位): the list with their agreements, register one, edit one."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.parties import PARTY_FIELDS, party_add, party_update
from shangmi.apps.people.forms.agreements import PartyForm
from shangmi.apps.people.queries import access_party, parties_of
from shangmi.apps.registry.views.flow import form_page

ENTERPRISE = [OrgKind.ENTERPRISE]


@require_safe
@member_required(kinds=ENTERPRISE)
def party_list(request):
    member = request.membership
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    q = request.GET.get("q", "").strip()
    qs = parties_of(member).annotate(agreement_count=Count("agreements"))
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(contact__icontains=q) | Q(credit_code__icontains=q))
    page = Paginator(qs.order_by("name", "id"), 50).get_page(request.GET.get("page"))
    return render(
        request,
        "people/agreements/parties.html",
        {"page": page, "q": q, "query": f"q={q}" if q else "", "manage": permissions.can_manage(member)},
    )


def _party_page(request, form, perform, title: str, success):
    return form_page(
        request,
        form=form,
        perform=perform,
        template="people/agreements/party_form.html",
        context={"title": title},
        success=success,
        target=lambda _p: reverse("people:parties"),
    )


@member_required(kinds=ENTERPRISE)
def party_new(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    return _party_page(
        request,
        PartyForm(request.POST or None),
        lambda f: party_add(member=member, request=request, **f.cleaned_data),
        _("登记外部单位"),
        lambda p: _("已登记外部单位 %(name)s") % {"name": p.name},
    )


@member_required(kinds=ENTERPRISE)
def party_edit(request, party_id: int):
    member = request.membership
    party = access_party(member, party_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    initial = {field: getattr(party, field) for field in PARTY_FIELDS}
    return _party_page(
        request,
        PartyForm(request.POST or None, initial=initial),
        lambda f: party_update(member=member, party=party, request=request, **f.cleaned_data),
        _("修改外部单位：%(name)s") % {"name": party.name},
        lambda p: _("已保存 %(name)s") % {"name": p.name},
    )
