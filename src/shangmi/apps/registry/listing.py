"""A register listing: the ordered ids of the secrets a viewer sees under some filters, with the figures
by level, category and department, read in one query and cached per register version
(registry.versioned_cache).

Any page of a listing is then a slice of its ids and one read of those rows by primary key. Without it
every page view repeated an OFFSET scan of the order index and, for a filter or search not seen before, a
grouped count over the same rows: measured at 100,000 secrets, a random page's ids took 7–10 ms, a
level-and-department page 23 ms, and a two-word search 43 ms for its figures and first page, against
about 30 ms once for the whole listing of that search."""

from __future__ import annotations

from array import array
from collections import Counter
from dataclasses import dataclass, field
from functools import cache

from django.db import connection
from django.db.models import QuerySet

from shangmi.apps.accounts.models import User
from shangmi.apps.registry import permissions
from shangmi.apps.registry.models import Carrier, TradeSecret
from shangmi.apps.registry.models.choices import CarrierState, MarkingState
from shangmi.apps.registry.queries import secrets_visible_to
from shangmi.apps.registry.search import terms


@dataclass
class Summary:
    total: int = 0
    level: dict[str, int] = field(default_factory=dict)
    category: dict[str, int] = field(default_factory=dict)
    department: dict[str, int] = field(default_factory=dict)


@dataclass
class Listing:
    ids: array  # secret ids in the register's order (newest first), int64
    summary: Summary

    @property
    def total(self) -> int:
        return len(self.ids)

    def window(self, offset: int, limit: int) -> list[int]:
        return self.ids[offset : offset + limit].tolist()


def listing_shape(filters: dict) -> dict:
    """The filters as a listing depends on them, for its cache key: search terms match in any order, so
    "压铸 模具" and "模具 压铸" share one listing."""
    return {**filters, "q": sorted(set(terms(filters.get("q") or "")))}


def list_register(qs: QuerySet[TradeSecret]) -> Listing:
    """The listing of `qs` (already filtered to what the viewer may see), in TradeSecret's order. Read
    through a plain cursor: building Django's row tuples took longer than the query (45 ms against 33 ms
    for a search of 8,600 rows)."""
    columns = qs.order_by(*TradeSecret._meta.ordering).values_list("pk", "level", "category", "department")
    sql, params = columns.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    summary = Summary(total=len(rows))
    for (level, category, department), n in Counter([row[1:] for row in rows]).items():
        summary.level[level] = summary.level.get(level, 0) + n
        summary.category[category] = summary.category.get(category, 0) + n
        summary.department[department] = summary.department.get(department, 0) + n
    return Listing(ids=array("q", [row[0] for row in rows]), summary=summary)


# The list's columns: what the table and the API show, not the long texts.
ROW_FIELDS = (
    "id",
    "organisation_id",
    "code",
    "name",
    "category",
    "subcategory",
    "level",
    "period_kind",
    "period_until",
    "department",
    "responsible_id",
    "state",
    "created_at",
    "designated_at",
)


def rows_of(member, ids: list[int]) -> list[TradeSecret]:
    """The rows of `ids` in the order of `ids`, each with `responsible_name` and its carrier counts
    (`carriers_all`, `carriers_active`, `carriers_unmarked`: active and unmarked): one plain statement by
    primary key. The ORM's query with a join and a grouped carrier count cost more to build than
    PostgreSQL took to answer both (benchmarks/RESULTS.md, "The register at scale").

    `ids` come from a listing of what this viewer sees (list_register); the statement keeps them to the
    viewer's organisation, and an employee's rows pass secrets_visible_to again. The filters are not
    applied again (re-applying a search's conditions made PostgreSQL read the search's candidates
    instead of 50 rows by key)."""
    if not ids:
        return []
    params = [CarrierState.ACTIVE, CarrierState.ACTIVE, MarkingState.UNMARKED, member.organisation_id, *ids]
    found = {row.pk: row for row in TradeSecret.objects.raw(_rows_sql(len(ids)), params)}
    if not permissions.reads_everything(member):
        visible = set(secrets_visible_to(member).filter(pk__in=ids).values_list("pk", flat=True))
        found = {pk: row for pk, row in found.items() if pk in visible}
    return [found[pk] for pk in ids if pk in found]


@cache
def _rows_sql(count: int) -> str:
    quote = connection.ops.quote_name
    carrier = quote(Carrier._meta.db_table)
    columns = ", ".join(f"s.{quote(name)}" for name in ROW_FIELDS)
    carriers = f"SELECT COUNT(*) FROM {carrier} c WHERE c.secret_id = s.id"
    return (
        f"SELECT {columns}, u.name AS responsible_name, "
        f"({carriers}) AS carriers_all, "
        f"({carriers} AND c.state = %s) AS carriers_active, "
        f"({carriers} AND c.state = %s AND c.marking = %s) AS carriers_unmarked "
        f"FROM {quote(TradeSecret._meta.db_table)} s "
        f"LEFT JOIN {quote(User._meta.db_table)} u ON u.id = s.responsible_id "
        f"WHERE s.organisation_id = %s AND s.id IN ({', '.join(['%s'] * count)})"
    )


class ListingPages:
    """A listing as the object list of Django's Paginator: a page reads only its own rows."""

    ordered = True  # the listing's order is the register's: no UnorderedObjectListWarning

    def __init__(self, listing: Listing, member):
        self.listing, self.member = listing, member

    def count(self) -> int:
        return self.listing.total

    def __len__(self) -> int:
        return self.listing.total

    def __getitem__(self, window: slice) -> list[TradeSecret]:
        return rows_of(self.member, self.listing.ids[window].tolist())
