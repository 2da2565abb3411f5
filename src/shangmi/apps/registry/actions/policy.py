"""The register's settings: code pattern, designation group, reminder horizon."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.codes import check_pattern
from shangmi.apps.registry.actions.lifecycle import policy_for
from shangmi.apps.registry.actions.validation import member_of, raise_if, require
from shangmi.apps.registry.models import RegisterPolicy


@transaction.atomic
def policy_update(
    *, member, code_pattern: str, reviewers: list, reviews_required: int, reminder_days: int, request=None
) -> RegisterPolicy:
    require(permissions.can_manage(member))
    policy = policy_for(member.organisation)
    errors: dict = {}
    try:
        pattern = check_pattern(code_pattern)
    except Exception as exc:  # ValidationError with the field named
        errors.update(getattr(exc, "message_dict", {"code_pattern": [str(exc)]}))
        pattern = code_pattern
    users = [member_of(member.organisation, r, "reviewers", errors) for r in reviewers]
    if type(reviews_required) is not int or not 1 <= reviews_required <= 20:
        errors["reviews_required"] = [_("所需审查通过人数应为 1 至 20")]
    elif users and reviews_required > len(users):
        errors["reviews_required"] = [_("所需审查通过人数不能多于审查小组人数")]
    if type(reminder_days) is not int or not 1 <= reminder_days <= 365:
        errors["reminder_days"] = [_("提前提醒天数应为 1 至 365")]
    raise_if(errors)
    policy.code_pattern, policy.reviews_required, policy.reminder_days = (
        pattern,
        reviews_required,
        reminder_days,
    )
    policy.save(update_fields=["code_pattern", "reviews_required", "reminder_days"])
    policy.reviewers.set(users)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="registry.policy",
        obj=policy,
        changes={
            "code_pattern": pattern,
            "reviewers": [u.name for u in users],
            "reviews_required": reviews_required,
            "reminder_days": reminder_days,
        },
        request=request,
    )
    return policy
