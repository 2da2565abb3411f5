"""ECharts options for the self-check pages (rendered by shangmi.js from json_script elements)."""

from __future__ import annotations

from django.utils.translation import gettext as _

BRAND = "#1f5fa8"
PREVIOUS = "#9aa5b1"


def radar(names: list[str], current: list[float | None], previous: list[float | None] | None) -> dict:
    series = [{"name": _("本次"), "value": [v or 0 for v in current], "areaStyle": {"opacity": 0.2}}]
    if previous is not None:
        series.append({"name": _("上次"), "value": [v or 0 for v in previous]})
    return {
        "color": [BRAND, PREVIOUS],
        "tooltip": {},
        "legend": {"bottom": 0},
        "radar": {"indicator": [{"name": n, "max": 100} for n in names], "radius": "62%"},
        "series": [{"type": "radar", "data": series}],
    }


def trend(labels: list[str], scores: list[float | None]) -> dict:
    return {
        "color": [BRAND],
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 30},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "min": 0, "max": 100},
        "series": [{"type": "line", "data": scores, "label": {"show": True}}],
    }


def histogram(buckets: list[str], series: dict[str, list[int]]) -> dict:
    """Stacked bars: how many enterprises fall in each score band, one series per group."""
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 40, "right": 16, "top": 16, "bottom": 56},
        "xAxis": {"type": "category", "data": buckets},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"type": "bar", "stack": "all", "name": name, "data": data} for name, data in series.items()
        ],
    }
