"""`shangmi reminders` as a real process: a summary table, once per day, a preview for one enterprise; and
`shangmi worker` queueing the reminders from its heartbeat, once however many beats pass."""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import datetime

from .support import SHANGMI, cli_env, django_python, ok, shangmi, sql, wait_for

TASK_PATH = "shangmi.apps.registry.tasks.send_daily_reminders"

# An enterprise of its own (the demo's register may change): an officer, a manager and an employee, one
# designated secret whose period ends in 7 days with an unmarked carrier and a grant expiring in 3 days,
# and one application waiting for review.
SEED = """
from datetime import timedelta
from django.utils import timezone
from shangmi.apps.accounts import actions as accounts
from shangmi.apps.accounts.models import Membership
from shangmi.apps.registry import actions

org = accounts.organisation_create(
    actor=None, kind="enterprise", name="提醒测试有限公司", short_code="TREM", region_code="330212"
)

def member(role):
    user = accounts.user_create(
        actor=None, name=f"提醒{role}", email=f"{role}@trem.example", password="Correct-Horse-Battery-42"
    )
    accounts.membership_add(actor=None, user=user, organisation=org, role=role)
    return Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)

officer, manager, employee = member("officer"), member("manager"), member("employee")
today = timezone.localdate()
fields = dict(category="technical", subcategory="process", description="d", level="core", department="研发部")
secret = actions.secret_apply(
    member=officer, points=[("密点", "")], name="提醒测试秘密", period_kind="date",
    period_until=today + timedelta(days=7), **fields
)
actions.secret_review(member=officer, secret=secret, decision="pass", searched="专利库", found="未找到")
actions.secret_approve(member=manager, secret=secret, approve=True)
carrier = actions.carrier_add(member=officer, secret=secret, kind="paper", name="工艺卡")
actions.grant_add(
    member=officer, secret=secret, user=employee.user, reason="试制", expires_on=today + timedelta(days=3)
)
waiting = actions.secret_apply(member=employee, points=[("密点", "")], name="新申请", period_kind="long_term", **fields)
print(json.dumps({"today": today.isoformat(), "secret": secret.code, "carrier": carrier.code,
                  "waiting": waiting.code}))
"""

WIDE = {"COLUMNS": "200"}  # one table row per organisation, whatever the terminal


def _row(output: str, code: str) -> list[str]:
    [line] = [line for line in output.splitlines() if f" {code} " in line]
    return [cell.strip() for cell in line.strip().strip("│┃|").split("│")]


def _notes(data_dir) -> list[tuple[str, str]]:
    return sql(
        data_dir,
        "SELECT n.title, n.body FROM accounts_notification n JOIN accounts_user u ON u.id = n.recipient_id "
        "WHERE u.email = 'officer@trem.example'",
    )


def test_reminders_send_once_a_day_with_a_summary_table(demo_dir):
    seeded = json.loads(ok(django_python(SEED, data_dir=demo_dir)).stdout)
    today = seeded["today"]

    preview = ok(shangmi("reminders", "--date", today, "--org", "trem", data_dir=demo_dir, **WIDE))
    assert f"台账提醒 / register reminders {today}" in preview.stdout
    # periods, grants, unmarked, to review, to approve, notified
    assert _row(preview.stdout, "TREM") == ["TREM", "1", "1", "1", "1", "0", "1"]
    assert "预览，未发送 / preview, nothing sent: 1 notifications would be sent" in preview.stdout
    assert _notes(demo_dir) == []
    assert sql(demo_dir, "SELECT COUNT(*) FROM registry_reminderrun") == [(0,)]

    first = ok(shangmi("reminders", "--date", today, data_dir=demo_dir, **WIDE))
    assert _row(first.stdout, "TREM") == ["TREM", "1", "1", "1", "1", "0", "1"]
    # The people side's run goes with it: the demo enterprise's officers hear of its unsigned agreement.
    assert f"协议提醒 / agreement reminders {today}:" in first.stdout
    assert sql(demo_dir, "SELECT COUNT(*) FROM people_peoplereminderrun WHERE day = ?", (today,)) != [(0,)]
    [(notified,)] = sql(demo_dir, "SELECT notified FROM registry_reminderrun WHERE day = ?", (today,))
    assert f"已发送 / sent {notified} notifications for {today}" in first.stdout
    [(title, body)] = _notes(demo_dir)
    assert title == "台账提醒：保密期限届满 1 项，知悉授权到期 1 项，载体未标识 1 项，待审查 1 项"
    for code in (seeded["secret"], seeded["carrier"], seeded["waiting"]):
        assert code in body

    second = ok(shangmi("reminders", "--date", today, data_dir=demo_dir, **WIDE))
    assert f"{today} 的提醒已发送过 / reminders for {today} were already sent" in second.stdout
    assert "nothing sent now" in second.stdout
    assert len(_notes(demo_dir)) == 1


def test_reminders_refuse_a_bad_date_or_an_unknown_enterprise(demo_dir):
    bad_date = shangmi("reminders", "--date", "2026-13-40", data_dir=demo_dir)
    assert bad_date.returncode == 2
    assert "--date must be YYYY-MM-DD" in bad_date.stderr
    unknown = shangmi("reminders", "--org", "NOSUCH", data_dir=demo_dir)
    assert unknown.returncode == 2
    assert "no active enterprise with short code 'NOSUCH'" in unknown.stderr
    assert sql(demo_dir, "SELECT COUNT(*) FROM registry_reminderrun") == [(0,)]


def _reminder_tasks(data_dir) -> list[tuple[str, str]]:
    return sql(
        data_dir,
        "SELECT status, return_value FROM django_tasks_database_dbtaskresult WHERE task_path = ?",
        (TASK_PATH,),
    )


def _last_seen(data_dir) -> datetime | None:
    rows = sql(data_dir, "SELECT last_seen FROM ops_workerheartbeat")
    return datetime.fromisoformat(rows[0][0]) if rows else None


def test_the_worker_queues_the_reminders_once_and_they_are_sent(demo_dir):
    seeded = json.loads(ok(django_python(SEED, data_dir=demo_dir)).stdout)
    process = subprocess.Popen(
        [str(SHANGMI), "worker", "--interval", "0.2"],
        env=cli_env(demo_dir),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The first heartbeat (WORKER_HEARTBEAT_SECONDS, 5 s) queues the task; the worker runs it.
        [(status, value)] = wait_for(
            lambda: [row for row in _reminder_tasks(demo_dir) if row[0] in ("SUCCESSFUL", "FAILED")],
            timeout=40,
            what="the reminders task to run",
        )
        assert status == "SUCCESSFUL", value
        result = json.loads(value)
        assert (result["day"], result["already_ran"]) == (seeded["today"], False)
        [trem] = [o for o in result["organisations"] if o["code"] == "TREM"]
        assert trem == {
            "code": "TREM",
            "counts": {"periods": 1, "grants": 1, "unmarked": 1, "review": 1, "approval": 0},
            "notified": 1,
        }
        # Two more beats queue nothing more: the next enqueue is an hour away.
        seen = _last_seen(demo_dir)
        wait_for(lambda: _last_seen(demo_dir) > seen, timeout=15, what="another heartbeat")
        seen = _last_seen(demo_dir)
        wait_for(lambda: _last_seen(demo_dir) > seen, timeout=15, what="a third heartbeat")
        assert len(_reminder_tasks(demo_dir)) == 1
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert len(_notes(demo_dir)) == 1
    assert sql(demo_dir, "SELECT day FROM registry_reminderrun") == [(seeded["today"],)]
    # Run by hand afterwards, the day is already done.
    again = ok(shangmi("reminders", data_dir=demo_dir))
    assert f"reminders for {seeded['today']} were already sent" in again.stdout
