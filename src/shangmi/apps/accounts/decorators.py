"""View guards on the active membership. Object access still goes through queries.access_*."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import PermissionDenied

from shangmi.apps.accounts.queries import is_platform_admin


def member_required(*, kinds: Iterable[str] | None = None, roles: Iterable[str] | None = None) -> Callable:
    """Allow only users whose active membership is of one of `kinds` and holds one of `roles`."""
    kinds_set = frozenset(kinds) if kinds else None
    roles_set = frozenset(roles) if roles else None

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:
                raise PermissionDenied
            if kinds_set is not None and membership.organisation.kind not in kinds_set:
                raise PermissionDenied
            if roles_set is not None and membership.role not in roles_set:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def platform_admin_required(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_platform_admin(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper
