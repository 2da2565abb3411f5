"""The daily agreement reminders: unsigned after the policy's days, expiring within the policy's days,
expired ones marked, non-compete compensation unpaid three months running; officers and admins told once
a day; the django.tasks task through the database worker."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone

from shangmi.apps.accounts.models import Notification
from shangmi.apps.people.actions import agreements as actions
from shangmi.apps.people.actions import non_compete
from shangmi.apps.people.models import Agreement, PeoplePolicy, PeopleReminderRun, PersonEvent
from shangmi.apps.people.reminders import run_people_reminders
from shangmi.apps.people.tasks import send_people_reminders

from .test_agreements_support import draft, employee, signed


@pytest.fixture
def due(members, enterprise):
    """One of each: sent 8 days ago (unsigned), signed expiring in 20 days, signed expired yesterday,
    an enforced non-compete unpaid for four months; and some that are not due."""
    org = enterprise[0]
    officer = members["officer"]
    today = timezone.localdate()
    person = employee(org)
    unsigned = actions.agreement_send(officer, draft(officer, "nda", person))
    Agreement.objects.filter(pk=unsigned.pk).update(sent_at=timezone.now() - timedelta(days=8))
    fresh = actions.agreement_send(officer, draft(officer, "clean_hands", person))  # sent today
    expiring = signed(officer, "nda", person, expires_on=today + timedelta(days=20))
    signed(officer, "nda", person, expires_on=today + timedelta(days=90))  # not yet
    expired = signed(officer, "nda", person, expires_on=today - timedelta(days=1))
    last_day = non_compete.add_months(today, -4).replace(day=1) - timedelta(days=1)
    leaver = employee(org, number="E900", name="李四", state="resigning", last_day=last_day)
    nc = signed(officer, "non_compete", leaver)
    non_compete.non_compete_decide(officer, nc, "enforce", "")
    return {"unsigned": unsigned, "fresh": fresh, "expiring": expiring, "expired": expired, "nc": nc}


@pytest.mark.django_db
def test_reminders_expire_and_notify_officers_once_a_day(members, due):
    org = members["officer"].organisation
    today = timezone.localdate()
    report = run_people_reminders(day=today).as_dict()
    [mine] = [o for o in report["organisations"] if o["code"] == org.short_code]
    assert mine == {
        "code": org.short_code,
        "counts": {"unsigned": 1, "expiring": 1, "unpaid": 1},
        "expired": 1,
        "notified": 2,
        "already_ran": False,
    }
    assert Agreement.objects.get(pk=due["expired"].pk).state == "expired"
    assert PersonEvent.objects.filter(agreement=due["expired"], kind="agr_expire").count() == 1
    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert recipients == {members["officer"].user_id, members["admin"].user_id}
    note = Notification.objects.get(recipient=members["officer"].user)
    assert note.title == "协议提醒：未签署 1 份，即将到期 1 份，竞业补偿未付 1 份"
    assert due["unsigned"].number in note.body and due["fresh"].number not in note.body
    assert f"{due['expiring'].number} 员工保密合同 · 张三，{due['expiring'].expires_on} 到期" in note.body
    assert f"{due['nc'].number} · 李四，已连续 4 个月未登记补偿支付" in note.body
    assert note.link == "/people/agreements/?state=sent"

    again = run_people_reminders(day=today).as_dict()
    [mine] = [o for o in again["organisations"] if o["code"] == org.short_code]
    assert mine["already_ran"] is True and mine["notified"] == 2
    assert Notification.objects.count() == 2
    assert PeopleReminderRun.objects.get(organisation=org).sent == 2


@pytest.mark.django_db
def test_policy_days_decide_what_is_due(members, due):
    org = members["officer"].organisation
    PeoplePolicy.objects.create(organisation=org, unsigned_reminder_days=10, expiry_reminder_days=5)
    report = run_people_reminders(day=timezone.localdate()).as_dict()
    [mine] = [o for o in report["organisations"] if o["code"] == org.short_code]
    assert mine["counts"] == {"unsigned": 0, "expiring": 0, "unpaid": 1}


@pytest.mark.django_db
def test_nothing_due_sends_nothing(members, enterprise):
    officer = members["officer"]
    draft(officer, "nda", employee(enterprise[0]))
    result = send_people_reminders.call()
    assert result["day"] == timezone.localdate().isoformat()
    assert Notification.objects.count() == 0
    assert PeopleReminderRun.objects.get(organisation=enterprise[0]).sent == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_task_runs_through_the_worker(members, due):
    day = timezone.localdate().isoformat()
    queued = send_people_reminders.enqueue(day=day)
    call_command("db_worker", batch=True, interval=0, startup_delay=False, reload=False, verbosity=0)
    result = send_people_reminders.get_result(queued.id)
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.return_value["day"] == day and result.return_value["notified"] == 2
    assert Notification.objects.filter(recipient=members["officer"].user).count() == 1
