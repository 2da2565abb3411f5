"""The daily reminder (提醒): what is due in each enterprise's register, who is told, and the run that
tells them once a day.

Due on `day`, with N = the organisation's RegisterPolicy.reminder_days:
  * periods: designated secrets whose period (a date) ends between `day` and `day + N`, both included;
  * grants: active grants of open secrets expiring between `day` and `day + N`;
  * unmarked: active carriers of open secrets not yet marked;
  * review / approval: applications waiting for the designation group (applied) or a manager (reviewed).
Officers and admins get every section; managers the approvals; members of the designation group the
applications they have not reviewed yet (while the group is empty the officers review, and they have
every section already). Each person gets at most one notification per organisation per day, and none
when nothing is due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangmi.apps.accounts.actions import notification_send
from shangmi.apps.accounts.models import Membership, Notification, Organisation
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry.actions import policy_for
from shangmi.apps.registry.models import AccessGrant, DesignationReview, ReminderRun, TradeSecret
from shangmi.apps.registry.models.choices import PeriodKind, SecretState
from shangmi.apps.registry.permissions import APPROVE_ROLES, MANAGE_ROLES
from shangmi.apps.registry.queries import unmarked_carriers
from shangmi.apps.registry.wording import phrases

ITEMS_PER_SECTION = 10  # listed in a notification; the rest are counted ("…及另外 N 项")
OPEN_STATES = (SecretState.APPLIED, SecretState.REVIEWED, SecretState.DESIGNATED)
KINDS = ("periods", "grants", "unmarked", "review", "approval")  # the order of sections everywhere


@dataclass(frozen=True)
class Section:
    kind: str
    count: int
    lines: list[str]  # at most ITEMS_PER_SECTION
    link: str

    def text(self, horizon: int) -> str:
        heading = {
            "periods": _("保密期限将在 %(days)s 天内届满（%(count)s 项）："),
            "grants": _("知悉授权将在 %(days)s 天内到期（%(count)s 项）："),
            "unmarked": _("载体未标识（%(count)s 项）："),
            "review": _("定密申请待审查（%(count)s 项）："),
            "approval": _("定密申请待批准（%(count)s 项）："),
        }[self.kind] % {"days": horizon, "count": self.count}
        rows = [heading, *(f"· {line}" for line in self.lines)]
        if self.count > len(self.lines):
            rows.append(_("…及另外 %(more)s 项") % {"more": self.count - len(self.lines)})
        return "\n".join(rows)

    def short(self) -> str:
        return {
            "periods": _("保密期限届满 %(count)s 项"),
            "grants": _("知悉授权到期 %(count)s 项"),
            "unmarked": _("载体未标识 %(count)s 项"),
            "review": _("待审查 %(count)s 项"),
            "approval": _("待批准 %(count)s 项"),
        }[self.kind] % {"count": self.count}


@dataclass
class Due:
    """What is due in one organisation on one day."""

    organisation: Organisation
    day: date
    horizon: int
    sections: dict[str, Section] = field(default_factory=dict)  # only the non-empty ones
    applied: QuerySet[TradeSecret] | None = None  # for each reviewer's own review section

    def count(self, kind: str) -> int:
        section = self.sections.get(kind)
        return section.count if section else 0

    @property
    def empty(self) -> bool:
        return not self.sections


def _register_link(**filters) -> str:
    url = reverse("registry:list")
    return f"{url}?{urlencode(filters)}" if filters else url


def _section(kind: str, qs: QuerySet, line, link: str) -> Section | None:
    count = qs.count()
    if not count:
        return None
    return Section(kind, count, [line(obj) for obj in qs[:ITEMS_PER_SECTION]], link)


def _application_line(secret: TradeSecret) -> str:
    return _("%(code)s %(name)s（%(day)s 申请）") % {
        "code": secret.code,
        "name": secret.name,
        "day": timezone.localdate(secret.created_at).isoformat(),
    }


def _grantee(grant: AccessGrant) -> str:
    if grant.user_id:
        return grant.user.name
    return _("岗位“%(position)s”") % {"position": grant.position}


def due_for(organisation: Organisation, day: date) -> Due:
    horizon = policy_for(organisation).reminder_days
    until = day + timedelta(days=horizon)
    secrets = TradeSecret.objects.filter(organisation=organisation)
    periods = secrets.filter(
        state=SecretState.DESIGNATED,
        period_kind=PeriodKind.UNTIL_DATE,
        period_until__gte=day,
        period_until__lte=until,
    ).order_by("period_until", "code")
    grants = (
        AccessGrant.objects.filter(
            organisation=organisation,
            secret__state__in=OPEN_STATES,
            revoked_at__isnull=True,
            expires_on__gte=day,
            expires_on__lte=until,
        )
        .select_related("secret", "user")
        .order_by("expires_on", "secret__code", "id")
    )
    unmarked = (
        unmarked_carriers(organisation.pk)
        .filter(secret__state__in=OPEN_STATES)
        .select_related("secret")
        .order_by("secret__code", "code")
    )
    applied = secrets.filter(state=SecretState.APPLIED).order_by("created_at", "id")
    reviewed = secrets.filter(state=SecretState.REVIEWED).order_by("created_at", "id")
    found = [
        _section(
            "periods",
            periods,
            lambda s: (
                _("%(code)s %(name)s，保密期限至 %(day)s")
                % {"code": s.code, "name": s.name, "day": s.period_until.isoformat()}
            ),
            _register_link(state=SecretState.DESIGNATED, ending_within=horizon),
        ),
        _section(
            "grants",
            grants,
            lambda g: (
                _("%(code)s %(name)s：%(grantee)s 的知悉授权 %(day)s 到期")
                % {"code": g.secret.code, "name": g.secret.name, "grantee": _grantee(g), "day": g.expires_on}
            ),
            _register_link(),
        ),
        _section(
            "unmarked",
            unmarked,
            lambda c: (
                _("%(carrier)s %(name)s（%(secret)s）")
                % {"carrier": c.code, "name": c.name, "secret": c.secret.code}
            ),
            _register_link(unmarked=1),
        ),
        _section("review", applied, _application_line, _register_link(state=SecretState.APPLIED)),
        _section("approval", reviewed, _application_line, _register_link(state=SecretState.REVIEWED)),
    ]
    sections = {s.kind: s for s in found if s is not None}
    return Due(organisation, day, horizon, sections, applied)


# --- who is told what -----------------------------------------------------------------------------


def _members(organisation: Organisation) -> QuerySet[Membership]:
    return Membership.objects.filter(
        organisation=organisation, is_active=True, user__is_active=True
    ).select_related("user")


def recipients(due: Due) -> dict[int, tuple[object, list[Section]]]:
    """user id -> (user, the sections that person is told), in KINDS order; nobody with nothing to read."""
    members = list(_members(due.organisation))
    told: dict[int, tuple[object, dict[str, Section]]] = {}

    def tell(user, section: Section | None) -> None:
        if section is not None:
            told.setdefault(user.pk, (user, {}))[1][section.kind] = section

    for m in members:
        if m.role in MANAGE_ROLES:
            for section in due.sections.values():
                tell(m.user, section)
        if m.role in APPROVE_ROLES:
            tell(m.user, due.sections.get("approval"))
    # While the designation group is empty the officers review, and they have every section already.
    group = set(policy_for(due.organisation).reviewers.values_list("pk", flat=True))
    if "review" in due.sections and group:
        for m in members:
            if m.user_id in group and m.role not in MANAGE_ROLES:
                tell(m.user, _own_reviews(due, m.user))
    return {
        pk: (user, [sections[k] for k in KINDS if k in sections]) for pk, (user, sections) in told.items()
    }


def _own_reviews(due: Due, user) -> Section | None:
    """The applications this reviewer has not reviewed yet (another reviewer's pass does not count)."""
    mine = DesignationReview.objects.filter(reviewer=user).values("secret_id")
    waiting = due.applied.exclude(pk__in=mine)
    return _section("review", waiting, _application_line, due.sections["review"].link)


def compose(due: Due, sections: list[Section]) -> tuple[str, str, str]:
    """(title, body, link) of one person's notification."""
    title = _("台账提醒：%(items)s") % {"items": phrases(s.short() for s in sections)}
    body = "\n\n".join(s.text(due.horizon) for s in sections)
    return title, body, sections[0].link


# --- the daily run --------------------------------------------------------------------------------


@dataclass
class OrgSummary:
    code: str
    name: str
    counts: dict[str, int]
    notified: int


@dataclass
class RunReport:
    day: date
    already_ran: bool = False
    dry_run: bool = False
    notified: int = 0
    organisations: list[OrgSummary] = field(default_factory=list)
    ran_at: object = None  # when the day's run happened (for a repeated run: the first one)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "already_ran": self.already_ran,
            "dry_run": self.dry_run,
            "notified": self.notified,
            "organisations": [
                {"code": o.code, "counts": o.counts, "notified": o.notified} for o in self.organisations
            ],
        }


def enterprises() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrgKind.ENTERPRISE, is_active=True).order_by("short_code")


def _remind(organisation: Organisation, day: date, send: bool) -> OrgSummary:
    due = due_for(organisation, day)
    sent = 0
    if not due.empty:
        for user, sections in recipients(due).values():
            if send:
                title, body, link = compose(due, sections)
                notification_send(
                    recipient=user,
                    organisation=organisation,
                    title=title,
                    body=body,
                    link=link,
                    level=Notification.Level.WARNING,
                )
            sent += 1
    counts = {kind: due.count(kind) for kind in KINDS}
    return OrgSummary(organisation.short_code, organisation.name, counts, sent)


def run_reminders(
    *, day: date | None = None, organisations: QuerySet[Organisation] | None = None, dry_run: bool = False
) -> RunReport:
    """Notify every enterprise of what is due on `day` (default: today), once per day. A second run for
    the same day sends nothing and says so. `dry_run` computes the same report and sends nothing, and
    does not count as the day's run (nor does a run restricted to some `organisations`, which is always
    a dry run, so that the day's real run still reaches everyone exactly once)."""
    day = day or timezone.localdate()
    dry_run = dry_run or organisations is not None
    orgs = list(organisations if organisations is not None else enterprises())
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        if dry_run:
            report = RunReport(day, dry_run=True)
        else:
            try:
                with transaction.atomic():
                    run = ReminderRun.objects.create(day=day)
            except IntegrityError:
                earlier = ReminderRun.objects.get(day=day)
                return RunReport(day, already_ran=True, notified=earlier.notified, ran_at=earlier.started_at)
            report = RunReport(day, ran_at=run.started_at)
        for organisation in orgs:
            summary = _remind(organisation, day, send=not dry_run)
            report.organisations.append(summary)
            report.notified += summary.notified
        if not dry_run:
            run.notified = report.notified
            run.save(update_fields=["notified"])
    return report
