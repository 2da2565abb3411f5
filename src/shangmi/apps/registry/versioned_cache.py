"""A cache keyed by the register's version: the head of the organisation's audit chain.

Every write to the register goes through an action that appends to the organisation's audit chain in the
same transaction, so the chain head's hash names a version of the register: anything computed from the
register and cached under it is never stale after an action. The head is one index lookup
(audit_seq_per_org). Writes that bypass the actions (raw SQL) show after at most MAX_AGE; grant expiry,
which changes what an employee sees without a write, is covered by keying on the date."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from django.core.cache import caches
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.registry import permissions

MAX_AGE = 600  # seconds


def register_version(organisation_id: int) -> str:
    """The organisation's audit chain head: changes whenever an action writes to the register."""
    head = (
        AuditEvent.objects.filter(organisation_id=organisation_id)
        .order_by("-seq")
        .values_list("hash", flat=True)
        .first()
    )
    return head or "empty"


def viewer_key(member) -> str:
    """Who sees what: the whole register, or an employee's own entrusted part."""
    if permissions.reads_everything(member):
        return "all"
    return f"user:{member.user_id}:{member.role}:{member.title}"


def fragment_key(member, version: str, params: dict) -> str:
    """A digest of what a rendered fragment depends on (viewer, day, version, `params`), for the
    `{% cache %}` tag's vary_on."""
    shape = json.dumps(
        [viewer_key(member), timezone.localdate().isoformat(), version, params], sort_keys=True
    )
    return hashlib.sha256(shape.encode()).hexdigest()[:32]


def cached[T](
    member, version: str, what: str, params: dict, compute: Callable[[], T], store: str = "default"
) -> T:
    """`store`: the cache alias (settings.CACHES); rendered fragments go to "fragments"."""
    shape = json.dumps([viewer_key(member), timezone.localdate().isoformat(), params], sort_keys=True)
    digest = hashlib.sha256(shape.encode()).hexdigest()[:32]
    key = f"registry:{what}:{member.organisation_id}:{version}:{digest}"
    cache = caches[store]
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, MAX_AGE)
    return found
