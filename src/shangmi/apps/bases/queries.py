"""Reads of the programme, each limited to what the member may see: an applicant its own organisation's
applications, a bureau the submitted applications of its region. A missing and a forbidden object look
the same (404)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from shangmi.apps.bases import jurisdiction, permissions
from shangmi.apps.bases.models import AppState, BaseApplication, BaseTarget


def applications_of(member) -> QuerySet[BaseApplication]:
    if permissions.is_applicant(member):
        rows = BaseApplication.objects.filter(applicant_id=member.organisation_id)
    elif permissions.is_bureau(member):
        rows = jurisdiction.visible_to_bureau(member.organisation)
    else:
        rows = BaseApplication.objects.none()
    return rows.select_related("applicant", "district")


def access_application(member, application_id: int) -> BaseApplication:
    found = applications_of(member).filter(pk=application_id).first()
    if found is None:
        raise Http404("no such application")
    return found


def published() -> QuerySet[BaseApplication]:
    """Recognised bases (published on the bureaus' portals, art. 14)."""
    return BaseApplication.objects.filter(state=AppState.RECOGNISED).select_related("district")


def targets_of(member) -> QuerySet[BaseTarget]:
    """Targets a bureau set, and those set for its own district by a bureau above it."""
    if not permissions.is_bureau(member):
        return BaseTarget.objects.none()
    region = member.organisation.region
    return BaseTarget.objects.filter(district__code__startswith=region.code_prefix).select_related("district")
