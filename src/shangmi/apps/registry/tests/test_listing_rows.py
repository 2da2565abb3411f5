"""list_rows.rows_of: a page's rows read in one statement with their person and carrier counts, kept to the
viewer's organisation and, for an employee, to what they may see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.registry import actions
from shangmi.apps.registry.list_rows import rows_of

pytestmark = pytest.mark.django_db


def _carriers(officer, secret) -> None:
    """Three carriers: one marked, one unmarked, one marked and then destroyed."""
    marked = actions.carrier_add(member=officer, secret=secret, kind="paper", name="纸本")
    actions.carrier_mark(member=officer, carrier=marked)
    actions.carrier_add(member=officer, secret=secret, kind="paper", name="副本")
    gone = actions.carrier_add(member=officer, secret=secret, kind="paper", name="旧本")
    actions.carrier_mark(member=officer, carrier=gone)
    actions.carrier_destroy(
        member=officer, carrier=gone, method="shred", witness="王五", destroyed_on=timezone.localdate()
    )


def test_rows_come_in_the_order_asked_with_person_and_carrier_counts(enterprise, members, application):
    officer, manager = members["officer"], members["manager"]
    first = application(officer, name="甲", responsible=manager.user)
    second = application(officer, name="乙")
    _carriers(officer, first)

    with CaptureQueriesContext(connection) as captured:
        rows = rows_of(manager, [second.pk, first.pk])
    assert len(captured) == 1
    assert [r.pk for r in rows] == [second.pk, first.pk]
    by_name = {r.name: r for r in rows}
    assert by_name["甲"].responsible_name == manager.user.name
    assert by_name["乙"].responsible_name is None
    counts = {r.name: (r.carriers_all, r.carriers_active, r.carriers_unmarked) for r in rows}
    assert counts == {"甲": (3, 2, 1), "乙": (0, 0, 0)}


def test_the_list_shows_the_same_counts(login, enterprise, members, application):
    """The API counts every carrier (destroyed ones stay in the register); the page counts those in use."""
    import re

    from .api_support import role_apis

    officer = members["officer"]
    secret = application(officer, name="计数", responsible=members["manager"].user)
    _carriers(officer, secret)
    row = role_apis(enterprise)["officer"].get("/secrets").json()["items"][0]
    assert (row["responsible"], row["carrier_count"], row["unmarked_count"]) == (
        members["manager"].user.name,
        3,
        1,
    )
    body = login(enterprise[1]["officer"]).get("/registry/").content.decode()
    cell = re.search(rf'data-secret="{secret.pk}".*?<td class="text-end text-nowrap">(.*?)</td>', body, re.S)
    assert re.sub(r"<[^>]+>", "", cell.group(1)) == "2 / 1"
    assert members["manager"].user.name in body


def test_another_organisations_ids_give_nothing(enterprise, other_enterprise, members, application):
    theirs = application(
        Membership.objects.get(user=other_enterprise[1]["officer"], organisation=other_enterprise[0])
    )
    ours = application(members["officer"])
    assert [r.pk for r in rows_of(members["manager"], [theirs.pk, ours.pk])] == [ours.pk]


def test_an_employee_gets_only_rows_they_may_see(enterprise, members, application):
    officer, employee = members["officer"], members["employee"]
    entrusted = application(officer, name="已知悉")
    grant = actions.grant_add(member=officer, secret=entrusted, user=employee.user, reason="工作需要")
    actions.grant_acknowledge(member=employee, grant=grant)
    unacknowledged = application(officer, name="未确认")
    actions.grant_add(member=officer, secret=unacknowledged, user=employee.user, reason="工作需要")
    other = application(officer, name="无关")
    ids = [other.pk, unacknowledged.pk, entrusted.pk]
    assert [r.name for r in rows_of(employee, ids)] == ["已知悉"]
    assert rows_of(employee, []) == []
