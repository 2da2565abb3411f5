"""Background work of the people side."""

from __future__ import annotations

from datetime import date

from django.tasks import task

from shangmi.apps.people.reminders import run_people_reminders


@task()
def send_people_reminders(day: str | None = None) -> dict:
    """Expire agreements past their date and notify officers of unsigned and expiring agreements and of
    unpaid non-compete compensation (reminders.run_people_reminders). Queued every hour by the worker;
    each organisation is notified at most once a day. `day` is an ISO date (default: today)."""
    return run_people_reminders(day=date.fromisoformat(day) if day else None).as_dict()
