from shangmi.apps.accounts.models.identity import Membership, Organisation, Region, User
from shangmi.apps.accounts.models.notifications import Notification
from shangmi.apps.accounts.models.tokens import AccessToken

__all__ = ["AccessToken", "Membership", "Notification", "Organisation", "Region", "User"]
