"""Role-aware navigation. Apps add their entries with `register` in AppConfig.ready()."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from shangmi.apps.accounts.queries import is_platform_admin
from shangmi.apps.accounts.roles import OrgKind


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    icon: str
    kinds: frozenset[str] = frozenset(OrgKind.values)  # organisation kinds that see it
    roles: frozenset[str] | None = None  # None: every role of those kinds
    platform_admin_only: bool = False
    order: int = 100


_ENTRIES: list[NavEntry] = []


def register(entry: NavEntry) -> None:
    if all(existing.url_name != entry.url_name for existing in _ENTRIES):
        _ENTRIES.append(entry)


def navigation_key(request) -> str:
    """Everything navigation_for depends on besides the language: the rendered sidebar is cached under it."""
    membership = getattr(request, "membership", None)
    platform_admin = is_platform_admin(request.user, getattr(request, "memberships", None) or [])
    kind, role = (membership.organisation.kind, membership.role) if membership else ("", "")
    return f"{kind}:{role}:{platform_admin:d}:{request.path}"


def navigation_for(request) -> list[dict]:
    membership = getattr(request, "membership", None)
    items = []
    platform_admin = None
    for entry in sorted(_ENTRIES, key=lambda e: e.order):
        if entry.platform_admin_only:
            if platform_admin is None:
                platform_admin = is_platform_admin(request.user, getattr(request, "memberships", None))
            if not platform_admin:
                continue
        elif (
            membership is None
            or membership.organisation.kind not in entry.kinds
            or entry.roles is not None
            and membership.role not in entry.roles
        ):
            continue
        url = reverse(entry.url_name)
        items.append({"url": url, "label": entry.label, "icon": entry.icon, "active": False})
    # The entry whose address is the longest prefix of the page's is the active one: /people/ and
    # /people/agreements/ are both entries, and an agreement's page belongs to the second.
    matching = [
        i
        for i in items
        if (request.path == i["url"] if i["url"] == "/" else request.path.startswith(i["url"]))
    ]
    if matching:
        max(matching, key=lambda i: len(i["url"]))["active"] = True
    return items
