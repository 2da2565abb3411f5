"""The onboarding overview (入职检查): everyone onboarding or recently hired, with their checklist."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.onboarding import RECENT_DAYS, onboarding_overview
from shangmi.apps.people.queries import policy_of


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def onboarding(request):
    member = request.membership
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    policy = policy_of(member.organisation_id)
    rows = onboarding_overview(member.organisation_id, policy, timezone.localdate())
    context = {"rows": rows, "policy": policy, "recent_days": RECENT_DAYS}
    return render(request, "people/person/onboarding.html", context)
