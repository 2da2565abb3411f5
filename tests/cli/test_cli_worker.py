"""`shangmi worker` as a real process: heartbeat rows, a queued task executed, clean stop on Ctrl-C."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime

from .support import SHANGMI, cli_env, django_python, ok, sql, wait_for

ENQUEUE_PING = """
from shangmi.apps.ops.actions import ping_enqueue
print(ping_enqueue().id)
"""

HEALTH = """
from shangmi.apps.ops.health import check_worker
c = check_worker()
print(json.dumps({"ok": c.ok, "detail": str(c.detail)}, ensure_ascii=False))
"""


def _heartbeat(data_dir):
    rows = sql(data_dir, "SELECT worker_id, pid, started_at, last_seen, stopped_at FROM ops_workerheartbeat")
    return rows[0] if rows else None


def _ping_rows(data_dir):
    return sql(
        data_dir,
        "SELECT status, return_value, worker_ids FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
        ("shangmi.apps.ops.tasks.ping",),
    )


def test_worker_beats_runs_a_task_and_stops_cleanly_on_sigint(demo_dir):
    process = subprocess.Popen(
        [str(SHANGMI), "worker", "--interval", "0.2"],
        env=cli_env(demo_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        worker_id, pid, _started, first_seen, stopped = wait_for(
            lambda: _heartbeat(demo_dir), timeout=30, what="the worker's heartbeat row"
        )
        assert pid == process.pid
        assert stopped is None
        assert json.loads(ok(django_python(HEALTH, data_dir=demo_dir)).stdout)["ok"] is True

        # The heartbeat thread refreshes last_seen every WORKER_HEARTBEAT_SECONDS (5 s).
        wait_for(
            lambda: datetime.fromisoformat(_heartbeat(demo_dir)[3]) > datetime.fromisoformat(first_seen),
            timeout=15,
            what="last_seen to advance",
        )

        ok(django_python(ENQUEUE_PING, data_dir=demo_dir))
        status, return_value, worker_ids = wait_for(
            lambda: next((row for row in _ping_rows(demo_dir) if row[0] in ("SUCCESSFUL", "FAILED")), None),
            timeout=20,
            what="the ping task to finish",
        )
        assert status == "SUCCESSFUL"
        assert json.loads(worker_ids) == [worker_id]
        result = json.loads(return_value)
        assert (result["worker_id"], result["pid"]) == (worker_id, process.pid)

        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    _worker_id, _pid, _started, last_seen, stopped = _heartbeat(demo_dir)
    assert stopped is not None
    assert stopped == last_seen  # the last beat is the stop
    health = json.loads(ok(django_python(HEALTH, data_dir=demo_dir)).stdout)
    assert health["ok"] is False
    assert health["detail"].startswith("无心跳，最后一次在 ")
    assert "Traceback" not in process.stderr.read()


def test_batch_worker_exits_when_the_queue_is_empty(demo_dir):
    ok(django_python(ENQUEUE_PING, data_dir=demo_dir))
    ok(django_python(ENQUEUE_PING, data_dir=demo_dir))
    result = ok(subprocess.run([str(SHANGMI), "worker", "--batch", "--interval", "0"], env=cli_env(demo_dir),
                               capture_output=True, text=True, timeout=60))  # fmt: skip
    assert [row[0] for row in _ping_rows(demo_dir)] == ["SUCCESSFUL", "SUCCESSFUL"]
    [(stopped,)] = sql(demo_dir, "SELECT stopped_at FROM ops_workerheartbeat")
    assert stopped is not None
    assert "Traceback" not in result.stderr
