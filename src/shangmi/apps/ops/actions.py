"""Writes of the ops app."""

from __future__ import annotations

from django.tasks import TaskResult

from shangmi.apps.ops.tasks import ping


def ping_enqueue() -> TaskResult:
    """Queue one ping for the workers. Not an audit event: it changes no data of any organisation,
    only adds a diagnostic entry to the task queue (visible there with its result)."""
    return ping.enqueue()
