"""The log service after a crash: entries the log has but the database does not are recovered by leaf,
and a log or database that disagree in any other way stops the writer instead of guessing."""

import os

import pytest

from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.evidence.log_service import LogServiceError, include_pending, open_log, receipt_for
from shangmi.apps.evidence.models import Deposit
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db


def _deposit(org, actor, material, prefix, n):
    items = [
        DepositItem(d.sha256, d.sm3, d.size, label=f"{prefix}{i}")
        for i, d in enumerate(material(f"{prefix}{i}") for i in range(n))
    ]
    return deposit_create_batch(organisation=org, actor=actor, kind="file", items=items)


def _leaves(ids):
    leaves = dict(Deposit.objects.filter(pk__in=ids).values_list("id", "leaf"))
    return [bytes(leaves[pk]) for pk in ids]


def test_ids_come_back_in_item_order_and_never_repeat(enterprise, material):
    org, people = enterprise
    first = _deposit(org, people["officer"], material, "a", 50)
    second = _deposit(org, people["officer"], material, "b", 50)
    assert len(set(first + second)) == 100 and max(first) < min(second)
    labels = dict(Deposit.objects.values_list("id", "label"))
    assert [labels[pk] for pk in first] == [f"a{i}" for i in range(50)]


def test_entries_appended_before_a_crash_are_recorded_in_log_order(enterprise, material):
    org, people = enterprise
    low = _deposit(org, people["officer"], material, "low", 20)
    high = _deposit(org, people["officer"], material, "high", 30)
    # A writer appended the later batch first (it committed first, as can happen on PostgreSQL), then
    # died before recording anything in the database.
    log = open_log()
    log.append_batch(_leaves(high) + _leaves(low[:5]))
    log.close()

    result = include_pending()

    assert result.included == 15  # the 15 not yet in the log; the 35 were recovered
    index = dict(Deposit.objects.values_list("id", "leaf_index"))
    assert [index[pk] for pk in high] == list(range(30))
    assert [index[pk] for pk in low[:5]] == list(range(30, 35))
    assert sorted(index[pk] for pk in low[5:]) == list(range(35, 50))
    for deposit in Deposit.objects.filter(pk__in=[high[0], low[0], low[-1]]):
        assert verify_receipt(receipt_for(deposit).to_text()).valid


def test_an_entry_no_pending_deposit_explains_stops_the_writer(enterprise, material):
    org, people = enterprise
    ids = _deposit(org, people["officer"], material, "m", 3)
    log = open_log()
    log.append_batch([_leaves(ids)[0].replace(b"kind file", b"kind record")])
    log.close()

    with pytest.raises(LogServiceError, match="do not match the pending deposits"):
        include_pending()
    assert set(Deposit.objects.values_list("state", flat=True)) == {"pending"}


def test_a_log_older_than_the_database_stops_the_writer(enterprise, material, own_log):
    org, people = enterprise
    _deposit(org, people["officer"], material, "m", 4)
    include_pending()
    # The log directory replaced by an empty one, as a restore from the wrong backup would do.
    for path in sorted((own_log / "log").rglob("*"), reverse=True):
        path.rmdir() if path.is_dir() else path.unlink()

    with pytest.raises(LogServiceError, match="older than the database"):
        include_pending()


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="SQLite's single write lock already serialises batches; the race needs PostgreSQL",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_batches_get_blocks_of_consecutive_ids():
    """The writer marks inclusion per run of consecutive ids, so batches must not interleave."""
    import threading

    from django.db import connection, transaction

    from shangmi.apps.evidence.actions import _reserve_ids

    blocks: list[list[int]] = []
    start = threading.Barrier(4)

    def reserve():
        start.wait()
        try:
            for _ in range(5):
                with transaction.atomic():
                    blocks.append(_reserve_ids(2000))
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(blocks) == 20
    for block in blocks:
        assert block == list(range(block[0], block[0] + 2000))
