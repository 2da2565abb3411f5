"""The reminders as background work: the django.tasks task, run by the database worker. (The worker's
heartbeat queueing it is tested with the real `shangmi worker` in tests/cli/test_cli_reminders.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from shangmi.apps.accounts.models import Notification
from shangmi.apps.registry.models import ReminderRun
from shangmi.apps.registry.tasks import send_daily_reminders


def _run_queued_tasks() -> None:
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)


# transaction=True: the worker closes connections left inside a transaction, as a test's would be;
# serialized_rollback restores the regions (migration data) that flushing the tables removes.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_runs_through_the_worker_and_sends_once_per_day(members, application):
    today = timezone.localdate()
    secret = application(members["employee"], name="待审申请")
    day = (today + timedelta(days=1)).isoformat()

    first = send_daily_reminders.enqueue(day=day)
    _run_queued_tasks()
    first = send_daily_reminders.get_result(first.id)
    assert first.status == TaskResultStatus.SUCCESSFUL
    org = members["officer"].organisation
    assert first.return_value == {
        "day": day,
        "already_ran": False,
        "dry_run": False,
        "notified": 2,
        "organisations": [
            {
                "code": org.short_code,
                "counts": {"periods": 0, "grants": 0, "unmarked": 0, "review": 1, "approval": 0},
                "notified": 2,
            }
        ],
    }
    [note] = Notification.objects.filter(recipient=members["officer"].user)
    assert note.title == "台账提醒：待审查 1 项"
    assert secret.code in note.body
    assert ReminderRun.objects.get().day.isoformat() == day

    again = send_daily_reminders.enqueue(day=day)
    _run_queued_tasks()
    again = send_daily_reminders.get_result(again.id)
    assert again.status == TaskResultStatus.SUCCESSFUL
    assert again.return_value == {
        "day": day,
        "already_ran": True,
        "dry_run": False,
        "notified": 2,
        "organisations": [],
    }
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_the_task_defaults_to_today(members, application):
    application(members["employee"], name="待审申请")
    result = send_daily_reminders.call()
    assert result["day"] == timezone.localdate().isoformat()
    assert ReminderRun.objects.get().day == timezone.localdate()
