"""Who may do what in the register. Actions enforce these; pages use them to show only what applies."""

from __future__ import annotations

from shangmi.apps.accounts.roles import OrgKind, Role

MANAGE_ROLES = frozenset({Role.ADMIN, Role.OFFICER})  # the secrecy officer keeps the register
APPROVE_ROLES = frozenset({Role.ADMIN, Role.MANAGER})  # a manager approves designations
READ_ALL_ROLES = MANAGE_ROLES | APPROVE_ROLES  # employees see only what they are entrusted with


def is_enterprise_member(member) -> bool:
    return member is not None and member.is_active and member.organisation.kind == OrgKind.ENTERPRISE


def can_manage(member) -> bool:
    return is_enterprise_member(member) and member.role in MANAGE_ROLES


def can_approve(member) -> bool:
    return is_enterprise_member(member) and member.role in APPROVE_ROLES


def reads_everything(member) -> bool:
    return is_enterprise_member(member) and member.role in READ_ALL_ROLES


def can_review(member, policy) -> bool:
    """Members of the designation group; while the group is empty (or no policy saved yet), the
    secrecy officers."""
    if not is_enterprise_member(member):
        return False
    reviewer_ids = (
        set(policy.reviewers.values_list("pk", flat=True)) if policy is not None and policy.pk else set()
    )
    if reviewer_ids:
        return member.user_id in reviewer_ids
    return member.role in MANAGE_ROLES
