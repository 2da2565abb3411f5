"""Reads and tenant access for accounts. Views, API and tasks fetch tenant data only through here."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from shangmi.apps.accounts.models import AccessToken, Membership, Notification, Organisation, Region, User
from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES, TWO_FACTOR_REQUIRED, OrgKind

PLATFORM_SHORT_CODE = "PLATFORM"


class NotFound(Http404):
    """Raised alike for what does not exist and what the caller may not see."""


def platform_organisation() -> Organisation:
    org, _created = Organisation.objects.get_or_create(
        short_code=PLATFORM_SHORT_CODE, defaults={"kind": OrgKind.PLATFORM, "name": "shangmi 平台"}
    )
    return org


def memberships_of(user: User) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(user=user, is_active=True, organisation__is_active=True)
        .select_related("organisation", "organisation__region")
        .order_by("organisation__kind", "organisation__name")
    )


def memberships_with_unread(user: User) -> QuerySet[Membership]:
    """memberships_of, each with the count of unread notifications its inbox shows (`unread`): the
    shell's bell, read in the same query as the memberships every request reads anyway."""
    unread = (
        Notification.objects.filter(recipient=user, read_at__isnull=True)
        .filter(Q(organisation=OuterRef("organisation_id")) | Q(organisation__isnull=True))
        .order_by()
        .values("recipient")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return memberships_of(user).annotate(unread=Coalesce(Subquery(unread), 0))


def membership_for(user: User, organisation_id: int | None) -> Membership | None:
    """The user's active membership in the organisation, or None."""
    if organisation_id is None or not getattr(user, "is_authenticated", False):
        return None
    return memberships_of(user).filter(organisation_id=organisation_id).first()


def default_membership(user: User) -> Membership | None:
    return memberships_of(user).first()


def requires_two_factor(user: User, memberships: list[Membership] | None = None) -> bool:
    """`memberships`: the user's active memberships when the caller has them already (one request)."""
    found = memberships if memberships is not None else memberships_of(user)
    return any(m.role in TWO_FACTOR_REQUIRED.get(m.organisation.kind, ()) for m in found)


def is_org_admin(membership: Membership | None) -> bool:
    return membership is not None and membership.role in ORG_ADMIN_ROLES


def is_platform_admin(user: User, memberships: list[Membership] | None = None) -> bool:
    if getattr(user, "is_superuser", False):
        return True
    if memberships is not None:
        return any(m.organisation.kind == OrgKind.PLATFORM for m in memberships)
    return memberships_of(user).filter(organisation__kind=OrgKind.PLATFORM).exists()


def access_member(membership: Membership, member_id: int) -> Membership:
    """A membership of the caller's organisation by id; NotFound for missing and foreign alike."""
    found = (
        Membership.objects.select_related("user")
        .filter(pk=member_id, organisation_id=membership.organisation_id)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def access_token(user: User, token_id: int) -> AccessToken:
    found = AccessToken.objects.filter(pk=token_id, user=user).first()
    if found is None:
        raise NotFound()
    return found


def access_notification(user: User, notification_id: int) -> Notification:
    found = Notification.objects.filter(pk=notification_id, recipient=user).first()
    if found is None:
        raise NotFound()
    return found


def notifications_for(user: User, organisation: Organisation | None) -> QuerySet[Notification]:
    qs = Notification.objects.filter(recipient=user)
    if organisation is not None:
        # Notifications addressed to another of the user's organisations stay there.
        qs = qs.filter(Q(organisation=organisation) | Q(organisation__isnull=True))
    return qs


def unread_count(user: User, organisation: Organisation | None) -> int:
    return notifications_for(user, organisation).filter(read_at__isnull=True).count()


def regions_within(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.code_prefix)


def organisations_in_jurisdiction(regulator: Organisation, kind: str | None = None) -> QuerySet[Organisation]:
    """Organisations located within a regulator's region. Regulators see these, never their registers."""
    if regulator.kind != OrgKind.REGULATOR or regulator.region is None:
        return Organisation.objects.none()
    qs = Organisation.objects.filter(region__code__startswith=regulator.region.code_prefix, is_active=True)
    return qs.filter(kind=kind) if kind else qs
