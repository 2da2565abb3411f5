"""Planning the injected scenarios and look-alikes: who, when, and which days they need at work.

Everything here is plain Python over `random.Random` seeded from the generator seed, so plans are
reproducible. Windows (60–90 days of collection, a 30-day notice period, weeks of job hunting …) are
compressed proportionally when the generated period is short, so a 30-day test still holds every kind."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from . import generator_vocab as v
from .generator_org import GeneratorError, Organisation, User

SCENARIO_KINDS = ("drawing_theft", "last_day_upload", "customer_list", "usb_burst")
LOOKALIKE_KINDS = ("own_cloud", "release_engineer", "normal_crm")
MIN_DAYS = 21


@dataclass(frozen=True)
class ScenarioParams:
    """The knobs of the injected behaviour (ranges are inclusive; windows are for a full year and are
    compressed for short periods)."""

    theft_days: tuple[int, int] = (60, 90)  # collection window before the resignation
    theft_copies: tuple[int, int] = (40, 80)  # registered drawings copied to a staging folder
    theft_beyond_grants: float = 0.35  # share of them outside the thief's granted projects
    notice_days: int = 30  # resignation → last day
    upload_files: tuple[int, int] = (10, 30)  # last_day_upload
    crm_records: int = 79  # customer_list: customer cards downloaded in one day
    side_mails: tuple[int, int] = (2, 3)
    side_attachments: tuple[int, int] = (5, 15)
    hunt_days: tuple[int, int] = (21, 42)  # usb_burst: job-hunting window before the burst
    usb_files: tuple[int, int] = (200, 400)
    usb_registered: float = 0.25
    own_cloud_days: tuple[int, int] = (3, 6)
    own_cloud_files: tuple[int, int] = (20, 60)
    release_every: int = 14
    release_files: tuple[int, int] = (100, 300)
    crm_daily: tuple[int, int] = (12, 25)  # normal_crm: records a day
    benign_departures: float = 0.08  # share of staff leaving per year without any wrongdoing


@dataclass
class Injection:
    kind: str
    lookalike: bool
    user: User
    start: int  # day index
    end: int
    rng: random.Random
    details: dict[str, object] = field(default_factory=dict)  # published in truth.json
    marks: dict[str, list[int]] = field(default_factory=dict)  # internal: named day indices
    days: list[int] = field(default_factory=list)  # days the builder acts on
    forced: set[int] = field(default_factory=set)  # days the user must be at work
    late: dict[int, int] = field(default_factory=dict)  # day → logoff no earlier than (s after midnight)


def round_robin(count: int, kinds: Sequence[str]) -> list[str]:
    return [kinds[i % len(kinds)] for i in range(count)]


def needs_for(kinds: Sequence[str]) -> dict[int, int]:
    """Minimum members per profile that the organisation must have for these kinds."""
    need: dict[int, int] = {}
    profile = {
        "drawing_theft": v.ENGINEER,
        "usb_burst": v.ENGINEER,
        "last_day_upload": v.DESIGNER,
        "own_cloud": v.DESIGNER,
        "release_engineer": v.RELEASE,
        "customer_list": v.SALES,
        "normal_crm": v.SALES,
    }
    for kind in kinds:
        need[profile[kind]] = need.get(profile[kind], 0) + 1
    return need


class Calendar:
    def __init__(self, start: date, days: int) -> None:
        self.start = start
        self.days = days
        self.workdays = [d for d in range(days) if (start.weekday() + d) % 7 < 5]
        self.scale = min(1.0, max(0.0, (days - 8) / 110))

    def date(self, day: int) -> date:
        return self.start + timedelta(days=day)

    def is_workday(self, day: int) -> bool:
        return (self.start.weekday() + day) % 7 < 5

    def pick(self, rng: random.Random, lo: int, hi: int, what: str) -> int:
        choices = [d for d in self.workdays if lo <= d <= hi]
        if not choices:
            raise GeneratorError(f"no working day between day {lo} and {hi} for {what}; generate more days")
        return rng.choice(choices)

    def workdays_in(self, lo: int, hi: int) -> list[int]:
        return [d for d in self.workdays if lo <= d <= hi]

    def on_or_before(self, day: int) -> int:
        while day > 0 and not self.is_workday(day):
            day -= 1
        return day

    def scaled(self, days: int, minimum: int) -> int:
        return max(minimum, round(days * self.scale))


def _candidates(org: Organisation, kind: str) -> list[User]:
    free = [u for u in org.users if not u.head and not u.special]
    drawing = set(org.drawing_patterns)

    def has_drawings(u: User) -> bool:
        return bool(drawing & set(u.grants))

    if kind == "drawing_theft":
        return [u for u in free if u.profile == v.ENGINEER and has_drawings(u)]
    if kind in ("last_day_upload", "own_cloud"):
        designers = [u for u in free if u.profile == v.DESIGNER]
        if kind == "own_cloud" and not designers:
            return [u for u in free if u.profile == v.ENGINEER and has_drawings(u)]
        return designers
    if kind in ("customer_list", "normal_crm"):
        return [u for u in free if u.profile == v.SALES]
    if kind == "usb_burst":
        return [u for u in free if u.profile in (v.ENGINEER, v.PRODUCTION) and u.grants]
    if kind == "release_engineer":
        return [u for u in free if u.profile == v.RELEASE]
    raise GeneratorError(f"unknown scenario kind {kind!r}")


def plan(
    org: Organisation,
    cal: Calendar,
    scenarios: Sequence[str],
    lookalikes: Sequence[str],
    params: ScenarioParams,
    seed: int,
) -> list[Injection]:
    """Choose a user and the days for every injection; set HR dates on the users who resign."""
    if cal.days < MIN_DAYS:
        raise GeneratorError(f"days must be at least {MIN_DAYS} to place scenarios (got {cal.days})")
    injections: list[Injection] = []
    for number, (kind, lookalike) in enumerate(
        [(k, False) for k in scenarios] + [(k, True) for k in lookalikes]
    ):
        rng = random.Random(f"shangmi-generator/{seed}/{kind}/{number}")
        pool = _candidates(org, kind)
        if not pool:
            raise GeneratorError(f"no free user for scenario {kind!r}; add users or reduce scenarios")
        user = rng.choice(pool)
        user.special = True
        inj = Injection(kind, lookalike, user, 0, cal.days - 1, rng)
        _TIMING[kind](inj, cal, params)
        injections.append(inj)
    sides = [inj for inj in injections if inj.kind == "customer_list"]
    for i, inj in enumerate(sides):
        base = v.SIDE_COMPANIES[i % len(v.SIDE_COMPANIES)]
        round_ = i // len(v.SIDE_COMPANIES)
        inj.details["side_domain"] = base if not round_ else base.replace(".example", f"{round_ + 1}.example")
    _benign_departures(org, cal, params, seed)
    return injections


def _resign(inj: Injection, cal: Calendar, last: int, notice: int) -> None:
    resignation = cal.on_or_before(last - notice)
    inj.user.last_day, inj.user.resignation = last, resignation
    inj.details.update(
        resignation_date=cal.date(resignation).isoformat(), last_day=cal.date(last).isoformat()
    )


def _drawing_theft(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    rng = inj.rng
    notice = cal.scaled(p.notice_days, 4)
    window = min(cal.scaled(rng.randint(*p.theft_days), 6), cal.days - 5 - notice)
    last = cal.pick(rng, window + notice + 2, cal.days - 3, "drawing_theft")
    _resign(inj, cal, last, notice)
    resignation = inj.user.resignation or 0
    collect = cal.workdays_in(resignation - window, resignation - 1)
    exfil = cal.workdays_in(max(resignation, last - cal.scaled(21, 3)), last)
    before_exfil = [d for d in cal.workdays_in(resignation, last) if d < exfil[0]]
    archive = rng.choice(before_exfil) if before_exfil else exfil[0]
    chosen = sorted(rng.sample(exfil, min(3, len(exfil))))
    inj.marks.update(collect=collect, archive=[archive], exfil=chosen)
    inj.details.update(
        archive_day=cal.date(archive).isoformat(), exfil_days=[cal.date(d).isoformat() for d in chosen]
    )
    inj.start, inj.end = collect[0] if collect else resignation, last
    inj.forced |= set(chosen) | {archive}


def _last_day_upload(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    rng = inj.rng
    notice = cal.scaled(p.notice_days, 4)
    last = cal.pick(rng, notice + 2, cal.days - 3, "last_day_upload")
    _resign(inj, cal, last, notice)
    day = last if rng.random() < 0.5 else cal.on_or_before(last - 1)
    inj.start = inj.end = day
    inj.forced |= {day, last}
    inj.details["upload_day"] = cal.date(day).isoformat()


def _customer_list(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    day = cal.pick(inj.rng, max(5, round(cal.days * 0.3)), cal.days - 2, "customer_list")
    inj.start = inj.end = day
    inj.forced.add(day)


def _usb_burst(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    rng = inj.rng
    hunt = min(cal.scaled(rng.randint(*p.hunt_days), 8), cal.days - 5)
    burst = cal.pick(rng, hunt + 3, cal.days - 2, "usb_burst")
    inj.start, inj.end = burst - hunt, burst
    inj.forced.add(burst)
    inj.late[burst] = 20 * 3600 + 1800
    inj.details["burst_day"] = cal.date(burst).isoformat()


def _own_cloud(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    rng = inj.rng
    count = min(rng.randint(*p.own_cloud_days), len(cal.workdays))
    inj.days = sorted(rng.sample(cal.workdays, count))
    inj.start, inj.end = inj.days[0], inj.days[-1]
    inj.forced |= set(inj.days)


def _release_engineer(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    thursdays = [d for d in cal.workdays if (cal.start.weekday() + d) % 7 == 3]
    offset = inj.rng.randrange(min(2, len(thursdays))) if thursdays else 0
    step = max(1, p.release_every // 7)
    inj.days = thursdays[offset::step] or cal.workdays[:: max(1, len(cal.workdays) // 2)]
    inj.start, inj.end = inj.days[0], inj.days[-1]
    inj.forced |= set(inj.days)


def _normal_crm(inj: Injection, cal: Calendar, p: ScenarioParams) -> None:
    inj.days = list(cal.workdays)  # every working day the salesman is at work
    inj.start, inj.end = inj.days[0], inj.days[-1]


_TIMING = {
    "drawing_theft": _drawing_theft,
    "last_day_upload": _last_day_upload,
    "customer_list": _customer_list,
    "usb_burst": _usb_burst,
    "own_cloud": _own_cloud,
    "release_engineer": _release_engineer,
    "normal_crm": _normal_crm,
}


def _benign_departures(org: Organisation, cal: Calendar, p: ScenarioParams, seed: int) -> None:
    """Ordinary resignations: people who work normally until their last day and then leave."""
    rng = random.Random(f"shangmi-generator/{seed}/departures")
    count = round(p.benign_departures * len(org.users) * cal.days / 365)
    pool = [u for u in org.users if not u.head and not u.special and u.last_day is None]
    for user in rng.sample(pool, min(count, len(pool))):
        last = cal.pick(rng, min(20, cal.days // 3), cal.days - 2, "a departure")
        user.last_day = last
        user.resignation = cal.on_or_before(last - cal.scaled(30, 4))
