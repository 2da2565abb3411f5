"""The people side's daily reminder (协议提醒): agreements sent but not signed for more than the policy's
unsigned_reminder_days, signed agreements expiring within expiry_reminder_days, enforced non-competes whose
compensation is unpaid three months running; and, first, signed agreements past their expiry date are
marked expired. Officers and admins of each enterprise get one notification a day when anything is due;
PeopleReminderRun makes a second run on the same day send nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shangmi.apps.accounts.actions import notification_send
from shangmi.apps.accounts.models import Membership, Notification, Organisation
from shangmi.apps.people.actions.agreements import agreement_expire
from shangmi.apps.people.actions.non_compete import UNPAID_WARNING_MONTHS, unpaid_streak
from shangmi.apps.people.models import Agreement, NonCompeteTerms, PeopleReminderRun
from shangmi.apps.people.models.choices import AgreementState, NonCompeteDecision
from shangmi.apps.people.queries import policy_of
from shangmi.apps.registry.permissions import MANAGE_ROLES
from shangmi.apps.registry.reminders import ITEMS_PER_SECTION, enterprises
from shangmi.apps.registry.wording import phrases

KINDS = ("unsigned", "expiring", "unpaid")


@dataclass(frozen=True)
class Section:
    kind: str
    count: int
    lines: list[str]
    link: str

    def text(self) -> str:
        rows = [self.heading(), *(f"· {line}" for line in self.lines)]
        if self.count > len(self.lines):
            rows.append(_("…及另外 %(more)s 项") % {"more": self.count - len(self.lines)})
        return "\n".join(rows)

    def heading(self) -> str:
        return {
            "unsigned": _("协议发出后未签署（%(count)s 份）："),
            "expiring": _("协议即将到期（%(count)s 份）："),
            "unpaid": _("竞业限制补偿连续三个月未支付（%(count)s 份）："),
        }[self.kind] % {"count": self.count}

    def short(self) -> str:
        return {
            "unsigned": _("未签署 %(count)s 份"),
            "expiring": _("即将到期 %(count)s 份"),
            "unpaid": _("竞业补偿未付 %(count)s 份"),
        }[self.kind] % {"count": self.count}


def _link(**filters) -> str:
    url = reverse("people:agreements")
    return f"{url}?{urlencode(filters)}" if filters else url


def _section(kind: str, rows: list, line, link: str) -> Section | None:
    if not rows:
        return None
    return Section(kind, len(rows), [line(a) for a in rows[:ITEMS_PER_SECTION]], link)


def expire_due(organisation: Organisation, day: date) -> int:
    """Mark the organisation's signed agreements whose expiry date is before `day` as expired."""
    due = Agreement.objects.filter(organisation=organisation, state=AgreementState.SIGNED, expires_on__lt=day)
    count = 0
    for agreement in due.order_by("expires_on", "id"):
        agreement_expire(agreement, today=day)
        count += 1
    return count


def unpaid_agreements(organisation_id: int, day: date) -> list[tuple[Agreement, int]]:
    """Enforced non-competes of the organisation with at least three unpaid months in a row."""
    terms = NonCompeteTerms.objects.filter(
        agreement__organisation_id=organisation_id, decision=NonCompeteDecision.ENFORCE
    ).select_related("agreement__employee")
    found = []
    for t in terms.order_by("agreement__number"):
        streak = unpaid_streak(t, day)
        if streak >= UNPAID_WARNING_MONTHS:
            found.append((t.agreement, streak))
    return found


def due_sections(organisation: Organisation, day: date) -> dict[str, Section]:
    policy = policy_of(organisation.pk)
    agreements = Agreement.objects.filter(organisation=organisation).select_related("employee", "party")
    # Sent more than N days ago: before the start of the day N days back.
    cutoff = timezone.make_aware(
        datetime.combine(day - timedelta(days=policy.unsigned_reminder_days), time.min)
    )
    unsigned = list(
        agreements.filter(state=AgreementState.SENT, sent_at__lt=cutoff).order_by("sent_at", "id")
    )
    until = day + timedelta(days=policy.expiry_reminder_days)
    expiring = list(
        agreements.filter(state=AgreementState.SIGNED, expires_on__gte=day, expires_on__lte=until).order_by(
            "expires_on", "id"
        )
    )
    unpaid = unpaid_agreements(organisation.pk, day)
    found = [
        _section(
            "unsigned",
            unsigned,
            lambda a: (
                _("%(number)s %(kind)s · %(who)s，%(day)s 发出")
                % {
                    "number": a.number,
                    "kind": a.get_kind_display(),
                    "who": a.counterparty,
                    "day": timezone.localdate(a.sent_at).isoformat(),
                }
            ),
            _link(state=AgreementState.SENT),
        ),
        _section(
            "expiring",
            expiring,
            lambda a: (
                _("%(number)s %(kind)s · %(who)s，%(day)s 到期")
                % {
                    "number": a.number,
                    "kind": a.get_kind_display(),
                    "who": a.counterparty,
                    "day": a.expires_on,
                }
            ),
            _link(state=AgreementState.SIGNED),
        ),
        _section(
            "unpaid",
            unpaid,
            lambda pair: (
                _("%(number)s · %(who)s，已连续 %(months)s 个月未登记补偿支付")
                % {"number": pair[0].number, "who": pair[0].counterparty, "months": pair[1]}
            ),
            _link(unpaid=1),
        ),
    ]
    return {s.kind: s for s in found if s is not None}


@dataclass
class OrgSummary:
    code: str
    counts: dict[str, int]
    expired: int
    notified: int
    already_ran: bool = False


@dataclass
class PeopleRunReport:
    day: date
    organisations: list[OrgSummary] = field(default_factory=list)

    @property
    def notified(self) -> int:
        return sum(o.notified for o in self.organisations)

    def as_dict(self) -> dict:
        return {
            "day": self.day.isoformat(),
            "notified": self.notified,
            "organisations": [
                {
                    "code": o.code,
                    "counts": o.counts,
                    "expired": o.expired,
                    "notified": o.notified,
                    "already_ran": o.already_ran,
                }
                for o in self.organisations
            ],
        }


def _officers(organisation: Organisation):
    return (
        Membership.objects.filter(
            organisation=organisation, is_active=True, user__is_active=True, role__in=MANAGE_ROLES
        )
        .select_related("user")
        .order_by("pk")
    )


@transaction.atomic
def _remind(organisation: Organisation, day: date) -> OrgSummary:
    expired = expire_due(organisation, day)
    try:
        with transaction.atomic():
            run = PeopleReminderRun.objects.create(organisation=organisation, day=day)
    except IntegrityError:
        earlier = PeopleReminderRun.objects.get(organisation=organisation, day=day)
        return OrgSummary(organisation.short_code, {}, expired, earlier.sent, already_ran=True)
    sections = due_sections(organisation, day)
    sent = 0
    if sections:
        ordered = [sections[k] for k in KINDS if k in sections]
        title = _("协议提醒：%(items)s") % {"items": phrases(s.short() for s in ordered)}
        body = "\n\n".join(s.text() for s in ordered)
        for membership in _officers(organisation):
            notification_send(
                recipient=membership.user,
                organisation=organisation,
                title=title,
                body=body,
                link=ordered[0].link,
                level=Notification.Level.WARNING,
            )
            sent += 1
    run.sent = sent
    run.save(update_fields=["sent"])
    counts = {kind: sections[kind].count if kind in sections else 0 for kind in KINDS}
    return OrgSummary(organisation.short_code, counts, expired, sent)


def run_people_reminders(*, day: date | None = None) -> PeopleRunReport:
    """Expire what has expired and notify each enterprise's officers of what is due on `day` (default
    today); an organisation already reminded that day is told nothing more."""
    day = day or timezone.localdate()
    report = PeopleRunReport(day)
    with translation.override(settings.LANGUAGE_CODE):
        for organisation in enterprises():
            report.organisations.append(_remind(organisation, day))
    return report
