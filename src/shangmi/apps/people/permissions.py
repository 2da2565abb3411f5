"""Who may do what on the people side. Personnel records are the secrecy officer's and the admin's;
managers read them; an employee sees only their own record, agreements and trainings."""

from __future__ import annotations

from shangmi.apps.registry.permissions import (
    MANAGE_ROLES,
    READ_ALL_ROLES,
    is_enterprise_member,
)


def can_manage(member) -> bool:
    return is_enterprise_member(member) and member.role in MANAGE_ROLES


def reads_everyone(member) -> bool:
    return is_enterprise_member(member) and member.role in READ_ALL_ROLES
