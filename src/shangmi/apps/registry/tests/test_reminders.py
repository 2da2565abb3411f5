"""The daily reminders: what is due (exact counts around the horizon), who is told what, once a day."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.accounts.models import Membership, Notification
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import ReminderRun
from shangmi.apps.registry.reminders import due_for, run_reminders

pytestmark = pytest.mark.django_db

HORIZON = 10


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def horizon(members):
    """A reminder horizon of 10 days for the enterprise (the default is 30)."""
    actions.policy_update(
        member=members["officer"], code_pattern="{ORG}-{YEAR}-{NNNN}", reviewers=[], reviews_required=1,
        reminder_days=HORIZON,
    )  # fmt: skip
    return HORIZON


@pytest.fixture
def designate(members, application):
    """designate(**fields) -> a designated secret (applied by the officer, reviewed, approved)."""

    def make(members=members, **fields):
        secret = application(members["officer"], **fields)
        actions.secret_review(
            member=members["officer"], secret=secret, decision="pass", searched="专利库", found="未找到"
        )
        actions.secret_approve(member=members["manager"], secret=secret, approve=True)
        secret.refresh_from_db()
        return secret

    return make


def _notes(user):
    return list(Notification.objects.filter(recipient=user).order_by("id"))


class TestWhatIsDue:
    def test_periods_ending_within_the_horizon_both_ends_included(
        self, members, application, designate, horizon, today
    ):
        on_last_day = designate(name="最后一天", period_kind="date", period_until=today + timedelta(days=10))
        tomorrow = designate(name="明天到期", period_kind="date", period_until=today + timedelta(days=1))
        designate(name="第十一天", period_kind="date", period_until=today + timedelta(days=11))
        designate(name="长期", period_kind="long_term")
        application(
            members["officer"], name="未定密", period_kind="date", period_until=today + timedelta(days=2)
        )

        due = due_for(members["officer"].organisation, today)
        section = due.sections["periods"]
        assert section.count == 2
        assert section.lines == [
            f"{tomorrow.code} 明天到期，保密期限至 {tomorrow.period_until.isoformat()}",
            f"{on_last_day.code} 最后一天，保密期限至 {on_last_day.period_until.isoformat()}",
        ]
        assert section.link == f"/registry/?state=designated&ending_within={HORIZON}"
        # Day D reminds of periods ending on D … D+10: the one ending on D itself is in, D+11 is not.
        org = members["officer"].organisation
        assert due_for(org, today + timedelta(days=1)).count("periods") == 3  # ends on D, D+9, D+10
        assert due_for(org, today + timedelta(days=2)).count("periods") == 2  # the one of D-1 is out
        assert due_for(org, today - timedelta(days=1)).count("periods") == 1  # D+11 is out
        assert due_for(org, today + timedelta(days=12)).count("periods") == 0

    def test_grants_expiring_within_the_horizon(self, members, designate, horizon, today):
        secret = designate(name="授权测试")
        officer, employee = members["officer"], members["employee"]
        last_day = actions.grant_add(
            member=officer,
            secret=secret,
            user=employee.user,
            reason="试制",
            expires_on=today + timedelta(days=10),
        )
        actions.grant_add(
            member=officer,
            secret=secret,
            position="工艺工程师",
            reason="岗位",
            expires_on=today + timedelta(days=11),
        )
        actions.grant_add(member=officer, secret=secret, user=members["manager"].user, reason="审阅")
        revoked = actions.grant_add(
            member=officer,
            secret=secret,
            position="质检员",
            reason="抽检",
            expires_on=today + timedelta(days=3),
        )
        actions.grant_revoke(member=officer, grant=revoked)

        section = due_for(officer.organisation, today).sections["grants"]
        assert section.count == 1
        assert section.lines == [
            f"{secret.code} 授权测试：{employee.user.name} 的知悉授权 {last_day.expires_on.isoformat()} 到期"
        ]
        later = due_for(officer.organisation, today + timedelta(days=1)).sections["grants"]
        assert later.count == 2
        position = f"{secret.code} 授权测试：岗位“工艺工程师” 的知悉授权 {today + timedelta(days=11)} 到期"
        assert later.lines[1] == position

    def test_active_unmarked_carriers_of_open_secrets(self, members, designate, horizon, today):
        officer = members["officer"]
        secret = designate(name="载体测试")
        unmarked = actions.carrier_add(member=officer, secret=secret, kind="paper", name="未标识件")
        marked = actions.carrier_add(member=officer, secret=secret, kind="paper", name="已标识件")
        actions.carrier_mark(member=officer, carrier=marked)
        destroyed = actions.carrier_add(member=officer, secret=secret, kind="paper", name="已销毁件")
        actions.carrier_destroy(
            member=officer, carrier=destroyed, method="shred", witness="王", destroyed_on=today
        )
        old = designate(name="已解密")
        actions.carrier_add(member=officer, secret=old, kind="paper", name="解密后无需标识")
        actions.secret_declassify(member=officer, secret=old, reason="published", note="已公开")

        section = due_for(officer.organisation, today).sections["unmarked"]
        assert (section.count, section.lines) == (1, [f"{unmarked.code} 未标识件（{secret.code}）"])
        assert section.link == "/registry/?unmarked=1"

    def test_applications_waiting(self, members, application, horizon, today):
        applied = [application(members["employee"], name=f"申请{n}") for n in range(3)]
        actions.secret_review(
            member=members["officer"], secret=applied[0], decision="pass", searched="专利库", found="未找到"
        )
        due = due_for(members["officer"].organisation, today)
        assert due.count("review") == 2 and due.count("approval") == 1
        day = timezone.localdate(applied[1].created_at).isoformat()
        assert due.sections["review"].lines == [
            f"{applied[1].code} 申请1（{day} 申请）",
            f"{applied[2].code} 申请2（{day} 申请）",
        ]
        assert due.sections["approval"].lines == [f"{applied[0].code} 申请0（{day} 申请）"]
        assert due.sections["review"].link == "/registry/?state=applied"
        assert due.sections["approval"].link == "/registry/?state=reviewed"

    def test_nothing_due(self, members, designate, horizon, today):
        designate(name="长期", period_kind="long_term")
        assert due_for(members["officer"].organisation, today).empty


class TestNotifications:
    def test_one_digest_per_officer_and_admin_and_the_approvals_for_managers(
        self, members, application, designate, horizon, today
    ):
        ending = designate(name="即将届满", period_kind="date", period_until=today + timedelta(days=5))
        carrier = actions.carrier_add(member=members["officer"], secret=ending, kind="paper", name="工艺卡")
        waiting = application(members["employee"], name="待审申请")

        report = run_reminders(day=today)
        assert not report.already_ran
        assert report.notified == 2  # officer and admin; the manager has no approvals waiting
        title = "台账提醒：保密期限届满 1 项，载体未标识 1 项，待审查 1 项"
        body = "\n\n".join(
            [
                f"保密期限将在 10 天内届满（1 项）：\n· {ending.code} 即将届满，保密期限至 {ending.period_until}",
                f"载体未标识（1 项）：\n· {carrier.code} 工艺卡（{ending.code}）",
                f"定密申请待审查（1 项）：\n· {waiting.code} 待审申请（{today.isoformat()} 申请）",
            ]
        )
        for role in ("officer", "admin"):
            [note] = _notes(members[role].user)
            assert (note.title, note.body, note.level) == (title, body, "warning")
            assert note.link == f"/registry/?state=designated&ending_within={HORIZON}"
            assert note.organisation == members[role].organisation
        assert _notes(members["manager"].user) == []
        assert _notes(members["employee"].user) == []
        assert ReminderRun.objects.get(day=today).notified == 2

    def test_managers_are_told_of_approvals(self, members, application, horizon, today):
        secret = application(members["employee"], name="待批申请")
        actions.secret_review(
            member=members["officer"], secret=secret, decision="pass", searched="专利库", found="未找到"
        )
        run_reminders(day=today)
        [note] = _notes(members["manager"].user)
        assert note.title == "台账提醒：待批准 1 项"
        assert note.body == f"定密申请待批准（1 项）：\n· {secret.code} 待批申请（{today.isoformat()} 申请）"
        assert note.link == "/registry/?state=reviewed"
        [officer_note] = _notes(members["officer"].user)
        assert officer_note.title == "台账提醒：待批准 1 项"

    def test_the_designation_group_is_told_of_what_each_has_not_reviewed(
        self, members, make_member, application, today
    ):
        org = members["officer"].organisation
        reviewer = make_member(org, "employee", name="审查员甲")
        actions.policy_update(
            member=members["officer"],
            code_pattern="{ORG}-{YEAR}-{NNNN}",
            reviewers=[reviewer, members["manager"].user],
            reviews_required=2,
            reminder_days=HORIZON,
        )
        first = application(members["employee"], name="甲申请")
        second = application(members["employee"], name="乙申请")
        reviewer_member = Membership.objects.select_related("organisation", "user").get(user=reviewer)
        actions.secret_review(
            member=reviewer_member, secret=first, decision="pass", searched="专利库", found="未找到"
        )
        run_reminders(day=today)
        [note] = _notes(reviewer)
        assert note.title == "台账提醒：待审查 1 项"
        assert note.body == f"定密申请待审查（1 项）：\n· {second.code} 乙申请（{today.isoformat()} 申请）"
        [manager_note] = _notes(members["manager"].user)
        assert manager_note.title == "台账提醒：待审查 2 项"
        [officer_note] = _notes(members["officer"].user)
        assert officer_note.title == "台账提醒：待审查 2 项"
        assert _notes(members["employee"].user) == []

    def test_long_lists_are_capped(self, members, designate, horizon, today):
        secret = designate(name="多载体")
        carriers = [
            actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name=f"件{n:02d}")
            for n in range(13)
        ]
        run_reminders(day=today)
        [note] = _notes(members["officer"].user)
        assert note.title == "台账提醒：载体未标识 13 项"
        lines = note.body.split("\n")
        assert lines[0] == "载体未标识（13 项）："
        assert lines[1:11] == [f"· {c.code} {c.name}（{secret.code}）" for c in carriers[:10]]
        assert lines[11:] == ["…及另外 3 项"]

    def test_nothing_is_sent_when_nothing_is_due(self, members, designate, horizon, today):
        designate(name="长期", period_kind="long_term")
        report = run_reminders(day=today)
        assert report.notified == 0
        assert Notification.objects.count() == 0
        assert ReminderRun.objects.get(day=today).notified == 0

    def test_another_organisations_items_never_appear(
        self, members, other_enterprise, designate, horizon, today
    ):
        other_org, other_people = other_enterprise
        other = {
            role: Membership.objects.select_related("organisation", "user").get(
                user=user, organisation=other_org
            )
            for role, user in other_people.items()
        }
        mine = designate(name="甲的秘密", period_kind="date", period_until=today + timedelta(days=3))
        theirs = designate(
            members=other, name="乙的秘密", period_kind="date", period_until=today + timedelta(days=3)
        )
        their_carrier = actions.carrier_add(
            member=other["officer"], secret=theirs, kind="paper", name="乙的图纸"
        )

        report = run_reminders(day=today)
        counts = {o.code: o.counts for o in report.organisations}
        assert counts[members["officer"].organisation.short_code]["periods"] == 1
        assert counts[members["officer"].organisation.short_code]["unmarked"] == 0
        assert counts[other_org.short_code]["periods"] == 1
        assert counts[other_org.short_code]["unmarked"] == 1
        for role in ("officer", "admin"):
            [note] = _notes(members[role].user)
            text = note.title + note.body + note.link
            assert mine.code in text
            for foreign in (theirs.code, "乙的秘密", their_carrier.code, "乙的图纸"):
                assert foreign not in text
            [their_note] = _notes(other_people[role])
            assert their_note.organisation == other_org
            their_text = their_note.title + their_note.body
            assert theirs.code in their_text and their_carrier.code in their_text
            assert mine.code not in their_text and "甲的秘密" not in their_text


class TestOncePerDay:
    def test_a_second_run_the_same_day_sends_nothing_and_says_so(self, members, designate, horizon, today):
        designate(name="即将届满", period_kind="date", period_until=today + timedelta(days=5))
        first = run_reminders(day=today)
        assert (first.already_ran, first.notified) == (False, 2)
        count = Notification.objects.count()
        second = run_reminders(day=today)
        assert second.already_ran is True
        assert second.notified == 2  # what the day's run sent
        assert second.organisations == []
        assert Notification.objects.count() == count
        # The next day is a new day.
        assert run_reminders(day=today + timedelta(days=1)).notified == 2
        assert Notification.objects.count() == count + 2

    def test_a_dry_run_or_one_organisation_sends_nothing_and_leaves_the_day_open(
        self, members, designate, horizon, today
    ):
        from shangmi.apps.accounts.models import Organisation

        designate(name="即将届满", period_kind="date", period_until=today + timedelta(days=5))
        org = members["officer"].organisation
        preview = run_reminders(day=today, dry_run=True)
        assert (preview.dry_run, preview.notified) == (True, 2)
        one = run_reminders(day=today, organisations=Organisation.objects.filter(pk=org.pk))
        assert one.dry_run is True
        assert [(o.code, o.counts["periods"], o.notified) for o in one.organisations] == [
            (org.short_code, 1, 2)
        ]
        assert Notification.objects.count() == 0
        assert not ReminderRun.objects.exists()
        assert run_reminders(day=today).notified == 2
