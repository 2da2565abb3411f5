"""Tasks of the ops app."""

from __future__ import annotations

import os
import socket

from django.tasks import task
from django.utils import timezone


@task(takes_context=True)
def ping(context) -> dict:
    """Prove end to end that a worker picks up queued tasks and runs them: the health page's
    "检测任务执行" button queues this and shows which worker process ran it, and when."""
    worker_ids = context.task_result.worker_ids
    return {
        "worker_id": worker_ids[-1] if worker_ids else "",
        "pid": os.getpid(),
        "hostname": socket.gethostname(),
        "ran_at": timezone.now().isoformat(),
    }
