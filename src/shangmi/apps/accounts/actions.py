"""Writes for accounts. Each is atomic and records its audit event in the same transaction."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.identifiers import normalise_email, normalise_phone
from shangmi.apps.accounts.models import AccessToken, Membership, Notification, Organisation, Region, User
from shangmi.apps.accounts.queries import membership_for, notifications_for
from shangmi.apps.accounts.roles import ROLES_BY_KIND, OrgKind, Role, role_allowed
from shangmi.apps.audit.actions import audit_record

TOKEN_PREFIX = "smt_"


def _region_or_error(code: str | None) -> Region | None:
    if not code:
        return None
    region = Region.objects.filter(code=str(code).strip()).first()
    if region is None:
        raise ValidationError(
            {"region": _("未知的行政区划代码 “%(code)s”（应为 GB/T 2260 六位代码）") % {"code": code}}
        )
    return region


def _validate_role(kind: str, role: str) -> None:
    if not role_allowed(kind, role):
        allowed = "、".join(f"{r}（{Role(r).label}）" for r in ROLES_BY_KIND.get(kind, ()))
        raise ValidationError(
            {
                "role": _("未知角色 “%(role)s”；%(kind)s可用的角色：%(allowed)s")
                % {
                    "role": role,
                    "kind": OrgKind(kind).label if kind in OrgKind.values else kind,
                    "allowed": allowed,
                }
            }
        )


@transaction.atomic
def organisation_create(
    *,
    actor: User | None,
    kind: str,
    name: str,
    short_code: str,
    region_code: str | None = None,
    credit_code: str = "",
    industry: str = "",
    address: str = "",
) -> Organisation:
    if kind not in OrgKind.values:
        raise ValidationError({"kind": _("未知的组织类型 “%(kind)s”") % {"kind": kind}})
    region = _region_or_error(region_code)
    if kind == OrgKind.REGULATOR and region is None:
        raise ValidationError({"region": _("监管部门必须指定管辖区域（GB/T 2260 代码）")})
    short_code = short_code.strip().upper()
    if not short_code.isalnum():
        raise ValidationError({"short_code": _("简称代码只能包含字母和数字")})
    if Organisation.objects.filter(short_code=short_code).exists():
        raise ValidationError({"short_code": _("简称代码 “%(code)s” 已被使用") % {"code": short_code}})
    org = Organisation(
        kind=kind,
        name=name.strip(),
        short_code=short_code,
        region=region,
        credit_code=credit_code,
        industry=industry,
        address=address,
    )
    org.full_clean()
    org.save(force_insert=True)
    audit_record(
        organisation=org,
        actor=actor,
        verb="organisation.create",
        obj=org,
        changes={"kind": kind, "name": org.name, "region": region.code if region else None},
    )
    return org


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    password: str | None = None,
    is_staff: bool = False,
    is_superuser: bool = False,
) -> User:
    """Create a login. At least one of e-mail and mobile number is required; both must be unused."""
    try:
        email = normalise_email(email) if email else None
    except ValidationError as error:
        raise ValidationError({"email": error.messages}) from None
    try:
        phone = normalise_phone(phone) if phone else None
    except ValidationError as error:
        raise ValidationError({"phone": error.messages}) from None
    if not email and not phone:
        raise ValidationError(_("需要电子邮箱或手机号至少一项"))
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": _("电子邮箱 %(v)s 已注册") % {"v": email}})
    if phone and User.objects.filter(phone=phone).exists():
        raise ValidationError({"phone": _("手机号 %(v)s 已注册") % {"v": phone}})
    user = User(name=name.strip(), email=email, phone=phone, is_staff=is_staff, is_superuser=is_superuser)
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save(force_insert=True)
    audit_record(
        organisation=None, actor=actor, verb="user.create", obj=user, changes={"email": email, "phone": phone}
    )
    return user


@transaction.atomic
def membership_add(
    *,
    actor: User | None,
    user: User,
    organisation: Organisation,
    role: str,
    department: str = "",
    title: str = "",
) -> Membership:
    _validate_role(organisation.kind, role)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("%(user)s 已是 %(org)s 的成员") % {"user": user, "org": organisation})
    membership = Membership.objects.create(
        user=user, organisation=organisation, role=role, department=department, title=title
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        verb="membership.add",
        obj=membership,
        changes={"user": user.pk, "role": role, "department": department},
    )
    return membership


def _refuse_losing_last_admin(membership: Membership) -> None:
    if membership.role != Role.ADMIN or not membership.is_active:
        return
    others = Membership.objects.filter(
        organisation_id=membership.organisation_id, role=Role.ADMIN, is_active=True
    )
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError(
            _("%(name)s 是本组织唯一的管理员；请先指定另一位管理员") % {"name": membership.user.name}
        )


@transaction.atomic
def membership_change_role(*, actor: User, membership: Membership, role: str, request=None) -> Membership:
    _validate_role(membership.organisation.kind, role)
    old = membership.role
    if old == role:
        return membership
    _refuse_losing_last_admin(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    audit_record(
        organisation=membership.organisation,
        actor=actor,
        verb="membership.role_change",
        obj=membership,
        changes={"role": [old, role]},
        request=request,
    )
    return membership


@transaction.atomic
def membership_deactivate(*, actor: User, membership: Membership, request=None) -> Membership:
    if not membership.is_active:
        return membership
    if membership.user_id == getattr(actor, "pk", None):
        raise ValidationError(_("不能停用自己的成员身份"))
    _refuse_losing_last_admin(membership)
    membership.is_active = False
    membership.save(update_fields=["is_active"])
    audit_record(
        organisation=membership.organisation,
        actor=actor,
        verb="membership.deactivate",
        obj=membership,
        changes={"is_active": [True, False]},
        request=request,
    )
    return membership


def initial_password() -> str:
    """A readable one-time password (no 0/O/1/l) that satisfies the password validators."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"
    body = "".join(secrets.choice(alphabet) for _ in range(12))
    return f"{body[:4]}-{body[4:8]}-{body[8:]}"


@transaction.atomic
def member_invite(
    *,
    actor: User,
    organisation: Organisation,
    name: str,
    role: str,
    email: str | None = None,
    phone: str | None = None,
    department: str = "",
    title: str = "",
    request=None,
) -> tuple[Membership, str | None]:
    """Add a person to the organisation. An existing login (same e-mail or mobile) is reused and told;
    otherwise a login is created with an initial password, returned once, to be changed at first log-in."""
    _validate_role(organisation.kind, role)
    existing = None
    if email:
        existing = User.objects.filter(email__iexact=email.strip()).first()
    if existing is None and phone:
        try:
            existing = User.objects.filter(phone=normalise_phone(phone)).first()
        except ValidationError as error:
            raise ValidationError({"phone": error.messages}) from None
    password = None
    if existing is None:
        password = initial_password()
        user = user_create(
            actor=actor, name=name, email=email or None, phone=phone or None, password=password
        )
        user.password_change_required = True
        user.save(update_fields=["password_change_required"])
    else:
        user = existing
    membership = membership_add(
        actor=actor, user=user, organisation=organisation, role=role, department=department, title=title
    )
    if existing is not None:
        notification_send(
            recipient=user,
            organisation=organisation,
            title=_("您已被加入 %(org)s（%(role)s）") % {"org": organisation.name, "role": Role(role).label},
        )
    return membership, password


@transaction.atomic
def password_change(*, user: User, new_password: str, request=None) -> User:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required"])
    audit_record(
        organisation=getattr(request, "organisation", None),
        actor=user,
        verb="user.password_change",
        obj=user,
        request=request,
    )
    return user


@transaction.atomic
def organisation_onboard(
    *,
    actor: User,
    kind: str,
    name: str,
    short_code: str,
    region_code: str | None,
    admin_name: str,
    admin_email: str | None = None,
    admin_phone: str | None = None,
    credit_code: str = "",
    industry: str = "",
    address: str = "",
    request=None,
) -> tuple[Organisation, Membership, str | None]:
    """Create an organisation together with its first administrator, all or nothing."""
    organisation = organisation_create(
        actor=actor,
        kind=kind,
        name=name,
        short_code=short_code,
        region_code=region_code,
        credit_code=credit_code,
        industry=industry,
        address=address,
    )
    membership, password = member_invite(
        actor=actor,
        organisation=organisation,
        name=admin_name,
        role=Role.ADMIN,
        email=admin_email,
        phone=admin_phone,
        request=request,
    )
    return organisation, membership, password


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def token_create(
    *, actor: User, organisation: Organisation, name: str, days: int = 90, request=None
) -> tuple[AccessToken, str]:
    """Create a personal access token; the clear secret is returned once and never stored."""
    if not Membership.objects.filter(user=actor, organisation=organisation, is_active=True).exists():
        raise ValidationError(_("只能为自己所属的组织创建令牌"))
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("请填写令牌名称")})
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"days": _("有效期应为 1 至 %(max)s 天") % {"max": settings.API_TOKEN_MAX_DAYS}}
        )
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = AccessToken.objects.create(
        user=actor,
        organisation=organisation,
        name=name[:64],
        prefix=secret[:12],
        digest=_token_digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    audit_record(
        organisation=organisation,
        actor=actor,
        verb="token.create",
        obj=token,
        changes={"name": token.name, "expires_at": token.expires_at.isoformat()},
        request=request,
    )
    return token, secret


@transaction.atomic
def token_revoke(*, actor: User, token: AccessToken, request=None) -> AccessToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            organisation=token.organisation, actor=actor, verb="token.revoke", obj=token, request=request
        )
    return token


def token_authenticate(secret: str) -> AccessToken | None:
    """The usable token whose secret this is, with last use updated and `membership` set to the user's
    active membership in the token's organisation; None otherwise (also without that membership)."""
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        AccessToken.objects.select_related("user", "organisation")
        .filter(digest=_token_digest(secret))
        .first()
    )
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    # The membership the request acts in, read here once (the API's TokenAuth uses it).
    token.membership = membership_for(token.user, token.organisation_id)
    if token.membership is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        AccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def notification_send(
    *,
    recipient: User,
    title: str,
    body: str = "",
    link: str = "",
    organisation: Organisation | None = None,
    level: str = Notification.Level.INFO,
) -> Notification:
    return Notification.objects.create(
        recipient=recipient, organisation=organisation, title=title[:200], body=body, link=link, level=level
    )


def notifications_mark_read(
    *, user: User, ids: list[int] | None = None, organisation: Organisation | None = None
) -> int:
    """Mark the user's unread notifications read: those in `ids`, else all; with `organisation`, only
    those the inbox shows in that organisation (its own and the organisation-less ones)."""
    qs = notifications_for(user, organisation).filter(read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
