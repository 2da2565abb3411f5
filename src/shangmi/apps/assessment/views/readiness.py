"""示范点 readiness: the criteria of art. 10 of the Shaoxing guide, met or not, with the evidence."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.assessment import permissions
from shangmi.apps.assessment.queries import latest_finished
from shangmi.apps.assessment.readiness import readiness, readiness_met


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def readiness_page(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    assessment = latest_finished(member.organisation_id)
    criteria = readiness(member.organisation_id, timezone.localdate(), assessment)
    return render(
        request,
        "assessment/readiness.html",
        {"criteria": criteria, "all_met": readiness_met(criteria), "assessment": assessment},
    )
