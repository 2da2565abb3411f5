"""Switching the active organisation and listing its members."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.middleware import SESSION_ORG_KEY
from shangmi.apps.accounts.models import Membership
from shangmi.apps.accounts.queries import NotFound, membership_for
from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES, ROLES_BY_KIND, Role


@require_POST
def switch(request):
    try:
        org_id = int(request.POST.get("organisation", ""))
    except ValueError:
        raise NotFound() from None
    membership = membership_for(request.user, org_id)
    if membership is None:
        raise NotFound()
    request.session[SESSION_ORG_KEY] = membership.organisation_id
    messages.success(request, _("已切换到 %(org)s") % {"org": membership.organisation.name})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "dashboard"
    return redirect(target)


@member_required(roles=ORG_ADMIN_ROLES | {Role.MANAGER})
def members(request):
    qs = Membership.objects.filter(organisation=request.organisation).select_related("user")
    q = request.GET.get("q", "").strip()
    if q:
        qs = qs.filter(
            Q(user__name__icontains=q)
            | Q(user__email__icontains=q)
            | Q(user__phone__icontains=q)
            | Q(department__icontains=q)
        )
    role = request.GET.get("role", "")
    if role:
        qs = qs.filter(role=role)
    page = Paginator(qs.order_by("department", "user__name", "pk"), 25).get_page(request.GET.get("page"))
    kind_roles = ROLES_BY_KIND.get(request.organisation.kind, ())
    roles = [(value, label) for value, label in Role.choices if value in kind_roles]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "role": role,
        "roles": roles,
        "query": query.urlencode(),
        "can_manage": request.membership.role in ORG_ADMIN_ROLES,
    }
    template = "accounts/members.html#rows" if request.htmx else "accounts/members.html"
    return render(request, template, context)
