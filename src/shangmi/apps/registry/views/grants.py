"""Pages of the access scope (知悉范围): entrust a person or a position, revoke, acknowledge; and every
member's own list of what they are entrusted with (我的知悉事项)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import actions, permissions
from shangmi.apps.registry.forms import GrantForm
from shangmi.apps.registry.queries import access_grant, access_secret, active_grants
from shangmi.apps.registry.views.allowed import require_role, state_refusal
from shangmi.apps.registry.views.flow import secret_form_page
from shangmi.apps.registry.views.lifecycle import detail_url

ENTERPRISE = [OrgKind.ENTERPRISE]


@member_required(kinds=ENTERPRISE)
def grant_add(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "grant_add")
    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "grant_add"),
        title=_("授权知悉"),
        intro=_(
            "授权后，被授权人员（或担任该岗位的成员）可在台账中看到本项商业秘密，并须在“我的知悉事项”中确认知悉。"
        ),
        submit=_("授权"),
        form=GrantForm(request.POST or None, organisation=secret.organisation),
        perform=lambda f: actions.grant_add(
            member=member, secret=secret, request=request, **f.action_fields()
        ),
        success=lambda g: _("已授权 %(who)s 知悉 %(code)s") % {"who": g.grantee, "code": secret.code},
        target=lambda g: detail_url(secret) + "#grants",
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def grant_revoke(request, grant_id: int):
    member = request.membership
    grant = access_grant(member, grant_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    try:
        actions.grant_revoke(member=member, grant=grant, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已撤销 %(who)s 的知悉授权") % {"who": grant.grantee})
    return redirect(detail_url(grant.secret) + "#grants")


@require_POST
@member_required(kinds=ENTERPRISE)
def grant_acknowledge(request, grant_id: int):
    """The grantee confirms, logged in, that they know the secret and their duty to keep it."""
    member = request.membership
    grant = access_grant(member, grant_id)
    try:
        actions.grant_acknowledge(member=member, grant=grant, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已确认知悉 %(code)s") % {"code": grant.secret.code})
    target = request.POST.get("next")
    return redirect("registry:mine" if target == "mine" else detail_url(grant.secret))


@member_required(kinds=ENTERPRISE)
def my_grants(request):
    member = request.membership
    mine = Q(user_id=member.user_id)
    if member.title:
        mine |= Q(position=member.title)
    grants = (
        active_grants(member.organisation_id)
        .filter(mine)
        .select_related("secret", "granted_by")
        .order_by("acknowledged_at", "-granted_at")
    )
    waiting = sum(1 for g in grants if g.user_id and g.acknowledged_at is None)
    return render(request, "registry/mine.html", {"grants": grants, "waiting": waiting})
