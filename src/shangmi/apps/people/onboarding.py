"""The onboarding checklist (入职检查): the clean-hands pledge (不侵犯他人商业秘密承诺书) and the NDA signed,
and a first training within the organisation's configured number of days after hiring. Reads only."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils.translation import gettext as _

from shangmi.apps.people.models import Agreement, Attendance, Employee
from shangmi.apps.people.models.choices import AgreementKind, AgreementState, EmployeeState

DONE, DUE, OVERDUE, MISSING = "done", "due", "overdue", "missing"
# Recently hired people stay on the overview this long after hiring, even once employed.
RECENT_DAYS = 90


@dataclass
class Item:
    key: str
    label: str
    state: str  # done / due / overdue / missing
    detail: str = ""
    due_on: date | None = None

    @property
    def done(self) -> bool:
        return self.state == DONE


@dataclass
class Checklist:
    employee: Employee
    items: list[Item] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)

    @property
    def overdue(self) -> bool:
        return any(item.state == OVERDUE for item in self.items)

    def item(self, key: str) -> Item:
        return next(i for i in self.items if i.key == key)


def _signed(agreements: list[Agreement], kind: str, key: str, label: str) -> Item:
    signed = [a for a in agreements if a.kind == kind and a.state == AgreementState.SIGNED]
    if signed:
        a = signed[0]
        return Item(
            key, label, DONE, _("%(number)s，%(day)s 签署") % {"number": a.number, "day": a.signed_on}
        )
    pending = [
        a for a in agreements if a.kind == kind and a.state in (AgreementState.DRAFT, AgreementState.SENT)
    ]
    detail = (
        _("%(number)s %(state)s") % {"number": pending[0].number, "state": pending[0].get_state_display()}
        if pending
        else _("尚未签署")
    )
    return Item(key, label, MISSING, detail)


def _first_training(employee: Employee, days: int, today: date, attendances: list[Attendance]) -> Item:
    label = _("入职 %(days)s 天内参加首次保密培训") % {"days": days}
    due = employee.hired_on + timedelta(days=days)
    counted = [a for a in attendances if a.training.pass_mark is None or a.passed]
    if counted:
        first = min(counted, key=lambda a: a.training.held_on)
        held = first.training.held_on
        if held <= due:
            detail = _("%(day)s 参加“%(topic)s”") % {"day": held, "topic": first.training.topic}
        else:
            detail = _("%(day)s 参加“%(topic)s”（逾期完成，应于 %(due)s 前）") % {
                "day": held,
                "topic": first.training.topic,
                "due": due,
            }
        return Item("training", label, DONE, detail, due)
    if today > due:
        return Item("training", label, OVERDUE, _("已逾期：应于 %(due)s 前完成") % {"due": due}, due)
    return Item("training", label, DUE, _("应于 %(due)s 前完成") % {"due": due}, due)


def onboarding_checklist(
    employee: Employee, policy, today: date, *, agreements=None, attendances=None
) -> Checklist:
    """The three items for one person. `agreements` / `attendances` may be passed prefetched."""
    if agreements is None:
        agreements = list(employee.agreements.order_by("-signed_on", "-id"))
    if attendances is None:
        attendances = list(
            Attendance.objects.filter(employee=employee, training__held_on__lte=today).select_related(
                "training"
            )
        )
    return Checklist(
        employee,
        [
            _signed(
                agreements, AgreementKind.CLEAN_HANDS, "clean_hands", str(AgreementKind.CLEAN_HANDS.label)
            ),
            _signed(agreements, AgreementKind.NDA, "nda", str(AgreementKind.NDA.label)),
            _first_training(employee, policy.first_training_days, today, attendances),
        ],
    )


def onboarding_overview(organisation_id: int, policy, today: date) -> list[Checklist]:
    """Everyone onboarding or hired in the last RECENT_DAYS days (and not gone), incomplete first.
    Three queries whatever the number of people."""
    people = list(
        Employee.objects.filter(organisation_id=organisation_id)
        .filter(
            Q(state=EmployeeState.ONBOARDING)
            | Q(state=EmployeeState.EMPLOYED, hired_on__gte=today - timedelta(days=RECENT_DAYS))
        )
        .select_related("department", "position")
        .order_by("hired_on", "number")
    )
    ids = [p.pk for p in people]
    agreements: dict[int, list[Agreement]] = {pk: [] for pk in ids}
    for a in Agreement.objects.filter(employee_id__in=ids).order_by("-signed_on", "-id"):
        agreements[a.employee_id].append(a)
    attendances: dict[int, list[Attendance]] = {pk: [] for pk in ids}
    for a in Attendance.objects.filter(employee_id__in=ids, training__held_on__lte=today).select_related(
        "training"
    ):
        attendances[a.employee_id].append(a)
    rows = [
        onboarding_checklist(p, policy, today, agreements=agreements[p.pk], attendances=attendances[p.pk])
        for p in people
    ]
    rows.sort(key=lambda c: (c.complete, not c.overdue))
    return rows
