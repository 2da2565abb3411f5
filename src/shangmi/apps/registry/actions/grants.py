"""Access grants (知悉范围): grant, revoke, and the grantee's acknowledgement."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import client_ip
from shangmi.apps.registry import permissions
from shangmi.apps.registry.acknowledgement import ACK_TEXT_VERSION, acknowledgement_text, text_sha256
from shangmi.apps.registry.actions.carriers import OPEN_STATES
from shangmi.apps.registry.actions.records import record_event
from shangmi.apps.registry.actions.validation import (
    TransitionRefused,
    member_of,
    raise_if,
    require,
    require_state,
)
from shangmi.apps.registry.models import AccessGrant, GrantAcknowledgement, TradeSecret
from shangmi.apps.registry.models.choices import EventKind


@transaction.atomic
def grant_add(
    *,
    member,
    secret: TradeSecret,
    reason: str,
    user=None,
    position: str = "",
    expires_on: date | None = None,
    request=None,
) -> AccessGrant:
    """Entrust a person, or everyone holding a position (职务), with the secret."""
    require(permissions.can_manage(member))
    secret = TradeSecret.objects.select_for_update().get(pk=secret.pk)
    require_state(secret, *OPEN_STATES, action=_("授权知悉"))
    errors: dict = {}
    position = (position or "").strip()
    grantee = member_of(secret.organisation, user, "user", errors)
    if (grantee is None) == (not position) and "user" not in errors:
        errors["user"] = [_("请选择一名人员或填写一个岗位（二选一）")]
    if len(position) > 64:
        errors["position"] = [_("岗位名称最长 64 字")]
    if not (reason or "").strip() or len(reason.strip()) > 200:
        errors["reason"] = [_("请填写知悉事由（最长 200 字）")]
    if expires_on is not None and expires_on <= timezone.localdate():
        errors["expires_on"] = [_("有效期必须晚于今天")]
    raise_if(errors)
    open_grants = AccessGrant.objects.filter(secret=secret, revoked_at__isnull=True)
    duplicate = open_grants.filter(user=grantee) if grantee else open_grants.filter(position=position)
    if duplicate.exists():
        raise TransitionRefused(_("%(who)s 已在知悉范围内") % {"who": grantee.name if grantee else position})
    grant = AccessGrant.objects.create(
        organisation=secret.organisation,
        secret=secret,
        user=grantee,
        position=position,
        reason=reason.strip(),
        granted_by=member.user,
        expires_on=expires_on,
    )
    record_event(
        member=member,
        secret=secret,
        kind=EventKind.GRANT,
        data={"to": grant.grantee, "position": position, "reason": grant.reason, "expires_on": expires_on},
        request=request,
        audit_obj=grant,
    )
    return grant


@transaction.atomic
def grant_revoke(*, member, grant: AccessGrant, request=None) -> AccessGrant:
    require(permissions.can_manage(member))
    grant = (
        AccessGrant.objects.select_for_update(of=("self",)).select_related("secret", "user").get(pk=grant.pk)
    )
    if grant.revoked_at is not None:
        raise TransitionRefused(_("该授权已撤销"))
    grant.revoked_at = timezone.now()
    grant.save(update_fields=["revoked_at"])
    record_event(
        member=member,
        secret=grant.secret,
        kind=EventKind.GRANT_REVOKE,
        data={"to": grant.grantee},
        request=request,
        audit_obj=grant,
    )
    return grant


def grant_covers(grant: AccessGrant, member) -> bool:
    return (
        grant.user_id == member.user_id
        if grant.user_id
        else bool(member.title) and grant.position == member.title
    )


@transaction.atomic
def grant_acknowledge(*, member, grant: AccessGrant, request=None) -> GrantAcknowledgement:
    """The entrusted person confirms, logged in, that they know the secret is protected and their duty.
    Until then the grant does not let them see the secret. A grant to a position is acknowledged by
    each holder. The time, IP, text version and the SHA-256 of the exact text are recorded and deposited."""
    grant = (
        AccessGrant.objects.select_for_update(of=("self",))
        .select_related("secret__organisation", "user")
        .get(pk=grant.pk)
    )
    require(permissions.is_enterprise_member(member) and grant_covers(grant, member))
    at = grant.acknowledgement_time(member.user_id)
    if at is not None:
        raise TransitionRefused(
            _("您已于 %(at)s 确认") % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")}
        )
    if not grant.is_active():
        raise TransitionRefused(_("该授权已失效，无需确认"))
    text = acknowledgement_text(grant, member.user.name)
    ack = GrantAcknowledgement.objects.create(
        organisation=grant.organisation,
        grant=grant,
        user=member.user,
        ip=client_ip(request),
        text_version=ACK_TEXT_VERSION,
        text_sha256=text_sha256(text),
    )
    if grant.user_id:
        grant.acknowledged_at = ack.at
        grant.acknowledged_ip = ack.ip
        grant.save(update_fields=["acknowledged_at", "acknowledged_ip"])
    record_event(
        member=member,
        secret=grant.secret,
        kind=EventKind.GRANT_ACK,
        data={
            "by": member.user.name,
            "position": grant.position,
            "text_version": ACK_TEXT_VERSION,
            "text_sha256": ack.text_sha256,
            "ip": ack.ip,
        },
        request=request,
        audit_obj=grant,
    )
    return ack
