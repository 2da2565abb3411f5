"""API authentication: personal access tokens (Bearer) for the CLI, the session for pages."""

from __future__ import annotations

from ninja.security import HttpBearer, SessionAuth

from shangmi.apps.accounts.actions import token_authenticate
from shangmi.apps.accounts.queries import membership_for


class TokenAuth(HttpBearer):
    """A token is scoped to one organisation: the request acts as its user in that organisation only."""

    def authenticate(self, request, token):
        found = token_authenticate(token)
        if found is None:
            return None
        request.user = found.user
        request.membership = membership_for(found.user, found.organisation_id)
        request.organisation = found.organisation
        request.access_token = found
        return found.user


# The browser session; TwoFactorMiddleware has already refused sessions that still owe a second factor.
AUTH = [TokenAuth(), SessionAuth()]
