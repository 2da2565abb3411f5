"""The people side's settings (人员管理设置): first training deadline, agreement reminders, the window of
the departure access review. Officers and admins; saving leaves an audit event."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.staff import people_policy_update
from shangmi.apps.people.forms.staff import PeoplePolicyForm
from shangmi.apps.people.queries import policy_of
from shangmi.apps.registry.views.flow import form_page


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def people_settings(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    policy = policy_of(member.organisation_id)
    return form_page(
        request,
        form=PeoplePolicyForm(request.POST or None, policy=policy),
        perform=lambda f: people_policy_update(member=member, request=request, **f.cleaned_data),
        template="people/staff/settings.html",
        context={"policy": policy},
        success=lambda p: _("人员管理设置已保存"),
        target=lambda p: reverse("people:settings"),
    )
