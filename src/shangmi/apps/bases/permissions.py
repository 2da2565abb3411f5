"""Who may do what in the demonstration-base programme: an applicant organisation's admin, officer and
manager draft and submit its applications; a bureau's admin and staff handle the applications of their
region at the steps their level owns (jurisdiction.py); employees and other organisations see nothing."""

from __future__ import annotations

from shangmi.apps.accounts.roles import OrgKind, Role

APPLICANT_ROLES = frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER})
BUREAU_ROLES = frozenset({Role.ADMIN, Role.STAFF})


def is_applicant(member) -> bool:
    return (
        member is not None
        and member.organisation.kind == OrgKind.ENTERPRISE
        and member.role in APPLICANT_ROLES
    )


def is_bureau(member) -> bool:
    return (
        member is not None
        and member.organisation.kind == OrgKind.REGULATOR
        and member.role in BUREAU_ROLES
        and member.organisation.region_id is not None
    )
