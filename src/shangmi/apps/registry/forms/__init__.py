"""Forms of the register's pages. They parse input; the actions (registry.actions) decide."""

from shangmi.apps.registry.forms.carriers import CarrierForm, DestroyForm
from shangmi.apps.registry.forms.grants import GrantForm
from shangmi.apps.registry.forms.lifecycle import (
    MIN_POINT_ROWS,
    AmendForm,
    ApplyForm,
    ApproveForm,
    DeclassifyForm,
    ReviewForm,
    points_from,
)
from shangmi.apps.registry.forms.policy import PolicyForm

__all__ = [
    "MIN_POINT_ROWS",
    "AmendForm",
    "ApplyForm",
    "ApproveForm",
    "CarrierForm",
    "DeclassifyForm",
    "DestroyForm",
    "GrantForm",
    "PolicyForm",
    "ReviewForm",
    "points_from",
]
