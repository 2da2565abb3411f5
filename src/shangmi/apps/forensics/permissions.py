"""Who may do what in forensics: the secrecy officer and the admin build indexes and run scans; managers
read the results; employees, other organisations and regulators see nothing."""

from __future__ import annotations

from shangmi.apps.registry.permissions import MANAGE_ROLES, READ_ALL_ROLES, is_enterprise_member


def can_manage(member) -> bool:
    return is_enterprise_member(member) and member.role in MANAGE_ROLES


def can_read(member) -> bool:
    return is_enterprise_member(member) and member.role in READ_ALL_ROLES
