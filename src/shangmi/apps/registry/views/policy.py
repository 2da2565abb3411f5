"""The register's settings page (台账设置): code pattern, designation group, reminders. Officers only."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import actions, permissions
from shangmi.apps.registry.forms import PolicyForm
from shangmi.apps.registry.views.flow import form_page


@member_required(kinds=[OrgKind.ENTERPRISE])
def register_settings(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    policy = actions.policy_for(member.organisation)
    return form_page(
        request,
        form=PolicyForm(request.POST or None, policy=policy),
        perform=lambda f: actions.policy_update(member=member, request=request, **f.action_fields()),
        template="registry/settings.html",
        context={"policy": policy},
        success=lambda p: _("台账设置已保存"),
        target=lambda p: "registry:settings",
    )
