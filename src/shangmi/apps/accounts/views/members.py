"""Managing the active organisation's members: add, change role, deactivate (admins and officers)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.forms import MemberForm, merge_validation_error
from shangmi.apps.accounts.queries import access_member
from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES, ROLES_BY_KIND, Role


def kind_roles(organisation) -> list[tuple[str, str]]:
    allowed = ROLES_BY_KIND.get(organisation.kind, ())
    return [(value, label) for value, label in Role.choices if value in allowed]


@member_required(roles=ORG_ADMIN_ROLES)
def member_add(request):
    form = MemberForm(request.POST or None, roles=kind_roles(request.organisation))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, password = actions.member_invite(
                actor=request.user,
                organisation=request.organisation,
                name=data["name"],
                role=data["role"],
                email=data["email"] or None,
                phone=data["phone"] or None,
                department=data["department"],
                title=data["title"],
                request=request,
            )
        except ValidationError as error:
            merge_validation_error(form, error)
        else:
            return render(
                request, "accounts/member_added.html", {"membership": membership, "password": password}
            )
    return render(request, "accounts/member_form.html", {"form": form})


@require_POST
@member_required(roles=ORG_ADMIN_ROLES)
def member_role(request, member_id: int):
    membership = access_member(request.membership, member_id)
    try:
        actions.membership_change_role(
            actor=request.user, membership=membership, role=request.POST.get("role", ""), request=request
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("已将 %(name)s 的角色改为 %(role)s")
            % {"name": membership.user.name, "role": membership.get_role_display()},
        )
    return redirect("accounts:members")


@require_POST
@member_required(roles=ORG_ADMIN_ROLES)
def member_deactivate(request, member_id: int):
    membership = access_member(request.membership, member_id)
    try:
        actions.membership_deactivate(actor=request.user, membership=membership, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已停用 %(name)s 的成员身份") % {"name": membership.user.name})
    return redirect("accounts:members")
