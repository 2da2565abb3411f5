"""Background work of the register."""

from __future__ import annotations

from datetime import date

from django.tasks import task

from shangmi.apps.registry.reminders import run_reminders


@task()
def send_daily_reminders(day: str | None = None) -> dict:
    """Notify every enterprise of what is due (reminders.run_reminders). Queued every hour by the worker;
    only the first run of a day sends anything. `day` is an ISO date (default: today)."""
    return run_reminders(day=date.fromisoformat(day) if day else None).as_dict()
