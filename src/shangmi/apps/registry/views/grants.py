"""Pages of the access scope (知悉范围): entrust a person or a position, revoke, acknowledge; and every
member's own list of what they are entrusted with (我的知悉事项)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import actions, permissions
from shangmi.apps.registry.acknowledgement import ACK_TEXT_VERSION, acknowledgement_text, text_sha256
from shangmi.apps.registry.acknowledgements_pending import pending_acknowledgements
from shangmi.apps.registry.forms import GrantForm
from shangmi.apps.registry.models import GrantAcknowledgement
from shangmi.apps.registry.queries import access_grant, access_my_grant, access_secret, grants_covering
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


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(kinds=ENTERPRISE)
def grant_acknowledge(request, grant_id: int):
    """The grantee reads the acknowledgement and confirms it, logged in; until then the grant does not
    let them see the secret."""
    member = request.membership
    grant = access_my_grant(member, grant_id)
    if request.method == "POST":
        try:
            actions.grant_acknowledge(member=member, grant=grant, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("registry:mine")
        messages.success(request, _("已确认知悉 %(code)s") % {"code": grant.secret.code})
        return redirect(detail_url(grant.secret))
    text = acknowledgement_text(grant, member.user.name)
    done = grant.acknowledgement_time(member.user_id)
    return render(
        request,
        "registry/acknowledge.html",
        {
            "grant": grant,
            "text": text,
            "sha256": text_sha256(text),
            "version": ACK_TEXT_VERSION,
            "done": done,
        },
    )


@member_required(kinds=ENTERPRISE)
def my_grants(request):
    member = request.membership
    grants = list(grants_covering(member).select_related("secret", "granted_by").order_by("-granted_at"))
    acked_positions = dict(
        GrantAcknowledgement.objects.filter(
            user_id=member.user_id, grant__in=[g for g in grants if not g.user_id]
        ).values_list("grant_id", "at")
    )
    for g in grants:
        g.my_ack = g.acknowledged_at if g.user_id else acked_positions.get(g.pk)
    grants.sort(key=lambda g: g.my_ack is not None)
    waiting = sum(1 for g in grants if g.my_ack is None)
    return render(request, "registry/mine.html", {"grants": grants, "waiting": waiting})


@member_required(kinds=ENTERPRISE)
def acknowledgements_pending(request):
    """The officer's list of people who have not yet acknowledged their grants."""
    member = request.membership
    if not permissions.reads_everything(member):
        raise PermissionDenied
    search = request.GET.get("q", "").strip()[:64]
    rows = pending_acknowledgements(member.organisation_id, search=search)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "registry/acknowledgements_pending.html",
        {"page": page, "total": len(rows), "q": search, "query": urlencode({"q": search}) if search else ""},
    )
