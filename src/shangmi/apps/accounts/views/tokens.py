"""The security page: second factor, recovery codes, personal access tokens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts import actions, two_factor
from shangmi.apps.accounts.forms import TokenForm
from shangmi.apps.accounts.models import AccessToken
from shangmi.apps.accounts.queries import access_token


def security(request, form=None, new_secret=None):
    tokens = AccessToken.objects.filter(user=request.user).select_related("organisation")
    return render(
        request,
        "accounts/security.html",
        {
            "form": form or TokenForm(),
            "tokens": tokens,
            "new_secret": new_secret,
            "has_device": two_factor.has_confirmed_device(request.user),
            "recovery_left": two_factor.recovery_codes_left(request.user),
        },
    )


@require_POST
def token_create(request):
    form = TokenForm(request.POST)
    if request.organisation is None:
        messages.error(request, _("您尚未加入任何组织，无法创建令牌。"))
        return redirect("accounts:security")
    if form.is_valid():
        try:
            _token, secret = actions.token_create(
                actor=request.user,
                organisation=request.organisation,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                request=request,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            return security(request, new_secret=secret)
    return security(request, form=form)


@require_POST
def token_revoke(request, token_id: int):
    token = access_token(request.user, token_id)
    actions.token_revoke(actor=request.user, token=token, request=request)
    messages.success(request, _("令牌 %(name)s 已撤销") % {"name": token.name})
    return redirect("accounts:security")
