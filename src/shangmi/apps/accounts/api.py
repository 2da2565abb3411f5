"""Accounts API: who am I, my organisations, members, notifications, tokens, regions."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import AccessToken, Membership, Region
from shangmi.apps.accounts.queries import (
    access_notification,
    access_token,
    is_org_admin,
    memberships_of,
    notifications_for,
)

router = Router(tags=["accounts"])


class OrganisationOut(Schema):
    id: int
    kind: str
    name: str
    short_code: str
    region: str | None

    @staticmethod
    def resolve_region(obj) -> str | None:
        return obj.region_id


class MembershipOut(Schema):
    organisation: OrganisationOut
    role: str
    department: str
    title: str


class MeOut(Schema):
    id: int
    name: str
    email: str | None
    phone: str | None
    organisation: OrganisationOut | None
    role: str | None


class MemberOut(Schema):
    id: int
    user_id: int
    name: str
    role: str
    department: str
    title: str
    is_active: bool

    @staticmethod
    def resolve_name(obj) -> str:
        return obj.user.name


class NotificationOut(Schema):
    id: int
    level: str
    title: str
    body: str
    link: str
    created_at: datetime
    read_at: datetime | None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    organisation_id: int
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


class RegionOut(Schema):
    code: str
    name: str
    level: str
    parent_id: str | None


@router.get("/me", response=MeOut, summary="当前用户与当前组织")
def me(request):
    user = request.user
    membership = request.membership
    return {
        "id": user.pk,
        "name": user.name,
        "email": user.email,
        "phone": user.phone,
        "organisation": membership.organisation if membership else None,
        "role": membership.role if membership else None,
    }


@router.get("/organisations", response=list[MembershipOut], summary="我所属的组织")
@paged
def my_organisations(request):
    return memberships_of(request.user)


@router.get("/members", response=list[MemberOut], summary="当前组织的成员（管理员、保密员）")
@paged
def members(request):
    if not is_org_admin(request.membership):
        raise PermissionDenied
    return Membership.objects.filter(organisation=request.organisation).select_related("user").order_by("id")


@router.get("/notifications", response=list[NotificationOut], summary="通知")
@paged
def notifications(request, unread: bool = False):
    qs = notifications_for(request.user, request.organisation)
    return qs.filter(read_at__isnull=True) if unread else qs


@router.post("/notifications/{notification_id}/read", response={204: None}, summary="标记通知为已读")
def notification_read(request, notification_id: int):
    notification = access_notification(request.user, notification_id)
    actions.notifications_mark_read(user=request.user, ids=[notification.pk])
    return Status(204, None)


class MarkReadIn(Schema):
    ids: list[int] | None = None


class MarkedOut(Schema):
    marked: int


@router.post("/notifications/read", response=MarkedOut, summary="批量标记已读（ids 为空则全部）")
def notifications_read(request, payload: MarkReadIn):
    return {"marked": actions.notifications_mark_read(user=request.user, ids=payload.ids)}


@router.get("/tokens", response=list[TokenOut], summary="我的访问令牌")
@paged
def tokens(request):
    return AccessToken.objects.filter(user=request.user)


@router.delete("/tokens/{token_id}", response={204: None}, summary="撤销访问令牌")
def token_revoke(request, token_id: int):
    token = access_token(request.user, token_id)
    actions.token_revoke(actor=request.user, token=token, request=request)
    return Status(204, None)


@router.get("/regions", response=list[RegionOut], auth=None, summary="行政区划（GB/T 2260，公开）")
@paged
def regions(request, parent: str | None = None, q: str | None = None):
    qs = Region.objects.all()
    if parent:
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(name__contains=q)
    return qs
