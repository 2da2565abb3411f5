from shangmi.apps.bases.models.applications import (
    AnnualReview,
    ApplicationEvent,
    AppState,
    Attachment,
    BaseApplication,
    BaseKind,
    BaseLevel,
    Objection,
    RevokeReason,
)
from shangmi.apps.bases.models.targets import BaseTarget, TargetLevel

__all__ = [
    "AnnualReview",
    "AppState",
    "ApplicationEvent",
    "Attachment",
    "BaseApplication",
    "BaseKind",
    "BaseLevel",
    "BaseTarget",
    "Objection",
    "RevokeReason",
    "TargetLevel",
]
