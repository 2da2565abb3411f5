"""The health page (/ops/health/): platform admins only; database, worker, queue and disk checks; the
"检测任务执行" button that proves a worker runs tasks end to end."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.tasks import task
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.accounts.queries import platform_organisation
from shangmi.apps.ops.health import MIN_FREE_BYTES
from shangmi.apps.ops.models import WorkerHeartbeat
from shangmi.apps.ops.tasks import ping

CHECK_NAMES = ["数据库", "后台任务进程", "任务队列", "数据目录剩余空间"]


@task
def not_a_ping() -> str:
    """Another task whose result must not be readable through the ping status page."""
    return "an organisation's data"


@pytest.fixture
def platform_admin(db, make_member):
    return make_member(platform_organisation(), "admin")


@pytest.fixture
def admin_client(platform_admin, login):
    return login(platform_admin)


def checks_json(client) -> dict:
    response = client.get("/ops/health/", {"format": "json"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def check(client, name: str) -> dict:
    [found] = [c for c in checks_json(client)["checks"] if c["name"] == name]
    return found


def beat(**fields) -> WorkerHeartbeat:
    n = WorkerHeartbeat.objects.count()
    return WorkerHeartbeat.objects.create(worker_id=f"test-{n}", hostname="h", pid=1000 + n, **fields)


@pytest.mark.django_db
class TestWhoMaySee:
    @pytest.mark.parametrize("role", ["admin", "operator"])
    def test_platform_members_see_the_page(self, make_member, login, role):
        user = make_member(platform_organisation(), role)
        response = login(user).get("/ops/health/")
        assert response.status_code == 200
        body = response.content.decode()
        for name in CHECK_NAMES:
            assert f"<td>{name}</td>" in body

    def test_a_superuser_without_membership_sees_the_page(self, login):
        root = accounts.user_create(
            actor=None,
            name="根",
            email="root@ops.example",
            password="Correct-Horse-Battery-42",
            is_superuser=True,
        )
        assert login(root).get("/ops/health/").status_code == 200

    @pytest.mark.parametrize("role", ["admin", "officer", "manager", "employee"])
    @pytest.mark.parametrize(
        "method,path",
        [("get", "/ops/health/"), ("get", "/ops/health/?format=json"), ("post", "/ops/health/ping/")],
    )
    def test_enterprise_members_are_refused_and_nothing_is_queued(
        self, enterprise, login, role, method, path
    ):
        _org, people = enterprise
        response = getattr(login(people[role]), method)(path)
        assert response.status_code == 403
        assert "数据库" not in response.content.decode()
        assert DBTaskResult.objects.count() == 0

    def test_regulator_staff_are_refused(self, make_org, make_member, login):
        staff = make_member(make_org("regulator"), "staff")
        assert login(staff).get("/ops/health/").status_code == 403

    def test_ping_status_is_refused_to_enterprise_members(self, enterprise, login, admin_client):
        _org, people = enterprise
        result = ping.enqueue()
        response = login(people["admin"]).get(f"/ops/health/ping/{result.id}/", {"format": "json"})
        assert response.status_code == 403
        assert response["Content-Type"].startswith("text/html")  # the error page, not the status JSON
        assert '"status"' not in response.content.decode() and "READY" not in response.content.decode()

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/ops/health/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
class TestChecks:
    def test_json_lists_the_four_checks_in_order(self, admin_client):
        data = checks_json(admin_client)
        assert [c["name"] for c in data["checks"]] == CHECK_NAMES
        assert data["ok"] == all(c["ok"] for c in data["checks"])

    def test_database_check_names_the_vendor(self, admin_client):
        found = check(admin_client, "数据库")
        assert found["ok"] is True
        assert re.fullmatch(rf"{connection.vendor}, \d+\.\d ms", found["detail"])

    def test_worker_never_seen(self, admin_client):
        assert check(admin_client, "后台任务进程") == {
            "name": "后台任务进程",
            "ok": False,
            "detail": "从未运行过；请启动 shangmi worker",
        }
        assert checks_json(admin_client)["ok"] is False
        assert "有检查未通过" in admin_client.get("/ops/health/").content.decode()

    def test_worker_with_a_fresh_heartbeat_is_ok(self, admin_client):
        newest = beat()
        beat(last_seen=timezone.now() - timedelta(seconds=2))
        found = check(admin_client, "后台任务进程")
        assert found["ok"] is True
        assert found["detail"] == f"2 个运行中，最近心跳 {timezone.localtime(newest.last_seen):%H:%M:%S}"

    def test_worker_with_a_stale_heartbeat_fails(self, admin_client):
        stale = timezone.now() - timedelta(seconds=settings.WORKER_HEARTBEAT_SECONDS * 3 + 1)
        beat(last_seen=stale)
        found = check(admin_client, "后台任务进程")
        assert found["ok"] is False
        assert found["detail"] == f"无心跳，最后一次在 {timezone.localtime(stale):%Y-%m-%d %H:%M:%S}"

    def test_a_stopped_worker_does_not_count_as_running(self, admin_client):
        now = timezone.now()
        beat(last_seen=now, stopped_at=now)
        assert check(admin_client, "后台任务进程")["ok"] is False

    def test_queue_depth_counts_tasks_by_status(self, admin_client):
        for _ in range(3):
            ping.enqueue()
        failed = ping.enqueue()
        DBTaskResult.objects.filter(pk=failed.id).update(status="FAILED")
        assert check(admin_client, "任务队列") == {
            "name": "任务队列",
            "ok": True,
            "detail": "待执行 3，执行中 0，失败 1",
        }

    def test_disk_check_reports_the_data_directory(self, admin_client):
        found = check(admin_client, "数据目录剩余空间")
        usage = shutil.disk_usage(settings.DATA_DIR)
        assert found["ok"] is (usage.free >= MIN_FREE_BYTES)
        assert found["detail"].endswith(f"（{settings.DATA_DIR}）")
        assert f"共 {usage.total / 1024**3:.1f} GiB" in found["detail"]

    def test_all_ok_when_every_check_passes(self, admin_client):
        beat()
        data = checks_json(admin_client)
        disk_ok = shutil.disk_usage(settings.DATA_DIR).free >= MIN_FREE_BYTES
        assert [c["ok"] for c in data["checks"]] == [True, True, True, disk_ok]
        assert data["ok"] is disk_ok

    def test_htmx_refresh_returns_only_the_checks_fragment(self, admin_client):
        fragment = admin_client.get("/ops/health/", headers={"HX-Request": "true"}).content.decode()
        assert fragment.strip().startswith('<div id="checks" hx-get="/ops/health/" hx-trigger="every 10s"')
        assert "<html" not in fragment and "检测任务执行" not in fragment
        assert "<td>数据库</td>" in fragment

    def test_page_lists_recent_workers(self, admin_client):
        beat()
        body = admin_client.get("/ops/health/").content.decode()
        assert '<td class="mono small">test-0</td>' in body


@pytest.fixture
def restore_signal_handlers():
    """The worker installs SIGINT/SIGTERM handlers for graceful shutdown; put the test runner's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_ping_button_queues_a_task_that_the_real_worker_runs(platform_admin, login, restore_signal_handlers):
    from shangmi.apps.ops.worker import run_worker

    client = login(platform_admin)
    page = client.get("/ops/health/").content.decode()
    assert 'hx-post="/ops/health/ping/"' in page and "检测任务执行" in page

    queued = client.post("/ops/health/ping/", headers={"HX-Request": "true"})
    assert queued.status_code == 200
    [row] = DBTaskResult.objects.all()
    assert (row.task_path, row.status) == (ping.module_path, "READY")
    fragment = queued.content.decode()
    assert f'hx-get="/ops/health/ping/{row.id}/" hx-trigger="every 1s"' in fragment
    assert "测试任务已排队" in fragment
    assert client.get(f"/ops/health/ping/{row.id}/", {"format": "json"}).json()["status"] == "READY"

    # The real worker, in batch mode: run what is queued, then exit.
    run_worker(interval=0, batch=True)

    [heartbeat] = WorkerHeartbeat.objects.all()
    assert heartbeat.stopped_at is not None and heartbeat.pid == os.getpid()
    status = client.get(f"/ops/health/ping/{row.id}/", {"format": "json"}).json()
    assert status["status"] == "SUCCESSFUL" and status["finished"] is True
    assert (status["worker_id"], status["pid"], status["hostname"]) == (
        heartbeat.worker_id,
        os.getpid(),
        socket.gethostname(),
    )
    assert 0 <= status["round_trip_ms"] < 60_000
    done = client.get(f"/ops/health/ping/{row.id}/").content.decode()
    assert "测试任务已执行：工作进程 " + heartbeat.worker_id in done
    assert "hx-trigger" not in done  # finished: the fragment stops polling


@pytest.mark.django_db
def test_ping_without_htmx_redirects_to_the_page_showing_it(admin_client):
    response = admin_client.post("/ops/health/ping/")
    [row] = DBTaskResult.objects.all()
    assert response.status_code == 302
    assert response["Location"] == f"/ops/health/?ping={row.id}"
    page = admin_client.get(response["Location"]).content.decode()
    assert f'<div id="ping" hx-get="/ops/health/ping/{row.id}/"' in page


@pytest.mark.django_db
def test_ping_must_be_posted(admin_client):
    assert admin_client.get("/ops/health/ping/").status_code == 405
    assert DBTaskResult.objects.count() == 0


@pytest.mark.django_db
def test_ping_status_shows_only_pings(admin_client):
    other = not_a_ping.enqueue()
    response = admin_client.get(f"/ops/health/ping/{other.id}/", {"format": "json"})
    assert response.status_code == 404
    assert "an organisation" not in response.content.decode()
    missing = admin_client.get("/ops/health/ping/00000000-0000-0000-0000-000000000000/")
    assert missing.status_code == 404
    # A malformed ?ping= on the page is ignored, not an error.
    assert admin_client.get("/ops/health/", {"ping": "not-a-uuid"}).status_code == 200
