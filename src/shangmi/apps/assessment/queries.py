"""Reads of self-checks, each behind a tenant check: a missing and a forbidden self-check look the same."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from shangmi.apps.assessment import permissions
from shangmi.apps.assessment.framework import Framework
from shangmi.apps.assessment.models import Assessment, AssessmentState

FINISHED = (AssessmentState.SUBMITTED, AssessmentState.REVIEWED)


def assessments_of(member) -> QuerySet[Assessment]:
    """The enterprise's own self-checks, for the roles that read them."""
    if not permissions.can_read(member):
        return Assessment.objects.none()
    return Assessment.objects.filter(organisation_id=member.organisation_id)


def reviews_for(member) -> QuerySet[Assessment]:
    """Self-checks another organisation invited this provider or regulator to review."""
    if not permissions.is_reviewer_member(member):
        return Assessment.objects.none()
    return Assessment.objects.filter(reviewer_organisation_id=member.organisation_id, state__in=FINISHED)


def access_assessment(member, assessment_id: int) -> Assessment:
    """The self-check if `member` may read it: its enterprise's readers, or the invited reviewer."""
    visible = Q(pk__in=assessments_of(member).values("pk")) | Q(pk__in=reviews_for(member).values("pk"))
    found = Assessment.objects.filter(visible, pk=assessment_id).select_related("organisation").first()
    if found is None:
        raise Http404("no such self-check")
    return found


def is_owner(member, assessment: Assessment) -> bool:
    return member is not None and member.organisation_id == assessment.organisation_id


# Parsed frameworks by self-check and digest: from_json of 60-odd questions is not free per request.
_cache: dict[str, Framework] = {}


def framework_of(assessment: Assessment) -> Framework:
    """The framework as it was when the self-check started (its stored copy), parsed once per process."""
    key = f"{assessment.pk}:{assessment.framework_sha256}"
    if key not in _cache:
        _cache[key] = Framework.from_json(assessment.framework_data)
        if len(_cache) > 64:
            _cache.pop(next(iter(_cache)))
    return _cache[key]


def answers_of(assessment: Assessment) -> dict[str, str]:
    return dict(assessment.answers.exclude(choice="").values_list("question_id", "choice"))


def finished_of(organisation_id: int) -> QuerySet[Assessment]:
    """Submitted and reviewed self-checks, oldest first (the trend)."""
    return Assessment.objects.filter(organisation_id=organisation_id, state__in=FINISHED).order_by(
        "submitted_at", "pk"
    )


def previous_of(assessment: Assessment) -> Assessment | None:
    """The enterprise's last finished self-check submitted before this one (or, for a draft, the last)."""
    qs = finished_of(assessment.organisation_id).exclude(pk=assessment.pk)
    if assessment.submitted_at is not None:
        qs = qs.filter(submitted_at__lt=assessment.submitted_at)
    return qs.order_by("-submitted_at", "-pk").first()


def latest_finished(organisation_id: int) -> Assessment | None:
    return finished_of(organisation_id).order_by("-submitted_at", "-pk").first()
