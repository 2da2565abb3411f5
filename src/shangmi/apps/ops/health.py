"""Health checks for platform admins: database, worker heartbeat, queue depth, free disk."""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks_db.models import DBTaskResult

from shangmi.apps.ops.models import WorkerHeartbeat

MIN_FREE_BYTES = 1024**3  # below 1 GiB free the data directory is reported as failing


@dataclass
class Check:
    name: str
    ok: bool
    detail: str


def check_database() -> Check:
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # noqa: BLE001 - the page reports whatever broke
        return Check(_("数据库"), False, str(error))
    ms = (time.perf_counter() - started) * 1000
    return Check(_("数据库"), True, f"{connection.vendor}, {ms:.1f} ms")


def check_worker() -> Check:
    stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 3)
    alive = WorkerHeartbeat.objects.filter(stopped_at__isnull=True, last_seen__gte=stale)
    latest = WorkerHeartbeat.objects.order_by("-last_seen").first()
    if alive.exists():
        return Check(
            _("后台任务进程"),
            True,
            _("%(n)s 个运行中，最近心跳 %(t)s")
            % {"n": alive.count(), "t": timezone.localtime(latest.last_seen).strftime("%H:%M:%S")},
        )
    if latest is None:
        return Check(_("后台任务进程"), False, _("从未运行过；请启动 shangmi worker"))
    return Check(
        _("后台任务进程"),
        False,
        _("无心跳，最后一次在 %(t)s")
        % {"t": timezone.localtime(latest.last_seen).strftime("%Y-%m-%d %H:%M:%S")},
    )


def queue_depth() -> dict[str, int]:
    rows = DBTaskResult.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def check_queue() -> Check:
    depth = queue_depth()
    ready = depth.get("READY", 0)
    return Check(
        _("任务队列"),
        ready < 1000,
        _("待执行 %(ready)s，执行中 %(running)s，失败 %(failed)s")
        % {"ready": ready, "running": depth.get("RUNNING", 0), "failed": depth.get("FAILED", 0)},
    )


def check_disk() -> Check:
    path = settings.DATA_DIR
    path.mkdir(parents=True, exist_ok=True)
    usage = shutil.disk_usage(path)
    return Check(
        _("数据目录剩余空间"),
        usage.free >= MIN_FREE_BYTES,
        _("%(free).1f GiB 可用 / 共 %(total).1f GiB（%(path)s）")
        % {"free": usage.free / 1024**3, "total": usage.total / 1024**3, "path": path},
    )


def all_checks() -> list[Check]:
    return [check_database(), check_worker(), check_queue(), check_disk()]
