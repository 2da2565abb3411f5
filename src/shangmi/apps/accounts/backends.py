"""Authenticate by e-mail address or mainland mobile number with one password."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError

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


def axes_username(request, credentials=None) -> str | None:
    """AXES_USERNAME_CALLABLE: the one spelling of the account a log-in attempt names, so that every
    log-in form (ours and the admin's) counts "User@X.cn" and "user@x.cn" as the same account."""
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = getattr(request, "data", request.POST).get("username")
    return canonical_login(raw) if raw is not None else None
