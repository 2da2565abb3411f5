"""API authentication: personal access tokens (Bearer) for the CLI, the session for pages."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja.errors import HttpError
from ninja.security import HttpBearer, SessionAuth

from shangmi.apps.accounts.actions import token_authenticate
from shangmi.apps.accounts.two_factor import owes_second_factor


class TokenAuth(HttpBearer):
    """A token is scoped to one organisation: the request acts as its user in that organisation only."""

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.membership = found.membership
        request.organisation = found.organisation
        request.access_token = found
        return found.user


class VerifiedSessionAuth(SessionAuth):
    """The browser session, refused while it still owes its second factor."""

    def authenticate(self, request, key):
        user = super().authenticate(request, key)
        if user is None:
            return None
        if owes_second_factor(user, getattr(request, "memberships", None)):
            raise HttpError(403, _("需要完成双因素认证"))
        if user.password_change_required:
            raise HttpError(403, _("请先修改初始密码"))
        return user


AUTH = [TokenAuth(), VerifiedSessionAuth()]
