"""The employees list (人员名册)."""

from __future__ import annotations

from django.shortcuts import render

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people.queries import employees_visible_to


@member_required(kinds=[OrgKind.ENTERPRISE])
def employees(request):
    rows = employees_visible_to(request.membership).select_related("department", "position")
    return render(request, "people/staff/list.html", {"employees": rows})
