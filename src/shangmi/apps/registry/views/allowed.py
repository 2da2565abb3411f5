"""Which lifecycle steps a member may take on a secret now: role (permissions) and state together.
Pages use this to show only the buttons that apply and to refuse forms early; the actions still decide."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry import permissions
from shangmi.apps.registry.actions.carriers import OPEN_STATES
from shangmi.apps.registry.actions.validation import TransitionRefused, require_state
from shangmi.apps.registry.models.choices import SecretState
from shangmi.apps.registry.queries import policy_of

# step -> (who may take it, the states it starts from, how the refusal names it)
STEPS = {
    "review": (lambda m, p: permissions.can_review(m, p), (SecretState.APPLIED,), _("审查")),
    "approve": (lambda m, p: permissions.can_approve(m), (SecretState.REVIEWED,), _("批准")),
    "amend": (lambda m, p: permissions.can_manage(m), (SecretState.DESIGNATED,), _("变更")),
    "declassify": (lambda m, p: permissions.can_manage(m), (SecretState.DESIGNATED,), _("解密")),
    "carrier_add": (lambda m, p: permissions.can_manage(m), OPEN_STATES, _("登记载体")),
    "grant_add": (lambda m, p: permissions.can_manage(m), OPEN_STATES, _("授权知悉")),
}


def may(member, step: str, policy=None) -> bool:
    """Whether the member's role allows `step` at all (in some state)."""
    allowed, _states, _name = STEPS[step]
    return allowed(member, policy or policy_of(member.organisation_id))


def require_role(member, step: str, policy=None) -> None:
    if not may(member, step, policy):
        raise PermissionDenied


def state_refusal(secret, step: str) -> str:
    """Why `step` cannot start from the secret's current state, in the actions' own words; '' if it can."""
    _allowed, states, name = STEPS[step]
    try:
        require_state(secret, *states, action=name)
    except TransitionRefused as refused:
        return " ".join(refused.messages)
    return ""


def steps_for(member, secret, *, reviewed_by_me: bool) -> dict[str, bool]:
    """Every step the member may take on the secret right now."""
    policy = policy_of(member.organisation_id)
    out = {
        step: allowed(member, policy) and secret.state in states
        for step, (allowed, states, _name) in STEPS.items()
    }
    out["review"] = out["review"] and not reviewed_by_me
    out["manage"] = permissions.can_manage(member)
    out["labels"] = out["manage"] and secret.state in OPEN_STATES  # a declassified secret bears no marking
    # The reasonable-measures dossier (assessment app) is for those who read the whole register.
    out["dossier"] = permissions.reads_everything(member)
    return out
