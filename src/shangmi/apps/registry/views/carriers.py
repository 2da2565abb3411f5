"""Pages for carriers (载体): register one (with digests for electronic carriers), mark it, destroy it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import actions, permissions
from shangmi.apps.registry.forms import CarrierForm, DestroyForm
from shangmi.apps.registry.models.choices import ELECTRONIC_KINDS, CarrierState
from shangmi.apps.registry.queries import access_carrier, access_secret
from shangmi.apps.registry.views.allowed import require_role, state_refusal
from shangmi.apps.registry.views.flow import secret_form_page
from shangmi.apps.registry.views.lifecycle import detail_url

ENTERPRISE = [OrgKind.ENTERPRISE]


@member_required(kinds=ENTERPRISE)
def carrier_add(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "carrier_add")
    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "carrier_add"),
        title=_("登记载体"),
        submit=_("登记"),
        form=CarrierForm(request.POST or None, organisation=secret.organisation),
        perform=lambda f: actions.carrier_add(
            member=member, secret=secret, request=request, **f.action_fields()
        ),
        success=lambda c: _("已登记载体 %(code)s") % {"code": c.code},
        target=lambda c: detail_url(secret),
        template="registry/carrier_form.html",
        context={"electronic": " ".join(sorted(ELECTRONIC_KINDS))},
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def carrier_mark(request, carrier_id: int):
    member = request.membership
    carrier = access_carrier(member, carrier_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    try:
        actions.carrier_mark(member=member, carrier=carrier, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("载体 %(code)s 已标识") % {"code": carrier.code})
    return redirect(detail_url(carrier.secret) + "#carriers")


@member_required(kinds=ENTERPRISE)
def carrier_destroy(request, carrier_id: int):
    member = request.membership
    carrier = access_carrier(member, carrier_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    refusal = ""
    if carrier.state == CarrierState.DESTROYED:
        refusal = _("载体“%(code)s”已于 %(day)s 销毁") % {"code": carrier.code, "day": carrier.destroyed_on}
    return secret_form_page(
        request,
        carrier.secret,
        step_refusal=refusal,
        title=_("销毁载体 %(code)s") % {"code": carrier.code},
        intro=_("销毁（销密）须有监销人在场；销毁方式、监销人与日期将存证。销毁后的载体仍保留在台账中。"),
        submit=_("确认销毁"),
        form=DestroyForm(request.POST or None),
        perform=lambda f: actions.carrier_destroy(
            member=member, carrier=carrier, request=request, **f.cleaned_data
        ),
        success=lambda c: _("已记录载体 %(code)s 的销毁") % {"code": c.code},
        target=lambda c: detail_url(carrier.secret) + "#carriers",
        context={"carrier": carrier, "danger": True},
    )
