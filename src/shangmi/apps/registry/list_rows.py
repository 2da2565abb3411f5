"""The rows of a register page: one plain statement by primary key that also brings each row's
responsible person and carrier counts.

The ORM's version (a query with a join, a grouped carrier count, and a model instance per row with its
init signals) cost more Python than PostgreSQL took to answer it (benchmarks/RESULTS.md, "The register at
scale"). The columns still pass through Django's converters for their fields, so dates and times come
back as the ORM would give them on every database."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from functools import cache

from django.db import connection

from shangmi.apps.accounts.models import User
from shangmi.apps.registry import permissions
from shangmi.apps.registry.models import Carrier, TradeSecret
from shangmi.apps.registry.models.choices import CarrierState, MarkingState
from shangmi.apps.registry.queries import secrets_visible_to


@dataclass
class ListRow:
    """A row of the list. The fields up to `designated_at` are TradeSecret's columns (what the table and
    the API show, not the long texts); the next four are selected with them (_sql)."""

    id: int
    code: str
    name: str
    category: str
    subcategory: str
    level: str
    period_kind: str
    period_until: date | None
    department: str
    responsible_id: int | None
    state: str
    created_at: datetime
    designated_at: datetime | None
    responsible_name: str | None
    carriers_all: int  # destroyed ones included: they stay in the register
    carriers_active: int
    carriers_unmarked: int  # active and unmarked
    url: str = ""  # set for the page (register_rows.label_rows)
    labels: dict = field(default_factory=dict)

    @property
    def pk(self) -> int:
        return self.id

    # The API's names for the counts (api_schemas.SecretOut).
    @property
    def carrier_count(self) -> int:
        return self.carriers_all

    @property
    def unmarked_count(self) -> int:
        return self.carriers_unmarked


# Selected after the secret's own columns, in this order.
EXTRA_COLUMNS = ("responsible_name", "carriers_all", "carriers_active", "carriers_unmarked")
# Set on the page, not read from the database.
PAGE_ONLY = ("url", "labels")
FIELDS = tuple(f.name for f in fields(ListRow) if f.name not in EXTRA_COLUMNS + PAGE_ONLY)


def rows_of(member, ids: list[int]) -> list[ListRow]:
    """The rows of `ids` in the order of `ids`.

    `ids` come from a listing of what this viewer sees (listing.list_register); the statement keeps them
    to the viewer's organisation, and an employee's rows pass secrets_visible_to again. The filters are
    not applied again (re-applying a search's conditions made PostgreSQL read the search's candidates
    instead of 50 rows by key)."""
    if not ids:
        return []
    params = [CarrierState.ACTIVE, CarrierState.ACTIVE, MarkingState.UNMARKED, member.organisation_id, *ids]
    with connection.cursor() as cursor:
        cursor.execute(_sql(len(ids)), params)
        fetched = cursor.fetchall()
    convert = _converters()
    found = {}
    for values in fetched:
        row = ListRow(*(_convert(value, steps) for value, steps in zip(values, convert, strict=True)))
        found[row.id] = row
    if not permissions.reads_everything(member):
        visible = set(secrets_visible_to(member).filter(pk__in=ids).values_list("pk", flat=True))
        found = {pk: row for pk, row in found.items() if pk in visible}
    return [found[pk] for pk in ids if pk in found]


def _convert(value, steps):
    for converter, expression in steps:
        value = converter(value, expression, connection)
    return value


@cache
def _converters() -> list[list]:
    """Per selected column, the converters the ORM would apply to its field (none for the extra columns)."""
    table = TradeSecret._meta.db_table
    columns = []
    for name in FIELDS:
        column = TradeSecret._meta.get_field(name).get_col(table)
        steps = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        columns.append([(converter, column) for converter in steps])
    return columns + [[] for _extra in EXTRA_COLUMNS]


@cache
def _sql(count: int) -> str:
    quote = connection.ops.quote_name
    carriers = f"SELECT COUNT(*) FROM {quote(Carrier._meta.db_table)} c WHERE c.secret_id = s.id"
    return (
        f"SELECT {', '.join(f's.{quote(name)}' for name in FIELDS)}, u.name, "
        f"({carriers}), ({carriers} AND c.state = %s), ({carriers} AND c.state = %s AND c.marking = %s) "
        f"FROM {quote(TradeSecret._meta.db_table)} s "
        f"LEFT JOIN {quote(User._meta.db_table)} u ON u.id = s.responsible_id "
        f"WHERE s.organisation_id = %s AND s.id IN ({', '.join(['%s'] * count)})"
    )
