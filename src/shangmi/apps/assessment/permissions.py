"""Who may do what with self-checks. The enterprise's officer and admin run them; its managers read them;
employees see none. A service provider or regulator the enterprise invited reads the invited self-check
and reviews it. A regulator sees only scores that enterprises of its region chose to share."""

from __future__ import annotations

from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry.permissions import MANAGE_ROLES, READ_ALL_ROLES, is_enterprise_member

REVIEWER_KINDS = frozenset({OrgKind.PROVIDER, OrgKind.REGULATOR})


def can_run(member) -> bool:
    return is_enterprise_member(member) and member.role in MANAGE_ROLES


def can_read(member) -> bool:
    return is_enterprise_member(member) and member.role in READ_ALL_ROLES


def is_reviewer_member(member) -> bool:
    return member is not None and member.is_active and member.organisation.kind in REVIEWER_KINDS


def is_regulator_member(member) -> bool:
    return member is not None and member.is_active and member.organisation.kind == OrgKind.REGULATOR
