"""The register (台账). Writes go through `actions/`."""

from shangmi.apps.registry.models.carriers import Carrier
from shangmi.apps.registry.models.events import DesignationReview, SecretEvent
from shangmi.apps.registry.models.grants import AccessGrant, GrantAcknowledgement
from shangmi.apps.registry.models.policy import CodeCounter, RegisterPolicy
from shangmi.apps.registry.models.reminders import ReminderRun
from shangmi.apps.registry.models.secrets import SecretPoint, TradeSecret

__all__ = [
    "AccessGrant",
    "Carrier",
    "CodeCounter",
    "DesignationReview",
    "GrantAcknowledgement",
    "RegisterPolicy",
    "ReminderRun",
    "SecretEvent",
    "SecretPoint",
    "TradeSecret",
]
