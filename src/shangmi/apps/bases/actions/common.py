"""What every step of an application does besides its own change: record the step on the application's
timeline, write the audit event in the actor's organisation, and notify the people who act next."""

from __future__ import annotations

from django.urls import reverse

from shangmi.apps.accounts.actions import notification_send
from shangmi.apps.accounts.models import Membership
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.bases.models import ApplicationEvent, BaseApplication
from shangmi.apps.bases.permissions import APPLICANT_ROLES, BUREAU_ROLES


def step(
    member,
    application: BaseApplication,
    *,
    action: str,
    state_from: str,
    note: str = "",
    request=None,
    **changes,
) -> None:
    ApplicationEvent.objects.create(
        application=application,
        action=action,
        state_from=state_from,
        state_to=application.state,
        note=note,
        actor=member.user,
        actor_label=f"{member.user.name} · {member.organisation.name}"[:200],
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb=f"bases.{action}",
        obj=application,
        changes={"state": [state_from, application.state], "note": note, **changes},
        request=request,
    )


def notify(organisation, application: BaseApplication, title: str, *, bureau: bool) -> int:
    """Notify the applicant's admins, officers and managers, or a bureau's admins and staff."""
    roles = BUREAU_ROLES if bureau else APPLICANT_ROLES
    link = reverse("bases:detail", args=[application.pk])
    members = Membership.objects.filter(
        organisation=organisation, is_active=True, role__in=roles
    ).select_related("user")
    for m in members:
        notification_send(recipient=m.user, organisation=organisation, title=title, link=link)
    return len(members)
