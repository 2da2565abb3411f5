"""The register list's totals and chart figures, and its department choices, cached per register version.

Counting 100,000 secrets by level, category and department is one grouped query, but a full scan each
time (tens of milliseconds on PostgreSQL), too much to repeat for every page view under load. Every write
to the register goes through an action that appends to the organisation's audit chain in the same
transaction, so the chain head's hash names a version of the register: figures are cached under it and
are never stale after an action. The head is one index lookup (audit_seq_per_org). Writes that bypass
the actions (raw SQL) show after at most MAX_AGE; grant expiry, which changes what an employee sees
without a write, is covered by keying on the date."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db.models import Count
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.registry import permissions

MAX_AGE = 600  # seconds


@dataclass
class Summary:
    total: int = 0
    level: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    department: dict[str, int] = field(default_factory=dict)


def summarise(qs) -> Summary:
    """Counts by level, category and department, and the total, in one grouped query (the figures of
    queries.register_stats, without scanning the filtered set once per chart)."""
    summary = Summary()
    rows = qs.order_by().values_list("level", "category", "department").annotate(n=Count("id"))
    for level, category, department, n in rows:
        summary.total += n
        summary.level[level] = summary.level.get(level, 0) + n
        summary.category[category] = summary.category.get(category, 0) + n
        summary.department[department] = summary.department.get(department, 0) + n
    return summary


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


def cached[T](member, version: str, what: str, params: dict, compute: Callable[[], T]) -> T:
    shape = json.dumps([viewer_key(member), timezone.localdate().isoformat(), params], sort_keys=True)
    digest = hashlib.sha256(shape.encode()).hexdigest()[:32]
    key = f"registry:{what}:{member.organisation_id}:{version}:{digest}"
    found = cache.get(key)
    if found is None:
        found = compute()
        cache.set(key, found, MAX_AGE)
    return found
