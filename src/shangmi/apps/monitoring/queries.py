"""Reads of monitoring data, each limited to the member's organisation: a missing and a forbidden object
look the same (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shangmi.apps.monitoring import permissions
from shangmi.apps.monitoring.models import Alert, LogSource, LogUpload, MonitoringSettings, ScoringRun


def _org(member) -> int | None:
    return member.organisation_id if permissions.can_read(member) else None


def alerts_of(member) -> QuerySet[Alert]:
    org = _org(member)
    return Alert.objects.filter(organisation_id=org) if org else Alert.objects.none()


def sources_of(member) -> QuerySet[LogSource]:
    org = _org(member)
    return LogSource.objects.filter(organisation_id=org) if org else LogSource.objects.none()


def uploads_of(member) -> QuerySet[LogUpload]:
    org = _org(member)
    return LogUpload.objects.filter(source__organisation_id=org) if org else LogUpload.objects.none()


def runs_of(member) -> QuerySet[ScoringRun]:
    org = _org(member)
    return ScoringRun.objects.filter(organisation_id=org) if org else ScoringRun.objects.none()


def _found(queryset, pk: int, what: str):
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(f"no such {what}")
    return found


def access_alert(member, alert_id: int) -> Alert:
    return _found(alerts_of(member).select_related("employee", "assignee", "organisation"), alert_id, "alert")


def access_source(member, source_id: int) -> LogSource:
    return _found(sources_of(member), source_id, "log source")


def settings_of(organisation_id: int) -> MonitoringSettings:
    """The organisation's settings, unsaved defaults when it has none yet."""
    return MonitoringSettings.objects.filter(organisation_id=organisation_id).first() or MonitoringSettings(
        organisation_id=organisation_id
    )


def lines(text: str) -> list[str]:
    """A settings text area as a list: one value a line, trimmed, lower-cased, blanks and # comments out."""
    return [
        line.strip().lower()
        for line in (text or "").splitlines()
        if line.strip() and not line.startswith("#")
    ]
