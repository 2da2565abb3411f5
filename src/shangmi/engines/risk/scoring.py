"""Scores and alerts: weighted indicators over a trailing window, severity bands, explanations.

For every user and every day the scorer looks back `window_days` (30) days: each indicator gives a
strength in [0, 1] (indicators.py), the score of that window is the sum of weight × strength, times the
departure-window (and watchlist) multiplier, capped at 100. A user's alert is their highest-scoring
window. Weights are points: no single indicator reaches "high" on its own (the largest weight is 30,
so a full-strength indicator is at most "medium", 45 even inside a departure window); "high" needs
corroboration — two independent findings, or one plus the departure window.

Severity bands: low [10, 25), medium [25, 50), high [50, 75), critical [75, 100]; below 10 no alert.

Cost: the feature pass over the events (features.py), O(users × days) for the indicators, and a
pass over the events the feature pass listed for the explanations."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from shangmi.engines.risk import context as ctx_mod
from shangmi.engines.risk import explain, features, indicators
from shangmi.engines.risk.context import Context
from shangmi.engines.risk.schema import ENGINE_VERSION

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_LABELS = {
    "low": ("低", "low"),
    "medium": ("中", "medium"),
    "high": ("高", "high"),
    "critical": ("严重", "critical"),
}


class WeightsError(ValueError):
    """A weights file that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Weights:
    """Indicator weights (points) and the parameters of windows, thresholds and bands. Every field can be
    overridden from JSON (`from_json`); see the module docstring for the reasoning."""

    # indicator weights (points at full strength)
    registered_beyond_grants: float = 25.0
    volume_vs_self: float = 15.0
    volume_vs_peers: float = 10.0
    cumulative_exfil: float = 15.0
    personal_cloud_upload: float = 25.0
    usb_registered: float = 30.0
    personal_email_attachments: float = 20.0
    print_volume: float = 10.0
    offhours: float = 10.0
    sequence: float = 20.0
    customer_records: float = 25.0
    competitor_mail: float = 30.0
    job_search: float = 5.0
    # multipliers
    departure_multiplier: float = 1.5
    watchlist_multiplier: float = 1.25
    # windows (days)
    window_days: int = 30
    sequence_days: int = 14
    departure_before_days: int = 90
    departure_after_days: int = 30
    notice_days: int = 30  # last day assumed this long after a resignation when only that is known
    # thresholds
    customer_records_per_day: int = 50
    z_low: float = 3.0
    z_high: float = 10.0
    min_exfil_items: int = 10
    min_print_pages: int = 20
    min_offhours_events: int = 5
    # bands (lower bounds) and reporting
    low: float = 10.0
    medium: float = 25.0
    high: float = 50.0
    critical: float = 75.0
    explain_min_score: float = 25.0  # alerts below this get no top events

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, origin: str = "weights") -> Weights:
        known = {f.name: f for f in dataclasses.fields(cls)}
        values: dict[str, Any] = {}
        for key, value in data.items():
            if key not in known:
                raise WeightsError(f"{origin}: unknown key {key!r} (known: {', '.join(known)})")
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise WeightsError(f"{origin}: {key} must be a non-negative number (got {value!r})")
            values[key] = int(value) if known[key].type == "int" else float(value)
        weights = cls(**values)
        if not weights.low <= weights.medium <= weights.high <= weights.critical <= 100:
            raise WeightsError(f"{origin}: bands must satisfy low ≤ medium ≤ high ≤ critical ≤ 100")
        if weights.window_days < 1 or weights.z_high <= weights.z_low:
            raise WeightsError(f"{origin}: window_days ≥ 1 and z_high > z_low are required")
        return weights

    @classmethod
    def from_json(cls, source: str | Path | dict[str, Any]) -> Weights:
        """From a dict or a JSON file holding an object of overrides. Raises WeightsError."""
        if isinstance(source, dict):
            return cls.from_dict(source)
        path = Path(source)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise WeightsError(f"{path}: no such file") from None
        except (ValueError, UnicodeDecodeError) as error:
            raise WeightsError(f"{path}: not JSON ({error})") from None
        if not isinstance(data, dict):
            raise WeightsError(f"{path}: must hold a JSON object of weights")
        return cls.from_dict(data, origin=str(path))

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def weight(self, key: str) -> float:
        return float(getattr(self, key))

    def severity(self, score: float) -> str | None:
        for name in reversed(SEVERITIES):
            if score >= getattr(self, name):
                return name
        return None


@dataclass
class Alert:
    user: str
    score: float
    severity: str
    window: tuple[dt.date, dt.date]
    indicators: list[dict[str, Any]]
    top_events: list[dict[str, Any]] = field(default_factory=list)
    secrets: list[dict[str, Any]] = field(default_factory=list)
    last_day: dt.date | None = None
    resignation: dt.date | None = None
    last_day_inferred: bool = False
    peer_group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        zh, en = SEVERITY_LABELS[self.severity]
        return {
            "user": self.user,
            "score": self.score,
            "severity": self.severity,
            "severity_zh": zh,
            "severity_en": en,
            "window": {"start": self.window[0].isoformat(), "end": self.window[1].isoformat()},
            "indicators": self.indicators,
            "top_events": self.top_events,
            "secrets": self.secrets,
            "last_day": self.last_day.isoformat() if self.last_day else None,
            "resignation": self.resignation.isoformat() if self.resignation else None,
            "last_day_inferred": self.last_day_inferred,
            "peer_group": self.peer_group,
        }


class Alerts(list[Alert]):
    """The alerts of one run (highest score first) with what the run looked at."""

    users_scored: int = 0
    weights: Weights | None = None
    notes: dict[str, Any]

    def __init__(
        self, alerts=(), *, users_scored: int = 0, weights: Weights | None = None, notes=None
    ) -> None:
        super().__init__(alerts)
        self.users_scored = users_scored
        self.weights = weights
        self.notes = dict(notes or {})


def complete_context(context: Context, ldap: pl.DataFrame | None) -> tuple[Context, dict[str, Any]]:
    """Fill what the organisation did not give from its LDAP snapshots: peer groups (department/role),
    own domains (the domains of staff e-mail addresses) and last days (a user missing from later monthly
    snapshots). Returns the new context and notes saying what was inferred."""
    notes: dict[str, Any] = {}
    if ldap is None or ldap.height == 0:
        return context, notes
    changes: dict[str, Any] = {}
    if not context.peer_groups:
        changes["peer_groups"] = ctx_mod.peer_groups_from_ldap(ldap)
        notes["peer_groups"] = "ldap"
    if not context.own_domains and "email" in ldap.columns:
        domains = ldap.select(
            pl.col("email").str.extract(r"@([^@\s]+)$", 1).str.to_lowercase().drop_nulls().unique()
        )
        own = tuple(sorted(domains.to_series().to_list()))
        if own:
            changes["own_domains"] = own
            notes["own_domains"] = {"inferred_from": "ldap e-mail addresses", "domains": list(own)}
    if not context.hr:
        changes["hr"] = ctx_mod.infer_hr_from_ldap(ldap)
        notes["hr"] = {"inferred_from": "ldap snapshots", "users": len(changes["hr"])}
    return (dataclasses.replace(context, **changes) if changes else context), notes


def score(
    source,
    context: Context,
    weights: Weights | None = None,
    *,
    progress: Callable[[str], None] | None = None,
) -> Alerts:
    """Score every user of `source` (an EventStore, or a LazyFrame of SCHEMA events) and return their
    alerts, highest score first. With a store, missing context is completed from its LDAP snapshots
    (complete_context)."""
    weights = weights or Weights()
    step = progress or (lambda _message: None)
    ldap = source.ldap() if hasattr(source, "ldap") else None
    context, notes = complete_context(context, ldap)
    step("features")
    table, matches, grouped = features.build(source, context)
    step("indicators")
    values = indicators.values(table, context, weights)
    keys = [i.key for i in indicators.INDICATORS]
    base = pl.sum_horizontal(pl.col(f"s_{k}") * weights.weight(k) for k in keys)
    scored = values.with_columns(_base=base).with_columns(
        _score=(pl.col("_base") * pl.col("multiplier")).clip(0.0, 100.0).round(1)
    )
    # each user's highest-scoring window end, the earliest on a tie; the table is sorted by user and day,
    # so this is a filter within each user's run of rows (sorting all user-days took 0.2 s at 730,000)
    run = pl.col("user").rle_id()
    best = (
        scored.filter(pl.col("_score") == pl.col("_score").max().over(run))
        .unique("user", keep="first", maintain_order=True)
        .filter(pl.col("_score") >= weights.low)
        .sort("_score", "user", descending=[True, False])
    )
    first_day = table.group_by("user").agg(pl.col("day").min().alias("_first"))
    best = best.join(first_day, on="user", how="left", maintain_order="left").with_columns(
        start=pl.max_horizontal(pl.col("day") - dt.timedelta(days=weights.window_days - 1), pl.col("_first")),
        end=pl.col("day"),
    )
    step("explanations")
    windows = best.select("user", "start", "end")
    # the secrets involved are summed (mostly inside polars, which releases the GIL) while the alerts and
    # their top events are put together
    with ThreadPoolExecutor(1) as pool:
        pending_secrets = pool.submit(explain.secrets, grouped, matches, windows, context)
        alerts = [_alert(row, keys, weights, context) for row in best.iter_rows(named=True)]
        contributing = pl.DataFrame(
            [(a.user, i["key"]) for a in alerts for i in a.indicators if i["contribution"] > 0],
            schema={"user": pl.String, "indicator": pl.String},
            orient="row",
        )
        explained = windows.filter(
            pl.col("user").is_in([a.user for a in alerts if a.score >= weights.explain_min_score])
        )
        events_by_user = explain.top_events(grouped, explained, contributing, context, matches)
        secrets = pending_secrets.result()
    for alert in alerts:
        alert.secrets = secrets.get(alert.user, [])
        alert.top_events = events_by_user.get(alert.user, [])
    notes["registered_patterns"] = len(context.register)
    notes["grants"] = (
        "given" if context.grants is not None else "not given: registered_beyond_grants not judged"
    )
    return Alerts(alerts, users_scored=table["user"].n_unique(), weights=weights, notes=notes)


def _alert(row: dict[str, Any], keys: list[str], weights: Weights, context: Context) -> Alert:
    entries: list[dict[str, Any]] = []
    for key in keys:
        value, strength = row[f"v_{key}"], row[f"s_{key}"]
        if not value and not strength:
            continue
        spec = indicators.BY_KEY[key]
        entries.append(
            {
                "key": key,
                "label_zh": spec.label_zh,
                "label_en": spec.label_en,
                "unit_zh": spec.unit_zh,
                "unit_en": spec.unit_en,
                "value": round(float(value), 2),
                "weight": weights.weight(key),
                "strength": round(float(strength), 3),
                "contribution": round(float(strength) * weights.weight(key), 1),
            }
        )
    base = float(row["_base"])
    for flag, spec, factor in (
        ("in_departure", indicators.DEPARTURE, weights.departure_multiplier),
        ("watched", indicators.WATCHLIST, weights.watchlist_multiplier),
    ):
        if row[flag]:
            entries.append(
                {
                    "key": spec.key,
                    "label_zh": spec.label_zh,
                    "label_en": spec.label_en,
                    "unit_zh": spec.unit_zh,
                    "unit_en": spec.unit_en,
                    "value": factor,
                    "weight": factor,
                    "strength": 1.0,
                    "contribution": round(base * (factor - 1.0), 1),
                }
            )
            base *= factor
    entries.sort(key=lambda e: -float(e["contribution"]))
    hr = context.hr.get(row["user"])
    score_value = float(row["_score"])
    return Alert(
        user=row["user"],
        score=score_value,
        severity=weights.severity(score_value) or "low",
        window=(row["start"], row["end"]),
        indicators=entries,
        last_day=hr.last_day if hr else None,
        resignation=hr.resignation if hr else None,
        last_day_inferred=bool(hr and hr.inferred),
        peer_group=context.peer_groups.get(row["user"]),
    )


def alerts_to_json(alerts: list[Alert], params: dict[str, Any] | None = None) -> dict[str, Any]:
    """The JSON document of a run: engine version, parameters, weights, generated_at (UTC), users scored,
    counts by severity and the alerts (highest score first)."""
    weights = getattr(alerts, "weights", None) or Weights()
    counts = {name: sum(1 for a in alerts if a.severity == name) for name in SEVERITIES}
    return {
        "engine": ENGINE_VERSION,
        "generated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "parameters": {**(params or {}), **getattr(alerts, "notes", {})},
        "weights": weights.to_dict(),
        "users_scored": getattr(alerts, "users_scored", len(alerts)),
        "alerts_by_severity": counts,
        "alerts": [a.to_dict() for a in alerts],
    }
