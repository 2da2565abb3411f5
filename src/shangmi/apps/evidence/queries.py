"""Reads and tenant access for evidence."""

from __future__ import annotations

from django.db.models import QuerySet

from shangmi.apps.accounts.queries import NotFound
from shangmi.apps.evidence.models import Deposit


def deposits_of(organisation) -> QuerySet[Deposit]:
    return Deposit.objects.filter(organisation=organisation).select_related("checkpoint")


def access_deposit(organisation, deposit_id: int) -> Deposit:
    """A deposit of the caller's organisation; NotFound alike for missing and foreign."""
    found = deposits_of(organisation).filter(pk=deposit_id).first()
    if found is None:
        raise NotFound()
    return found
