"""Reads of forensics data, each limited to the member's organisation: a missing and a forbidden object
look the same (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shangmi.apps.forensics import permissions
from shangmi.apps.forensics.models import FingerprintIndex, ForensicScan


def _org(member) -> int | None:
    return member.organisation_id if permissions.can_read(member) else None


def indexes_of(member) -> QuerySet[FingerprintIndex]:
    org = _org(member)
    return FingerprintIndex.objects.filter(organisation_id=org) if org else FingerprintIndex.objects.none()


def scans_of(member) -> QuerySet[ForensicScan]:
    org = _org(member)
    return ForensicScan.objects.filter(organisation_id=org) if org else ForensicScan.objects.none()


def access_index(member, index_id: int) -> FingerprintIndex:
    found = indexes_of(member).filter(pk=index_id).first()
    if found is None:
        raise Http404("no such index")
    return found


def access_scan(member, scan_id: int) -> ForensicScan:
    found = scans_of(member).select_related("index", "deposit").filter(pk=scan_id).first()
    if found is None:
        raise Http404("no such scan")
    return found
