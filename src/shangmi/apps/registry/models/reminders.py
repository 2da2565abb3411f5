"""One row per day the reminder task ran, so that it notifies once a day however often it is queued."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class ReminderRun(models.Model):
    day = models.DateField(unique=True)
    started_at = models.DateTimeField(default=timezone.now)
    notified = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"reminders {self.day}"
