"""Reads and tenant access for the people side. Missing and forbidden look alike (NotFound); members of
regulators and providers find nothing; an employee finds only their own record and what hangs on it."""

from __future__ import annotations

from django.db.models import QuerySet

from shangmi.apps.accounts.queries import NotFound
from shangmi.apps.people import permissions
from shangmi.apps.people.models import (
    Agreement,
    Attendance,
    CompensationPayment,
    Department,
    Departure,
    DepartureItem,
    Employee,
    ExternalParty,
    PeoplePolicy,
    PersonEvent,
    Position,
    Training,
)


def employees_visible_to(member) -> QuerySet[Employee]:
    if not permissions.is_enterprise_member(member):
        return Employee.objects.none()
    qs = Employee.objects.filter(organisation_id=member.organisation_id)
    if permissions.reads_everyone(member):
        return qs
    return qs.filter(user_id=member.user_id)


def employee_of(member) -> Employee | None:
    """The member's own personnel record, if the officer linked one to their account."""
    if not permissions.is_enterprise_member(member):
        return None
    return Employee.objects.filter(organisation_id=member.organisation_id, user_id=member.user_id).first()


def _one(qs: QuerySet, pk: int):
    found = qs.filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def access_employee(member, employee_id: int) -> Employee:
    return _one(employees_visible_to(member).select_related("department", "position", "user"), employee_id)


def _org_only(member, model) -> QuerySet:
    """Rows of organisation-level lists (departments, positions, parties): managers and officers only."""
    if not permissions.reads_everyone(member):
        return model.objects.none()
    return model.objects.filter(organisation_id=member.organisation_id)


def departments_of(member) -> QuerySet[Department]:
    return _org_only(member, Department)


def positions_of(member) -> QuerySet[Position]:
    return _org_only(member, Position)


def parties_of(member) -> QuerySet[ExternalParty]:
    return _org_only(member, ExternalParty)


def access_department(member, department_id: int) -> Department:
    return _one(departments_of(member), department_id)


def access_position(member, position_id: int) -> Position:
    return _one(positions_of(member), position_id)


def access_party(member, party_id: int) -> ExternalParty:
    return _one(parties_of(member), party_id)


def agreements_visible_to(member) -> QuerySet[Agreement]:
    if not permissions.is_enterprise_member(member):
        return Agreement.objects.none()
    qs = Agreement.objects.filter(organisation_id=member.organisation_id)
    if permissions.reads_everyone(member):
        return qs
    return qs.filter(employee__user_id=member.user_id)


def access_agreement(member, agreement_id: int) -> Agreement:
    return _one(
        agreements_visible_to(member).select_related("employee", "party", "scan_deposit"), agreement_id
    )


def access_payment(member, payment_id: int) -> CompensationPayment:
    return _one(
        CompensationPayment.objects.filter(terms__agreement__in=agreements_visible_to(member)).select_related(
            "terms__agreement"
        ),
        payment_id,
    )


def trainings_visible_to(member) -> QuerySet[Training]:
    if not permissions.is_enterprise_member(member):
        return Training.objects.none()
    qs = Training.objects.filter(organisation_id=member.organisation_id)
    if permissions.reads_everyone(member):
        return qs
    return qs.filter(attendances__employee__user_id=member.user_id).distinct()


def access_training(member, training_id: int) -> Training:
    return _one(trainings_visible_to(member), training_id)


def access_attendance(member, attendance_id: int) -> Attendance:
    return _one(
        Attendance.objects.filter(employee__in=employees_visible_to(member)).select_related(
            "training", "employee"
        ),
        attendance_id,
    )


def departures_visible_to(member) -> QuerySet[Departure]:
    """Departure audits are the officer's work; managers read them. The leaver does not see their audit."""
    if not permissions.reads_everyone(member):
        return Departure.objects.none()
    return Departure.objects.filter(organisation_id=member.organisation_id)


def access_departure(member, departure_id: int) -> Departure:
    return _one(departures_visible_to(member).select_related("employee"), departure_id)


def access_item(member, item_id: int) -> DepartureItem:
    return _one(
        DepartureItem.objects.filter(departure__in=departures_visible_to(member)).select_related(
            "departure__employee", "carrier", "grant", "agreement"
        ),
        item_id,
    )


def access_person_event(member, event_id: int) -> PersonEvent:
    visible = PersonEvent.objects.filter(employee__in=employees_visible_to(member))
    if permissions.reads_everyone(member):
        visible = PersonEvent.objects.filter(organisation_id=member.organisation_id)
    return _one(visible.select_related("employee", "deposit__checkpoint"), event_id)


def policy_of(organisation_id: int) -> PeoplePolicy:
    """The saved settings, or the defaults unsaved: reads never write."""
    return PeoplePolicy.objects.filter(organisation_id=organisation_id).first() or PeoplePolicy(
        organisation_id=organisation_id
    )


def timeline_of(employee: Employee) -> QuerySet[PersonEvent]:
    return PersonEvent.objects.filter(employee=employee).select_related("deposit").order_by("at", "id")


def open_departures_of(organisation_id: int) -> QuerySet[Departure]:
    """The organisation's departure audits still open (for the platform's own steps, not for pages)."""
    from shangmi.apps.people.models.choices import DepartureState

    return Departure.objects.filter(organisation_id=organisation_id, state=DepartureState.OPEN)
