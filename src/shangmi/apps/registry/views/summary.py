"""The register list's totals and chart figures.

Counting 100,000 secrets by level, category and department is one grouped query, but a full scan each
time (tens of milliseconds on PostgreSQL), too much to repeat for every page view under load: the list
caches the figures per register version (registry.versioned_cache)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count


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
