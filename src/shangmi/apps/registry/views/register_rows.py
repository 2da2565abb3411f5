"""The register list's rows, totals and charts as one HTML fragment (the page's #rows, also what HTMX
filtering swaps in). It depends only on the register's version, who is looking, the filters, the page
and the language, so it is cached under exactly those (registry.versioned_cache): a repeated view of a
large register renders no table at all. The rows come from the cached listing of the filters
(registry.listing): a page is a slice of its ids."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import get_language

from shangmi.apps.registry import permissions
from shangmi.apps.registry.listing import ListingPages, list_register, listing_shape
from shangmi.apps.registry.models.choices import (
    Category,
    Level,
    PeriodKind,
    SecretState,
    Subcategory,
)
from shangmi.apps.registry.queries import filter_register, secrets_visible_to
from shangmi.apps.registry.versioned_cache import cached
from shangmi.apps.registry.views.register_table import table_rows

PAGE_SIZE = 50
TOP_DEPARTMENTS = 20
BRAND = "#8b1d1d"
LEVEL_COLOURS = {Level.CORE: "#b02a37", Level.IMPORTANT: "#e0a800", Level.GENERAL: "#6c757d"}
CATEGORY_COLOURS = {Category.TECHNICAL: "#0d6efd", Category.BUSINESS: "#198754"}


def _pie(counts: dict[str, int], choices, colours: dict) -> dict:
    data = [
        {"name": str(choices(value).label), "value": counts[value], "itemStyle": {"color": colours[value]}}
        for value in choices.values
        if counts.get(value)
    ]
    return {
        "animation": False,
        "tooltip": {"trigger": "item", "formatter": "{b}：{c}（{d}%）"},
        "legend": {"bottom": 0},
        "series": [
            {
                "type": "pie",
                "radius": ["40%", "68%"],
                "center": ["50%", "45%"],
                "data": data,
                "label": {"formatter": "{b} {c}"},
            }
        ],
    }


def _departments_bar(counts: dict[str, int]) -> dict:
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_DEPARTMENTS]
    top.reverse()  # largest at the top of a horizontal bar chart
    return {
        "animation": False,
        "grid": {"left": 8, "right": 24, "top": 8, "bottom": 8, "containLabel": True},
        "tooltip": {"trigger": "axis"},
        "xAxis": {"type": "value", "minInterval": 1},
        "yAxis": {"type": "category", "data": [name for name, _n in top]},
        "series": [
            {"type": "bar", "data": [n for _name, n in top], "barMaxWidth": 24, "itemStyle": {"color": BRAND}}
        ],
    }


def label_rows(secrets) -> None:
    """Give each row its labels and link (its carrier counts come with it: list_rows.rows_of). Translating each vocabulary once per page
    instead of calling get_FOO_display() per cell saves most of the page's rendering time."""
    labels = {
        name: {value: str(label) for value, label in vocabulary.choices}
        for name, vocabulary in (
            ("category", Category),
            ("subcategory", Subcategory),
            ("level", Level),
            ("state", SecretState),
            ("period_kind", PeriodKind),
        )
    }
    prefix = reverse("registry:list")
    for secret in secrets:
        secret.url = f"{prefix}{secret.pk}/"
        secret.labels = {name: table.get(getattr(secret, name), "") for name, table in labels.items()}
        if secret.period_kind == PeriodKind.UNTIL_DATE and secret.period_until:
            secret.labels["period"] = secret.period_until.isoformat()
        else:
            secret.labels["period"] = secret.labels["period_kind"]


def render_rows(member, version: str, params: dict[str, str], page_number: str) -> str:
    def render() -> str:
        qs = filter_register(secrets_visible_to(member), params)
        listing = cached(member, version, "listing", listing_shape(params), lambda: list_register(qs))
        summary = listing.summary
        paginator = Paginator(ListingPages(listing, member), PAGE_SIZE)
        page = paginator.get_page(page_number)
        label_rows(page.object_list)
        context = {
            "page": page,
            "table_rows": table_rows(page.object_list),
            "filtered": any(params.values()),
            "summary": summary,
            "charts": {
                "level": _pie(summary.level, Level, LEVEL_COLOURS),
                "category": _pie(summary.category, Category, CATEGORY_COLOURS),
                "department": _departments_bar(summary.department),
            },
            "query": urlencode({name: value for name, value in params.items() if value}),
            "exports": permissions.reads_everything(member),
        }
        return render_to_string("registry/_rows.html", context)

    shape = {**params, "page": page_number, "language": get_language()}
    return cached(member, version, "rows", shape, render, store="fragments")
