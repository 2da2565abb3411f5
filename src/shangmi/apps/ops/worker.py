"""The background worker: django-tasks-db's db_worker plus a heartbeat the health page reads."""

from __future__ import annotations

import os
import socket
import threading
import time

from django.conf import settings
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from shangmi.apps.ops.models import WorkerHeartbeat

# The register's reminders are queued this often; the task itself sends once per day.
REMINDERS_EVERY_SECONDS = 3600


def _retry_pending_deposits() -> None:
    """Deposits left pending (the log was busy, e.g. during a backup) are picked up again."""
    from shangmi.apps.evidence.models import PendingDeposit
    from shangmi.apps.evidence.tasks import include_pending_deposits

    if PendingDeposit.objects.exists():
        include_pending_deposits.enqueue()


def _watch_folders_if_any() -> None:
    """Monitoring's watched log folders are read on this beat (only when some are configured)."""
    from shangmi.apps.monitoring.models import LogSource
    from shangmi.apps.monitoring.tasks import watch_log_folders

    if LogSource.objects.filter(kind=LogSource.Kind.FOLDER, enabled=True).exists():
        watch_log_folders.enqueue()


def _beat(worker_id: str, stop: threading.Event) -> None:
    """Refresh the heartbeat; also queue the periodic jobs (django.tasks has no scheduler of its own)."""
    next_anchor = time.monotonic() + settings.AUDIT_ANCHOR_SECONDS
    next_reminders = time.monotonic()
    next_watch = time.monotonic()
    try:
        while not stop.wait(settings.WORKER_HEARTBEAT_SECONDS):
            close_old_connections()
            WorkerHeartbeat.objects.filter(worker_id=worker_id).update(last_seen=timezone.now())
            _retry_pending_deposits()
            if time.monotonic() >= next_anchor:
                from shangmi.apps.evidence.tasks import anchor_audit_heads

                anchor_audit_heads.enqueue()
                next_anchor = time.monotonic() + settings.AUDIT_ANCHOR_SECONDS
            if time.monotonic() >= next_reminders:
                from shangmi.apps.people.tasks import send_people_reminders
                from shangmi.apps.registry.tasks import send_daily_reminders

                send_daily_reminders.enqueue()
                send_people_reminders.enqueue()
                next_reminders = time.monotonic() + REMINDERS_EVERY_SECONDS
            if time.monotonic() >= next_watch:
                _watch_folders_if_any()
                next_watch = time.monotonic() + settings.MONITORING_WATCH_SECONDS
    finally:
        connection.close()


def run_worker(*, queues: str = "*", interval: float = 1.0, batch: bool = False) -> None:
    worker_id = f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(6)}"
    WorkerHeartbeat.objects.create(worker_id=worker_id, hostname=socket.gethostname()[:128], pid=os.getpid())
    stop = threading.Event()
    beat = threading.Thread(target=_beat, args=(worker_id, stop), name="heartbeat", daemon=True)
    beat.start()
    try:
        call_command(
            "db_worker",
            queue_name=queues,
            interval=interval,
            batch=batch,
            worker_id=worker_id,
            startup_delay=False,
            # db_worker reloads on code changes when DEBUG is on, by re-running this command in a child
            # process: that child would write its own heartbeat while this one ran no tasks.
            reload=False,
        )
    finally:
        stop.set()
        beat.join(timeout=5)
        stopped = timezone.now()
        WorkerHeartbeat.objects.filter(worker_id=worker_id).update(stopped_at=stopped, last_seen=stopped)
