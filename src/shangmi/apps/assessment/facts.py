"""What the platform itself knows about an enterprise's protection measures (系统数据), for the self-check:
each fact is a figure with the page where the officer can check it, e.g. "签署保密协议的涉密人员：87%（52/60）".

Reads only. Every query is filtered by the organisation; each fact costs one to four aggregate queries
whatever the size of the register. The twelve-month windows are those of the people side's training
coverage: from the day after the same calendar day a year earlier up to and including `today`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.accounts.models import Membership
from shangmi.apps.accounts.roles import Role
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.actions.trainings import CURRENT_STATES, counting_attendances, year_before
from shangmi.apps.people.models import Agreement, Attendance, Departure, Employee, Training
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    DepartureState,
    EmployeeState,
    Sensitivity,
)
from shangmi.apps.people.onboarding import onboarding_checklist
from shangmi.apps.people.queries import policy_of
from shangmi.apps.registry.actions.carriers import OPEN_STATES
from shangmi.apps.registry.models import (
    AccessGrant,
    Carrier,
    DesignationReview,
    GrantAcknowledgement,
    SecretPoint,
    TradeSecret,
)
from shangmi.apps.registry.models.choices import (
    CarrierState,
    Level,
    MarkingState,
    PeriodKind,
    ReviewDecision,
    SecretState,
)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str
    numerator: int
    denominator: int | None  # None for a plain count
    url: str  # the page where the figure can be checked, or ""
    unit: str = ""  # counts: "人", "次"…
    empty: str = ""  # ratios over nothing: "无涉密人员"

    @property
    def ratio(self) -> float | None:
        if not self.denominator:
            return None
        return self.numerator / self.denominator

    @property
    def percent(self) -> int | None:
        """Rounded half up, but never 100 short of the whole nor 0 above nothing."""
        if not self.denominator:
            return None
        value = (200 * self.numerator + self.denominator) // (2 * self.denominator)
        if self.numerator < self.denominator:
            value = min(value, 99)
        if self.numerator > 0:
            value = max(value, 1)
        return value

    @property
    def text(self) -> str:
        values = {"label": self.label, "n": self.numerator, "d": self.denominator, "unit": self.unit}
        if self.denominator is None:
            return _("%(label)s：%(n)s %(unit)s") % values
        if self.denominator == 0:
            return _("%(label)s：%(empty)s（0/0）") % {**values, "empty": self.empty or _("暂无数据")}
        return _("%(label)s：%(percent)s%%（%(n)s/%(d)s）") % {**values, "percent": self.percent}


def _url(name: str, **query: str) -> str:
    try:
        path = reverse(name)
    except NoReverseMatch:
        return ""
    return f"{path}?{urlencode(query)}" if query else path


def _since(today: date) -> date:
    """The first day of the twelve months ending with `today` (as people.actions.trainings.coverage)."""
    return year_before(today) + timedelta(days=1)


def _ratio(qs, condition) -> tuple[int, int]:
    """(rows meeting `condition`, rows) of `qs` in one aggregate query."""
    got = qs.aggregate(total=Count("pk"), ok=Count("pk", filter=condition))
    return got["ok"], got["total"]


def _designated(organisation_id: int):
    return TradeSecret.objects.filter(organisation_id=organisation_id, state=SecretState.DESIGNATED)


def _entrusted() -> Q:
    """Employee.is_entrusted as a filter: key personnel or holding a sensitive position."""
    return Q(is_key_person=True) | (Q(position__isnull=False) & ~Q(position__sensitivity=Sensitivity.NONE))


# ---- the facts: each returns (numerator, denominator or None) ----------------------------------------


@dataclass(frozen=True)
class _Spec:
    compute: Callable[[int, date], tuple[int, int | None]]
    label: str
    url_name: str
    query: dict
    unit: str
    empty: str


_SPECS: dict[str, _Spec] = {}
_NONE = _("无已定密的商业秘密")
_DESIGNATED = ("registry:list", {"state": "designated"})


def _fact(key: str, label, url_name: str, query: dict | None = None, *, unit="", empty=""):
    """Register the decorated computation as fact `key`, checked on the page `url_name`?`query`."""

    def register(compute):
        _SPECS[key] = _Spec(compute, label, url_name, query or {}, unit, empty)
        return compute

    return register


@_fact("officers", _("专（兼）职保密员"), "accounts:members", unit=_("人"))
def _officers(org: int, today: date):
    qs = Membership.objects.filter(
        organisation_id=org, role=Role.OFFICER, is_active=True, user__is_active=True
    )
    return qs.count(), None


@_fact("secrets_designated", _("已定密的商业秘密"), *_DESIGNATED, unit=_("项"))
def _secrets_designated(org: int, today: date):
    return _designated(org).count(), None


@_fact("secrets_level_period", _("已确定密级和保密期限的商业秘密"), *_DESIGNATED, empty=_NONE)
def _secrets_level_period(org: int, today: date):
    period = Q(period_kind__in=[PeriodKind.LONG_TERM, PeriodKind.UNTIL_PUBLIC]) | Q(
        period_kind=PeriodKind.UNTIL_DATE, period_until__isnull=False
    )
    return _ratio(_designated(org), Q(level__in=Level.values) & period)


@_fact("secret_points", _("已列明密点的商业秘密"), *_DESIGNATED, empty=_NONE)
def _secret_points(org: int, today: date):
    points = SecretPoint.objects.filter(secret_id=OuterRef("pk"))
    return _ratio(_designated(org).annotate(has=Exists(points)), Q(has=True))


@_fact("nonpublic_checks", _("定密时记录了非公知性检索的商业秘密"), *_DESIGNATED, empty=_NONE)
def _nonpublic_checks(org: int, today: date):
    checks = (
        DesignationReview.objects.filter(secret_id=OuterRef("pk"), decision=ReviewDecision.PASS)
        .exclude(searched="")
        .exclude(found="")
    )
    return _ratio(_designated(org).annotate(has=Exists(checks)), Q(has=True))


@_fact("carriers_marked", _("已标识的在用载体"), "registry:list", {"unmarked": "1"}, empty=_("无在用载体"))
def _carriers_marked(org: int, today: date):
    carriers = Carrier.objects.filter(
        organisation_id=org, state=CarrierState.ACTIVE, secret__state__in=OPEN_STATES
    )
    return _ratio(carriers, Q(marking=MarkingState.MARKED))


@_fact(
    "grants_acknowledged",
    _("已确认知悉的有效授权"),
    "registry:acknowledgements_pending",
    empty=_("无有效的知悉授权"),
)
def _grants_acknowledged(org: int, today: date):
    """A personal grant is acknowledged once its person confirmed it; a position grant once every active
    member holding the position did. A position grant nobody holds waits for no one and is left out,
    as on the officer's 待确认知悉 page."""
    grants = list(
        AccessGrant.objects.filter(
            organisation_id=org, revoked_at__isnull=True, secret__state__in=OPEN_STATES
        )
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
        .values_list("pk", "user_id", "position", "acknowledged_at")
    )
    by_position = {pk: position for pk, user_id, position, _at in grants if not user_id}
    holders: dict[str, set[int]] = {}
    for user_id, title in Membership.objects.filter(
        organisation_id=org, is_active=True, title__in=set(by_position.values())
    ).values_list("user_id", "title"):
        holders.setdefault(title, set()).add(user_id)
    acked: dict[int, set[int]] = {}
    for grant_id, user_id in GrantAcknowledgement.objects.filter(
        organisation_id=org, grant_id__in=list(by_position)
    ).values_list("grant_id", "user_id"):
        acked.setdefault(grant_id, set()).add(user_id)
    done = total = 0
    for pk, user_id, position, at in grants:
        if user_id:
            total, done = total + 1, done + (at is not None)
        elif holders.get(position):
            total, done = total + 1, done + (holders[position] <= acked.get(pk, set()))
    return done, total


def _employed(org: int):
    return Employee.objects.filter(organisation_id=org, state=EmployeeState.EMPLOYED)


@_fact(
    "entrusted_nda",
    _("签署保密协议的涉密人员"),
    "people:employees",
    {"entrusted": "1", "state": "employed"},
    empty=_("无在职涉密人员"),
)
def _entrusted_nda(org: int, today: date):
    nda = Agreement.objects.filter(
        organisation_id=org, employee_id=OuterRef("pk"), kind=AgreementKind.NDA, state=AgreementState.SIGNED
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    return _ratio(_employed(org).filter(_entrusted()).annotate(has=Exists(nda)), Q(has=True))


@_fact(
    "key_noncompete",
    _("签署竞业限制协议的关键人员"),
    "people:employees",
    {"key": "1", "state": "employed"},
    empty=_("无在职关键人员"),
)
def _key_noncompete(org: int, today: date):
    signed = Agreement.objects.filter(
        organisation_id=org,
        employee_id=OuterRef("pk"),
        kind=AgreementKind.NON_COMPETE,
        state=AgreementState.SIGNED,
    )
    return _ratio(_employed(org).filter(is_key_person=True).annotate(has=Exists(signed)), Q(has=True))


@_fact(
    "onboarding_complete",
    _("近12个月入职且入职检查全部完成的人员"),
    "people:onboarding",
    empty=_("近12个月无新入职人员"),
)
def _onboarding_complete(org: int, today: date):
    """people.onboarding's checklist (clean-hands pledge, NDA, first training) for everyone hired in the
    window and not gone; an item still due counts as not done. Four queries."""
    people = list(
        Employee.objects.filter(
            organisation_id=org, state__in=CURRENT_STATES, hired_on__gte=_since(today), hired_on__lte=today
        ).order_by("pk")
    )
    ids = [p.pk for p in people]
    agreements: dict[int, list] = {pk: [] for pk in ids}
    for a in Agreement.objects.filter(organisation_id=org, employee_id__in=ids).order_by("-signed_on", "-id"):
        agreements[a.employee_id].append(a)
    attendances: dict[int, list] = {pk: [] for pk in ids}
    for a in Attendance.objects.filter(
        training__organisation_id=org, employee_id__in=ids, training__held_on__lte=today
    ).select_related("training"):
        attendances[a.employee_id].append(a)
    policy = policy_of(org)
    done = sum(
        onboarding_checklist(
            p, policy, today, agreements=agreements[p.pk], attendances=attendances[p.pk]
        ).complete
        for p in people
    )
    return done, len(people)


@_fact("trainings_12m", _("近12个月保密培训"), "people:trainings", unit=_("次"))
def _trainings_12m(org: int, today: date):
    return Training.objects.filter(
        organisation_id=org, held_on__gte=_since(today), held_on__lte=today
    ).count(), None


@_fact("staff_trained_12m", _("近12个月参加保密培训的在职员工"), "people:trainings", empty=_("无在职员工"))
def _staff_trained_12m(org: int, today: date):
    trained = counting_attendances(today).filter(training__organisation_id=org, employee_id=OuterRef("pk"))
    return _ratio(_employed(org).annotate(has=Exists(trained)), Q(has=True))


@_fact(
    "departures_closed_12m",
    _("近12个月离职且离职审计已完成的人员"),
    "people:departures",
    empty=_("近12个月无离职人员"),
)
def _departures_closed_12m(org: int, today: date):
    got = Departure.objects.filter(
        organisation_id=org, last_day__gte=_since(today), last_day__lte=today
    ).aggregate(
        total=Count("employee", distinct=True),
        ok=Count("employee", distinct=True, filter=Q(state=DepartureState.CLOSED)),
    )
    return got["ok"], got["total"]


@_fact(
    "positions_graded", _("涉密人员所在岗位已定涉密等级"), "people:positions", empty=_("无涉密人员所在岗位")
)
def _positions_graded(org: int, today: date):
    got = (
        _employed(org)
        .filter(_entrusted(), position__isnull=False)
        .aggregate(
            total=Count("position", distinct=True),
            ok=Count("position", distinct=True, filter=~Q(position__sensitivity=Sensitivity.NONE)),
        )
    )
    return got["ok"], got["total"]


@_fact("deposits_12m", _("近12个月存证"), "evidence:list", unit=_("份"))
def _deposits_12m(org: int, today: date):
    start = timezone.make_aware(datetime.combine(_since(today), time.min))
    end = timezone.make_aware(datetime.combine(today + timedelta(days=1), time.min))
    return Deposit.objects.filter(
        organisation_id=org, created_at__gte=start, created_at__lt=end
    ).count(), None


@_fact("external_ndas", _("与外部单位签署的保密协议"), "people:agreements", {"state": "signed"}, unit=_("份"))
def _external_ndas(org: int, today: date):
    qs = Agreement.objects.filter(organisation_id=org, party__isnull=False, state=AgreementState.SIGNED)
    return qs.count(), None


FACT_KEYS: tuple[str, ...] = tuple(_SPECS)


def compute_fact(key: str, organisation_id: int, today: date) -> Fact:
    """One fact of one organisation on `today`. KeyError for an unknown key."""
    spec = _SPECS[key]
    numerator, denominator = spec.compute(organisation_id, today)
    return Fact(
        key=key,
        label=str(spec.label),
        numerator=numerator,
        denominator=denominator,
        url=_url(spec.url_name, **spec.query),
        unit=str(spec.unit),
        empty=str(spec.empty),
    )


def compute_facts(organisation_id: int, today: date, keys: Iterable[str] | None = None) -> dict[str, Fact]:
    """The facts named by `keys` (all of FACT_KEYS when None), in that order. KeyError for an unknown key."""
    wanted = FACT_KEYS if keys is None else tuple(dict.fromkeys(keys))
    unknown = [key for key in wanted if key not in _SPECS]
    if unknown:
        raise KeyError(unknown[0])  # before any query
    return {key: compute_fact(key, organisation_id, today) for key in wanted}
