"""TOTP devices and recovery codes (django-otp), and who must use them."""

from __future__ import annotations

import secrets

import segno
from django.db import transaction
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from shangmi.apps.accounts.models import User
from shangmi.apps.audit.actions import audit_record

RECOVERY_CODE_COUNT = 10


def _active_org(request):
    return getattr(request, "organisation", None) if request is not None else None


def has_confirmed_device(user: User) -> bool:
    return any(True for _ in devices_for_user(user, confirmed=True))


def had_confirmed_device(user: User) -> bool:
    """has_confirmed_device as of the request's start, when the session's user was read with it
    (backends.EmailOrPhoneBackend.get_user); the gates that run before the view use this."""
    known = getattr(user, "second_factor_confirmed", None)
    return has_confirmed_device(user) if known is None else known


def owes_second_factor(user: User, memberships=None) -> bool:
    """Logged in, but not yet verified with a second factor the user has or the role requires."""
    from shangmi.apps.accounts.queries import requires_two_factor

    return not user.is_verified() and (had_confirmed_device(user) or requires_two_factor(user, memberships))


def pending_totp_device(user: User) -> TOTPDevice:
    """The unconfirmed TOTP device being enrolled, created on first call (its secret is shown once)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    return device


def provisioning_qr_svg(device: TOTPDevice) -> str:
    """An inline SVG QR code of the otpauth:// URL (no external image service, CSP-safe)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=4, dark="#1f2937", omitsize=True)


def base32_secret(device: TOTPDevice) -> str:
    import base64

    return base64.b32encode(device.bin_key).decode().rstrip("=")


def _new_recovery_codes(device: StaticDevice) -> list[str]:
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        StaticToken.objects.create(device=device, token=code)
    return codes


@transaction.atomic
def totp_confirm(*, user: User, device: TOTPDevice, code: str, request=None) -> list[str] | None:
    """Confirm enrolment if `code` is right; returns fresh recovery codes, or None if the code is wrong."""
    if not device.verify_token((code or "").strip().replace(" ", "")):
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    codes = _new_recovery_codes(static)
    # Recorded in the organisation the user is working in: enrolment is part of its security measures.
    audit_record(
        organisation=_active_org(request), actor=user, verb="user.2fa_enrol", obj=user, request=request
    )
    return codes


@transaction.atomic
def recovery_codes_regenerate(*, user: User, request=None) -> list[str]:
    static, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    codes = _new_recovery_codes(static)
    audit_record(
        organisation=None, actor=user, verb="user.2fa_recovery_regenerate", obj=user, request=request
    )
    return codes


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user).count()
