"""One writer wake-up per committed transaction, however many deposits it holds."""

from __future__ import annotations

import pytest
from django.db import transaction

from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.evidence.wake import deposits_pending
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db


def _deposit(org, text: str) -> None:
    d = digest_bytes(text.encode())
    deposit_create_batch(
        organisation=org, actor=None, kind="record", items=[DepositItem(d.sha256, d.sm3, d.size, label=text)]
    )


def _wakes(callbacks) -> int:
    return sum(1 for c in callbacks if c is deposits_pending)


def test_three_deposits_in_one_transaction_queue_one_wake(enterprise, django_capture_on_commit_callbacks):
    org, _people = enterprise
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(3):
            _deposit(org, f"record {n}")
    assert _wakes(callbacks) == 1


def test_a_wake_dropped_with_its_savepoint_is_registered_again(
    enterprise, django_capture_on_commit_callbacks
):
    org, _people = enterprise
    with django_capture_on_commit_callbacks() as callbacks:
        try:
            with transaction.atomic():
                _deposit(org, "rolled back")
                raise RuntimeError("undo the inner step")
        except RuntimeError:
            pass
        _deposit(org, "kept")
    assert _wakes(callbacks) == 1
