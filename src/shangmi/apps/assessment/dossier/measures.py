"""The 合理保密措施 dossier of one trade secret at one cut-off date: every measure that protects it, dated,
with the canonical record and the evidence-log receipt that prove it, and whether it predates the cut-off
(法释〔2020〕7号 art. 5–6: the measures must have been taken before the alleged infringement).

Reads only; callers check who may see the secret (registry.queries.access_secret) and its whole register."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db.models import Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shangmi.apps.accounts.models import Membership
from shangmi.apps.assessment.dossier import sources
from shangmi.apps.assessment.dossier.sources import StoredFile
from shangmi.apps.assessment.models import Assessment, AssessmentEvent, AssessmentEventKind, AssessmentState
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people.models import Agreement, Attendance, Employee
from shangmi.apps.people.models.choices import AgreementKind
from shangmi.apps.registry.models import TradeSecret

SHANGHAI = ZoneInfo("Asia/Shanghai")


@dataclass(frozen=True)
class Category:
    key: str
    label: Promise
    art6: tuple[int, ...]  # the measure kinds of 法释〔2020〕7号 art. 6 it evidences


CATEGORIES = (
    Category("designation", _("定密记录"), (4,)),
    Category("marking", _("标识"), (4,)),
    Category("scope", _("知悉范围与确认"), (2, 4)),
    Category("agreements", _("保密协议"), (1,)),
    Category("training", _("保密培训"), (2,)),
    Category("carriers", _("载体管控"), (4, 5)),
    Category("self_check", _("自我体检"), (7,)),
)
CATEGORY_KEYS = tuple(c.key for c in CATEGORIES)


@dataclass
class Measure:
    category: str
    title: str
    detail: str
    at: datetime | date
    predates: bool
    record: bytes | None = None
    record_name: str = ""  # records/….json inside the ZIP; its receipt is record_name + ".receipt"
    deposit: Deposit | None = None  # the record's deposit
    file: StoredFile | None = None
    art6: tuple[int, ...] = ()

    @property
    def when(self) -> str:
        if isinstance(self.at, datetime):
            return self.at.astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
        return self.at.isoformat()

    @property
    def record_sha256(self) -> str:
        return sources.sha256(self.record) if self.record is not None else ""

    @property
    def receipt_name(self) -> str:
        return f"{self.record_name}.receipt" if self.record_name else ""

    @property
    def receipt_available(self) -> bool:
        return sources.included(self.deposit)


@dataclass(frozen=True)
class Section:
    category: Category
    measures: list[Measure]

    @property
    def before(self) -> int:
        return sum(m.predates for m in self.measures)

    @property
    def after(self) -> int:
        return len(self.measures) - self.before


@dataclass
class Dossier:
    secret: TradeSecret
    cutoff: date
    generated_at: datetime
    measures: list[Measure] = field(default_factory=list)

    def sections(self) -> list[Section]:
        return [Section(c, [m for m in self.measures if m.category == c.key]) for c in CATEGORIES]

    def counts(self) -> dict[str, dict[str, int]]:
        return {s.category.key: {"predates": s.before, "after": s.after} for s in self.sections()}


def predates(at: datetime | date, cutoff: date) -> bool:
    """On or before the cut-off day, which ends at midnight in Asia/Shanghai."""
    if isinstance(at, datetime):
        return at.astimezone(SHANGHAI).date() <= cutoff
    return at <= cutoff


def _sort_key(measure: Measure) -> tuple:
    at = measure.at
    moment = at if isinstance(at, datetime) else datetime.combine(at, time.min, tzinfo=SHANGHAI)
    return CATEGORY_KEYS.index(measure.category), moment, measure.title


class _Collector:
    def __init__(self, cutoff: date):
        self.cutoff, self.measures = cutoff, []

    def add(self, category: str, title: str, detail: str, at, *, event=None, file=None, art6=()) -> None:
        if at is None:
            return
        record = sources.record_of(event) if event is not None else None
        self.measures.append(
            Measure(
                category=category,
                title=title,
                detail=detail,
                at=at,
                predates=predates(at, self.cutoff),
                record=record[0] if record else None,
                record_name=record[1] if record else "",
                deposit=event.deposit if event is not None else None,
                file=file,
                art6=tuple(art6) or next(c.art6 for c in CATEGORIES if c.key == category),
            )
        )


def collect_measures(secret: TradeSecret, cutoff: date, *, now: datetime | None = None) -> Dossier:
    """Every measure protecting `secret`, in category order then by date. Cost: a dozen queries."""
    collect = _Collector(cutoff)
    events = sources.RegisterEvents(secret)
    sources.register_measures(secret, events, collect)
    people = people_in_scope(secret)
    _agreements(people, collect)
    _trainings(people, collect)
    _self_checks(secret.organisation_id, collect)
    collect.measures.sort(key=_sort_key)
    return Dossier(secret, cutoff, now or timezone.now(), collect.measures)


def people_in_scope(secret: TradeSecret) -> list[Employee]:
    """The people entrusted with the secret, ever: personal grantees, those who acknowledged a position
    grant, and the employees (or members) holding a granted position."""
    grants = list(secret.grants.prefetch_related("acknowledgements"))
    users = {g.user_id for g in grants if g.user_id}
    users |= {a.user_id for g in grants for a in g.acknowledgements.all()}
    positions = {g.position for g in grants if g.position}
    org = secret.organisation_id
    if positions:
        holders = Membership.objects.filter(organisation_id=org, title__in=positions)
        users |= set(holders.values_list("user_id", flat=True))
    scope = Q(user_id__in=users) | Q(position__name__in=positions)
    return list(Employee.objects.filter(organisation_id=org).filter(scope).order_by("number"))


def _agreements(people: list[Employee], collect: _Collector) -> None:
    agreements = (
        Agreement.objects.filter(
            employee__in=people,
            kind__in=[AgreementKind.NDA, AgreementKind.NON_COMPETE],
            signed_on__isnull=False,
        )
        .select_related("employee", "scan_deposit__checkpoint")
        .order_by("signed_on", "pk")
    )
    signs = sources.agreement_signatures(agreements)
    for a in agreements:
        detail = _("状态：%(state)s；签署日期：%(signed)s；生效日期：%(start)s；到期日期：%(end)s") % {
            "state": a.get_state_display(),
            "signed": a.signed_on,
            "start": a.effective_on or "—",
            "end": a.expires_on or "—",
        }
        title = _("%(kind)s %(number)s（%(person)s）") % {
            "kind": a.get_kind_display(),
            "number": a.number,
            "person": a.employee,
        }
        collect.add("agreements", title, detail, a.signed_on, event=signs.get(a.pk), file=sources.scan_of(a))


def _trainings(people: list[Employee], collect: _Collector) -> None:
    attendances = (
        Attendance.objects.filter(employee__in=people)
        .select_related("training", "employee")
        .order_by("training__held_on", "training_id", "employee__number")
    )
    records = sources.training_records(people)
    materials: dict[int, StoredFile] = {}
    results = {None: _("已参加"), True: _("合格"), False: _("不合格")}
    for a in attendances:
        t = a.training
        detail = _("培训人：%(trainer)s；学时：%(hours)s；成绩：%(score)s；结果：%(result)s") % {
            "trainer": t.trainer,
            "hours": t.hours,
            "score": "—" if a.score is None else a.score,
            "result": results[a.passed],
        }
        title = _("%(topic)s（%(person)s）") % {"topic": t.topic, "person": a.employee}
        event = records.get((a.employee_id, t.pk))
        collect.add("training", title, detail, t.held_on, event=event, file=sources.material_of(t, materials))


def _self_checks(organisation_id: int, collect: _Collector) -> None:
    events = (
        AssessmentEvent.objects.filter(
            assessment__organisation_id=organisation_id,
            assessment__state__in=[AssessmentState.SUBMITTED, AssessmentState.REVIEWED],
            kind__in=[AssessmentEventKind.SUBMIT, AssessmentEventKind.REVIEW],
        )
        .select_related("assessment", "deposit__checkpoint")
        .order_by("at", "pk")
    )
    for e in events:
        a: Assessment = e.assessment
        detail = _("框架：%(framework)s %(version)s；总分：%(score)s；状态：%(state)s") % {
            "framework": a.framework_name,
            "version": a.framework_version,
            "score": "—" if a.score is None else f"{a.score:.1f}",
            "state": a.get_state_display(),
        }
        if e.summary:
            detail = f"{detail}；{e.summary}"
        title = f"{e.get_kind_display()}：{a.title}"
        collect.add("self_check", title, detail, e.at, event=e)
