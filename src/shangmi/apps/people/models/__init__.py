"""The people side (人员). Writes go through `actions/`."""

from shangmi.apps.people.models.agreements import (
    MAX_NON_COMPETE_MONTHS,
    Agreement,
    CompensationPayment,
    ExternalParty,
    NonCompeteTerms,
)
from shangmi.apps.people.models.departures import Departure, DepartureItem
from shangmi.apps.people.models.events import PersonEvent
from shangmi.apps.people.models.policy import PeoplePolicy, PeopleReminderRun
from shangmi.apps.people.models.staff import Department, Employee, Position
from shangmi.apps.people.models.trainings import Attendance, Training

__all__ = [
    "MAX_NON_COMPETE_MONTHS",
    "Agreement",
    "Attendance",
    "CompensationPayment",
    "Department",
    "Departure",
    "DepartureItem",
    "Employee",
    "ExternalParty",
    "NonCompeteTerms",
    "PeoplePolicy",
    "PeopleReminderRun",
    "PersonEvent",
    "Position",
    "Training",
]
