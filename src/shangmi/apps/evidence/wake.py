"""Waking the log writer after deposits commit."""

from __future__ import annotations


def deposits_pending() -> None:
    from shangmi.apps.evidence.tasks import include_pending_deposits

    include_pending_deposits.enqueue()
