"""Organisation kinds, roles, and which roles each kind admits."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    REGULATOR = "regulator", _("监管部门")
    PROVIDER = "provider", _("服务机构")
    PLATFORM = "platform", _("平台运营")


class Role(models.TextChoices):
    # enterprise
    ADMIN = "admin", _("管理员")
    OFFICER = "officer", _("保密员")
    MANAGER = "manager", _("管理者")
    EMPLOYEE = "employee", _("员工")
    # regulator
    STAFF = "staff", _("监管人员")
    # service provider
    EXPERT = "expert", _("专家")
    LAWYER = "lawyer", _("律师")
    APPRAISER = "appraiser", _("鉴定人")
    NOTARY = "notary", _("公证员")
    INSURER = "insurer", _("保险人员")
    # platform
    OPERATOR = "operator", _("平台运维")


ROLES_BY_KIND: dict[str, tuple[str, ...]] = {
    OrgKind.ENTERPRISE: (Role.ADMIN, Role.OFFICER, Role.MANAGER, Role.EMPLOYEE),
    OrgKind.REGULATOR: (Role.ADMIN, Role.STAFF),
    OrgKind.PROVIDER: (Role.ADMIN, Role.EXPERT, Role.LAWYER, Role.APPRAISER, Role.NOTARY, Role.INSURER),
    OrgKind.PLATFORM: (Role.ADMIN, Role.OPERATOR),
}

# Roles whose holders must use two-factor authentication (issue 2: enterprise admins, secrecy officers,
# regulators). Platform operators hold the keys to everything, so they are included too.
TWO_FACTOR_REQUIRED: dict[str, frozenset[str]] = {
    OrgKind.ENTERPRISE: frozenset({Role.ADMIN, Role.OFFICER}),
    OrgKind.REGULATOR: frozenset({Role.ADMIN, Role.STAFF}),
    OrgKind.PROVIDER: frozenset(),
    OrgKind.PLATFORM: frozenset({Role.ADMIN, Role.OPERATOR}),
}

# Who may read the organisation's audit trail and manage its members.
ORG_ADMIN_ROLES: frozenset[str] = frozenset({Role.ADMIN, Role.OFFICER})


def role_allowed(kind: str, role: str) -> bool:
    return role in ROLES_BY_KIND.get(kind, ())
