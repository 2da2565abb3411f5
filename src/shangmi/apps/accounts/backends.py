"""Authenticate by e-mail address or mainland mobile number with one password."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.db import connection
from django_otp import device_classes

from shangmi.apps.accounts.identifiers import canonical_login, looks_like_phone, normalise_phone
from shangmi.apps.accounts.models import User


def find_user(identifier: str) -> User | None:
    identifier = (identifier or "").strip()
    if not identifier:
        return None
    if looks_like_phone(identifier):
        try:
            return User.objects.filter(phone=normalise_phone(identifier)).first()
        except ValidationError:
            return None
    return User.objects.filter(email__iexact=identifier).first()


class EmailOrPhoneBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        user = find_user(username or kwargs.get("email") or "")
        if user is None:
            # Run the hasher anyway so timing does not reveal which accounts exist.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None

    def get_user(self, user_id):
        """The session's user, read with whether a confirmed second-factor device exists: the two-factor
        gate asks this on every request. One plain statement instead of the ORM's query per device
        table: building and compiling those cost more than PostgreSQL's work on them (benchmarks/
        RESULTS.md, "The register at scale")."""
        found = list(User.objects.raw(_user_with_second_factor_sql(), [*_device_params(), user_id]))
        if not found:
            return None
        user = found[0]
        user.second_factor_confirmed = bool(user.second_factor_confirmed)  # SQLite answers 0 or 1
        return user if self.user_can_authenticate(user) else None


def _device_params() -> list[bool]:
    return [True for _cls in device_classes()]


@cache
def _user_with_second_factor_sql() -> str:
    quote = connection.ops.quote_name
    exists = " OR ".join(
        f"EXISTS (SELECT 1 FROM {quote(cls._meta.db_table)} d WHERE d.user_id = u.id AND d.confirmed = %s)"
        for cls in device_classes()
    )
    return f"SELECT u.*, ({exists}) AS second_factor_confirmed FROM {quote(User._meta.db_table)} u WHERE u.id = %s"


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the one spelling of the account a log-in attempt names, so that every
    log-in form (ours and the admin's) counts "User@X.cn" and "user@x.cn" as the same account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "data", request.POST).get("username")
    return canonical_login(raw) if raw is not None else None
