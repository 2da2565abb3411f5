"""The register (台账) list: filters, Chinese substring search, totals, charts and 50 rows a page.

Built to stay fast on 100,000 secrets: the ordered ids of the filtered set, its totals and all three
charts come from one query, cached per register version (registry.listing); a page is then one read of
its 50 rows by primary key with the responsible person joined, and one grouped query on the carrier index
for their carrier counts; and the rendered fragment is cached too (views/register_rows.py)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import permissions
from shangmi.apps.registry.models.choices import Category, Level, SecretState
from shangmi.apps.registry.queries import departments_of, secrets_visible_to
from shangmi.apps.registry.versioned_cache import cached, fragment_key, register_version
from shangmi.apps.registry.views.register_rows import render_rows

FILTERS = ("q", "category", "level", "state", "department", "ending_within", "unmarked")


def _departments(member) -> list[str]:
    if permissions.reads_everything(member):
        return departments_of(member.organisation_id)
    # An employee learns only the departments of the secrets entrusted to them.
    return sorted(set(secrets_visible_to(member).values_list("department", flat=True)))


@member_required(kinds=[OrgKind.ENTERPRISE])
def secret_list(request):
    member = request.membership
    params = {name: request.GET.get(name, "").strip() for name in FILTERS}
    version = register_version(member.organisation_id)
    # Rendered by our own template from escaped values (registry/_rows.html).
    rows = mark_safe(render_rows(member, version, params, request.GET.get("page", "1")))
    if request.htmx:
        response = HttpResponse(rows)
    else:
        response = render(request, "registry/list.html", _page_context(member, version, params, rows))
    # The same address answers with the rows alone or the whole page: caches must tell them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


def _page_context(member, version: str, params: dict, rows) -> dict:
    return {
        "rows": rows,
        "params": params,
        "categories": Category.choices,
        "levels": Level.choices,
        "states": SecretState.choices,
        # The filter form is cached per viewer, version and filters (list.html); its departments are read
        # only when it is rendered.
        "filters_key": fragment_key(member, version, params),
        "departments": lambda: cached(member, version, "departments", {}, lambda: _departments(member)),
        "manage": permissions.can_manage(member),
    }
