"""Reads of the ops app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shangmi.apps.ops.tasks import ping


@dataclass(frozen=True)
class PingOutcome:
    id: str
    status: str
    finished: bool
    worker_id: str = ""
    pid: int | None = None
    hostname: str = ""
    round_trip_ms: float | None = None
    error: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status,
            "finished": self.finished,
            "worker_id": self.worker_id,
            "pid": self.pid,
            "hostname": self.hostname,
            "round_trip_ms": self.round_trip_ms,
            "error": self.error,
        }


def ping_outcome(result_id: str) -> PingOutcome | None:
    """The state of one ping, or None if there is no ping with this id (other tasks' results are never
    shown here: their return values may hold an organisation's data)."""
    row = DBTaskResult.objects.filter(pk=result_id, task_path=ping.module_path).first()
    if row is None:
        return None
    result = row.task_result
    outcome = PingOutcome(id=str(result.id), status=str(result.status), finished=result.is_finished)
    if result.status == TaskResultStatus.SUCCESSFUL:
        value = result.return_value or {}
        round_trip = None
        if result.finished_at and result.enqueued_at:
            round_trip = round((result.finished_at - result.enqueued_at).total_seconds() * 1000, 1)
        return PingOutcome(
            id=outcome.id,
            status=outcome.status,
            finished=True,
            worker_id=str(value.get("worker_id", "")),
            pid=value.get("pid"),
            hostname=str(value.get("hostname", "")),
            round_trip_ms=round_trip,
        )
    if result.status == TaskResultStatus.FAILED:
        error = result.errors[-1].traceback.strip().splitlines()[-1] if result.errors else ""
        return PingOutcome(id=outcome.id, status=outcome.status, finished=True, error=error)
    return outcome
