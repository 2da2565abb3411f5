"""Writes for the register. Each is atomic, checks the member's role, and leaves an audit event and a
deposited canonical record (actions.records)."""

from shangmi.apps.registry.actions.carriers import carrier_add, carrier_destroy, carrier_mark
from shangmi.apps.registry.actions.grants import grant_acknowledge, grant_add, grant_revoke
from shangmi.apps.registry.actions.lifecycle import (
    policy_for,
    secret_amend,
    secret_apply,
    secret_approve,
    secret_declassify,
    secret_review,
)
from shangmi.apps.registry.actions.policy import policy_update
from shangmi.apps.registry.actions.validation import TransitionRefused

__all__ = [
    "TransitionRefused",
    "carrier_add",
    "carrier_destroy",
    "carrier_mark",
    "grant_acknowledge",
    "grant_add",
    "grant_revoke",
    "policy_for",
    "policy_update",
    "secret_amend",
    "secret_apply",
    "secret_approve",
    "secret_declassify",
    "secret_review",
]
