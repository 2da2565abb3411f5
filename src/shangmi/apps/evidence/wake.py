"""Waking the log writer after deposits commit."""

from __future__ import annotations

from django.db import transaction


def deposits_pending() -> None:
    from shangmi.apps.evidence.tasks import include_pending_deposits

    include_pending_deposits.enqueue()


def wake_after_commit() -> None:
    """Queue one writer wake-up when the transaction commits, however many deposits it holds: one
    task drains every pending deposit, so a bulk step (the demo, an import) queues one, not hundreds.

    A wake-up already registered is enough: Django drops a callback when a savepoint it was registered
    in rolls back, and any savepoint still open encloses this deposit too, so whatever would drop the
    earlier wake-up also undoes this deposit."""
    connection = transaction.get_connection()
    if any(func is deposits_pending for _savepoints, func, _robust in connection.run_on_commit):
        return
    transaction.on_commit(deposits_pending)
