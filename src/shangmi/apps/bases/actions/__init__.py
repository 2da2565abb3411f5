"""Writes of the demonstration-base programme: the applicant's (applicant.py), the bureaus' (bureau.py)
and targets (targets.py)."""

from shangmi.apps.bases.actions.applicant import (
    application_create,
    application_submit,
    application_update,
    application_withdraw,
    ban_until,
    deadline,
)
from shangmi.apps.bases.actions.bureau import (
    accepting_bureau,
    annual_review_record,
    application_accept,
    application_recognise,
    application_review,
    application_revoke,
    attachment_add,
    notice_publish,
    objection_add,
    objection_resolve,
    reviewing_bureau,
)
from shangmi.apps.bases.actions.targets import targets_import

__all__ = [
    "accepting_bureau",
    "annual_review_record",
    "application_accept",
    "application_create",
    "application_recognise",
    "application_review",
    "application_revoke",
    "application_submit",
    "application_update",
    "application_withdraw",
    "attachment_add",
    "ban_until",
    "deadline",
    "notice_publish",
    "objection_add",
    "objection_resolve",
    "reviewing_bureau",
    "targets_import",
]
