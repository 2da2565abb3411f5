"""What every page of the shell needs: the active organisation, the user's others, navigation, inbox count."""

from __future__ import annotations

from shangmi.apps.accounts.navigation import navigation_for, navigation_key
from shangmi.apps.accounts.queries import memberships_of, unread_count


def shell(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    membership = getattr(request, "membership", None)
    return {
        "active_membership": membership,
        "active_org": membership.organisation if membership else None,
        "my_memberships": request.memberships
        if getattr(request, "memberships", None) is not None
        else list(memberships_of(user)),
        # Read only when the sidebar is not cached already (base.html caches it under nav_key).
        "nav_items": lambda: navigation_for(request),
        "nav_key": navigation_key(request),
        "unread_notifications": _unread(user, membership),
    }


def _unread(user, membership) -> int:
    """The bell's count: read with the request's memberships (middleware) when it has one."""
    if membership is not None and hasattr(membership, "unread"):
        return membership.unread
    return unread_count(user, membership.organisation if membership else None)
