"""Reads of the audit trail: always within one organisation."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q, QuerySet

from shangmi.apps.audit.models import AuditEvent


def events_for(
    organisation,
    *,
    q: str = "",
    verb: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditEvent]:
    """Events of one organisation, filtered. Dates are whole local days, both ends included."""
    qs = AuditEvent.objects.filter(organisation=organisation).select_related("actor")
    if verb:
        qs = qs.filter(verb__startswith=verb)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q) | Q(verb__icontains=q) | Q(actor_label__icontains=q) | Q(object_id=q)
        )
    tz = ZoneInfo(settings.TIME_ZONE)
    if date_from:
        qs = qs.filter(created_at__gte=datetime.combine(date_from, time.min, tz))
    if date_to:
        qs = qs.filter(created_at__lt=datetime.combine(date_to + timedelta(days=1), time.min, tz))
    return qs.order_by("-seq")


def verbs_for(organisation) -> list[str]:
    return list(
        AuditEvent.objects.filter(organisation=organisation)
        .values_list("verb", flat=True)
        .distinct()
        .order_by("verb")
    )
