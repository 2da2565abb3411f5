"""A person's one timeline: the people side's own steps and, from the register, each acknowledgement
(知悉确认) the person made of a grant — the evidence that they were told what is secret. Each entry
carries the download addresses of its canonical record and receipt."""

from __future__ import annotations

from django.urls import reverse

from shangmi.apps.people.models import Employee
from shangmi.apps.people.queries import timeline_of
from shangmi.apps.registry.models import SecretEvent
from shangmi.apps.registry.models.choices import EventKind


def acknowledgements_of(employee: Employee):
    """The register's acknowledgement records made by the person's linked account."""
    if employee.user_id is None:
        return SecretEvent.objects.none()
    return (
        SecretEvent.objects.filter(
            organisation_id=employee.organisation_id, kind=EventKind.GRANT_ACK, actor_id=employee.user_id
        )
        .select_related("secret", "deposit__checkpoint")
        .order_by("at", "pk")
    )


def person_timeline(employee: Employee) -> list:
    """Both kinds of entry in time order; `source` tells them apart ("people" or "register")."""
    entries = []
    for event in timeline_of(employee).select_related("deposit__checkpoint"):
        event.source = "people"
        event.record_url = reverse("people:event_record", args=[event.pk])
        event.receipt_url = reverse("people:event_receipt", args=[event.pk])
        entries.append(event)
    for event in acknowledgements_of(employee):
        event.source = "register"
        event.summary = f"{event.secret.code} {event.secret.name}"
        event.record_url = reverse("registry:event_record", args=[event.pk])
        event.receipt_url = reverse("registry:event_receipt", args=[event.pk])
        entries.append(event)
    return sorted(entries, key=lambda e: (e.at, e.pk))
