"""What the platform knows that the scorer needs (engines.risk.context.Context): the register's carriers
with a path as their location (and their secrets' levels), who is entrusted with which of them, the
people side's resignation and last days, and the organisation's monitoring settings. People are matched
to log accounts by staff number or by the local part of their e-mail address, case-insensitively."""

from __future__ import annotations

import re

from shangmi.apps.monitoring.queries import lines
from shangmi.apps.people.models import Employee
from shangmi.apps.registry.models import AccessGrant, Carrier
from shangmi.apps.registry.queries import active_grants
from shangmi.engines.risk.context import Context, HrDates, RegisterEntry, normalise_level

LIVE_SECRETS = ("applied", "reviewed", "designated")
# A location that names a place in a file system or a URL: a drive, a UNC share, an absolute path.
_PATH = re.compile(r"^(?:[A-Za-z]:[\\/]|\\\\|/|[A-Za-z][A-Za-z0-9+.\-]*://)")


def carrier_pattern(location: str) -> str | None:
    """The glob a carrier's location stands for: as written when it holds a wildcard, else everything
    below it. None for locations that are not paths (a safe, a cabinet, "内网 GitLab")."""
    location = (location or "").strip()
    if not _PATH.match(location):
        return None
    if "*" in location or "?" in location:
        return location
    separator = "\\" if "\\" in location else "/"
    return location.rstrip("\\/") + separator + "**"


def parse_extra_register(text: str) -> list[RegisterEntry]:
    """The settings' "pattern,level" lines (level 核心/重要/一般 or core/important/general). Raises
    ValueError naming the line."""
    entries = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pattern, _sep, level = line.rpartition(",")
        normalised = normalise_level(level.strip())
        if not pattern.strip() or normalised is None:
            raise ValueError(f"第 {number} 行应为“路径模式,密级”（密级为 核心、重要 或 一般）：{line}")
        entries.append(RegisterEntry(pattern.strip(), normalised))
    return entries


def _keys(employee: Employee) -> list[str]:
    """The log accounts that may be this person: staff number and e-mail local part, as written and
    lower-cased (the engine compares accounts exactly)."""
    names = [employee.number]
    if employee.email and "@" in employee.email:
        names.append(employee.email.split("@", 1)[0])
    return list(dict.fromkeys([*names, *(n.lower() for n in names)]))


def employees_by_key(organisation_id: int, user_keys) -> dict[str, Employee]:
    """Log account (lower-cased) → personnel record, for the given accounts."""
    wanted = {k.lower() for k in user_keys}
    found: dict[str, Employee] = {}
    for employee in Employee.objects.filter(organisation_id=organisation_id).select_related("position"):
        for key in _keys(employee):
            if key.lower() in wanted:
                found.setdefault(key.lower(), employee)
    return found


def _register(organisation_id: int) -> tuple[tuple[RegisterEntry, ...], dict[int, list[str]]]:
    entries: dict[str, str] = {}
    by_secret: dict[int, list[str]] = {}
    carriers = Carrier.objects.filter(
        organisation_id=organisation_id, state="active", secret__state__in=LIVE_SECRETS
    ).select_related("secret")
    for carrier in carriers:
        pattern = carrier_pattern(carrier.location)
        if pattern is None:
            continue
        entries[pattern] = carrier.secret.level
        by_secret.setdefault(carrier.secret_id, []).append(pattern)
    return tuple(RegisterEntry(p, level) for p, level in sorted(entries.items())), by_secret


def _grants(organisation_id: int, by_secret: dict[int, list[str]], employees: list[Employee]):
    by_user: dict[int, list[str]] = {}
    by_position: dict[str, list[str]] = {}
    grants: list[AccessGrant] = list(active_grants(organisation_id).filter(secret_id__in=by_secret))
    for grant in grants:
        patterns = by_secret.get(grant.secret_id, [])
        if grant.user_id:
            by_user.setdefault(grant.user_id, []).extend(patterns)
        elif grant.position:
            by_position.setdefault(grant.position, []).extend(patterns)
    result: dict[str, tuple[str, ...]] = {}
    for employee in employees:
        patterns = by_user.get(employee.user_id, []) + by_position.get(
            employee.position.name if employee.position_id else "", []
        )
        for key in _keys(employee):
            result[key] = tuple(sorted(set(patterns)))
    return result


def platform_context(organisation_id: int, config, inferred_hr: dict | None = None) -> Context:
    """`inferred_hr`: last days inferred from LDAP snapshots, used for accounts the people side does not
    know (the people side wins where both know a person)."""
    employees = list(Employee.objects.filter(organisation_id=organisation_id).select_related("position"))
    register, by_secret = _register(organisation_id)
    register = register + tuple(parse_extra_register(config.extra_register))
    hr = dict(inferred_hr or {})
    for employee in employees:
        if employee.resignation_on or employee.last_day:
            for key in _keys(employee):
                hr[key] = HrDates(resignation=employee.resignation_on, last_day=employee.last_day)
    return Context(
        register=register,
        # Grants are judged only when the register has path-like carriers to judge them by, and only for
        # log accounts matched to a person on the people side: of other accounts nothing is known.
        grants=_grants(organisation_id, by_secret, employees) if register else None,
        grants_known_only=True,
        hr=hr,
        competitors=tuple(lines(config.competitor_domains)),
        own_domains=tuple(lines(config.own_domains)),
        watchlist=frozenset(lines(config.watchlist)),
    )
