"""Objects of the people side for the authorisation matrix: each factory plants the canary in a record of
organisation A and returns the path parameter that names it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

CANARY = "金丝雀-7f3a9c"


def _employee_row(org):
    from shangmi.apps.people.models import Employee

    count = Employee.objects.filter(organisation=org).count()
    return Employee.objects.create(
        organisation=org, number=f"M{count + 1:04d}", name=CANARY, hired_on=date(2024, 3, 1), state="employed"
    )


def employee(org, user) -> dict:
    return {"employee_id": _employee_row(org).pk}


def department(org, user) -> dict:
    from shangmi.apps.people.models import Department

    return {"department_id": Department.objects.create(organisation=org, name=CANARY).pk}


def position(org, user) -> dict:
    from shangmi.apps.people.models import Position

    return {"position_id": Position.objects.create(organisation=org, name=CANARY, sensitivity="core").pk}


def party(org, user) -> dict:
    from shangmi.apps.people.models import ExternalParty

    return {"party_id": ExternalParty.objects.create(organisation=org, kind="supplier", name=CANARY).pk}


def _agreement_row(org, kind="nda", state="signed"):
    from shangmi.apps.people.models import Agreement

    count = Agreement.objects.filter(organisation=org).count()
    return Agreement.objects.create(
        organisation=org,
        kind=kind,
        number=f"M-{count + 1:04d}",
        employee=_employee_row(org),
        state=state,
        template_version="matrix",
    )


def agreement(org, user) -> dict:
    return {"agreement_id": _agreement_row(org).pk}


def payment(org, user) -> dict:
    from shangmi.apps.people.models import CompensationPayment, NonCompeteTerms

    terms = NonCompeteTerms.objects.create(
        agreement=_agreement_row(org, kind="non_compete"),
        scope=CANARY,
        region=CANARY,
        months=12,
        monthly_compensation=Decimal("3000"),
    )
    paid = CompensationPayment.objects.create(
        terms=terms,
        month=date(2026, 1, 1),
        amount=Decimal("3000"),
        paid_on=date(2026, 1, 15),
        reference=CANARY,
    )
    return {"payment_id": paid.pk}


def _departure_row(org):
    from shangmi.apps.people.models import Departure

    person = _employee_row(org)
    return Departure.objects.create(
        organisation=org,
        employee=person,
        resignation_on=date(2026, 11, 1),
        last_day=date(2026, 11, 30),
        reason=CANARY,
    )


def departure(org, user) -> dict:
    return {"departure_id": _departure_row(org).pk}


def item(org, user) -> dict:
    from shangmi.apps.people.models import DepartureItem

    row = DepartureItem.objects.create(departure=_departure_row(org), kind="interview", subject=CANARY)
    return {"item_id": row.pk}


def _training_row(org):
    from shangmi.apps.people.models import Training

    return Training.objects.create(organisation=org, topic=CANARY, held_on=date(2026, 6, 1), trainer=CANARY)


def training(org, user) -> dict:
    return {"training_id": _training_row(org).pk}


def attendance(org, user) -> dict:
    from shangmi.apps.people.models import Attendance

    row = Attendance.objects.create(training=_training_row(org), employee=_employee_row(org))
    return {"attendance_id": row.pk}


def person_event(org, user) -> dict:
    from shangmi.apps.accounts.models import Membership
    from shangmi.apps.people.actions.records import record_person_event

    member = Membership.objects.select_related("organisation", "user").get(organisation=org, user=user)
    event = record_person_event(
        member=member, organisation=org, kind="change", data={"note": CANARY}, employee=_employee_row(org)
    )
    return {"person_event_id": event.pk}


PEOPLE_PARAM_FACTORIES = {
    "employee_id": employee,
    "department_id": department,
    "position_id": position,
    "party_id": party,
    "agreement_id": agreement,
    "payment_id": payment,
    "departure_id": departure,
    "item_id": item,
    "training_id": training,
    "attendance_id": attendance,
    "person_event_id": person_event,
}
