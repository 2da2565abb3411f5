"""The self-check's steps through its actions: start, proposals, answers with reasons, submit, invite,
review; each refusal explains itself and changes nothing."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from shangmi.apps.accounts.models import Notification
from shangmi.apps.assessment import actions
from shangmi.apps.assessment.models import Answer, Assessment, AssessmentEvent
from shangmi.apps.assessment.queries import answers_of, framework_of
from shangmi.apps.assessment.tests.support import answer_all, finished, member_of, write_mini
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db


def test_start_copies_the_framework_and_deposits_a_record(officer, mini):
    a = actions.assessment_start(member=officer, framework_key="mini")
    assert (a.framework_key, a.framework_version, a.state) == ("mini", "1.0", "draft")
    assert [q["id"] for q in a.framework_data["questions"]] == ["a-one", "a-two", "b-one"]
    assert a.title.endswith("年度商业秘密保护自我体检")
    event = AssessmentEvent.objects.get(assessment=a)
    assert event.kind == "start"
    assert json.loads(event.record)["framework"] == "mini@1.0"
    assert event.deposit.sha256 == digest_bytes(event.record.encode()).sha256
    assert AuditEvent.objects.filter(verb="assessment.start", object_id=str(a.pk)).count() == 1


def test_a_second_draft_is_refused(officer, mini):
    actions.assessment_start(member=officer, framework_key="mini")
    with pytest.raises(ValidationError, match="草稿"):
        actions.assessment_start(member=officer, framework_key="mini")
    assert Assessment.objects.count() == 1


def test_only_officer_and_admin_run_self_checks(enterprise, mini):
    org, people = enterprise
    for role in ("manager", "employee"):
        with pytest.raises(PermissionDenied):
            actions.assessment_start(member=member_of(people[role], org), framework_key="mini")
    assert not Assessment.objects.exists()


def test_an_answer_that_differs_from_the_proposal_needs_a_reason(officer, mini):
    a = actions.assessment_start(member=officer, framework_key="mini")
    # The enterprise has one officer, so the platform proposes "yes" for b-one.
    with pytest.raises(ValidationError) as refused:
        actions.answer_save(member=officer, assessment=a, question_id="b-one", choice="no")
    assert "override_reason" in refused.value.message_dict
    assert "是" in refused.value.message_dict["override_reason"][0]
    assert not Answer.objects.exists()
    x = actions.answer_save(
        member=officer, assessment=a, question_id="b-one", choice="no", override_reason="兼职"
    )
    assert (x.source, x.proposed_choice, x.override_reason) == ("overridden", "yes", "兼职")
    assert x.proposed_figure.endswith("1 名") or "1" in x.proposed_figure
    x = actions.answer_save(
        member=officer, assessment=a, question_id="b-one", choice="yes", override_reason="x"
    )
    assert (x.source, x.override_reason) == ("system", "")
    assert Answer.objects.count() == 1
    x = actions.answer_save(
        member=officer, assessment=a, question_id="a-one", choice="partial", note="制度草拟中"
    )
    assert (x.source, x.proposed_choice, x.note) == ("officer", "", "制度草拟中")


@pytest.mark.parametrize(
    "question,choice,field",
    [("zz-none", "yes", "question"), ("a-one", "maybe", "choice"), ("a-one", "", "choice")],
)
def test_bad_answers_name_the_field(officer, mini, question, choice, field):
    a = actions.assessment_start(member=officer, framework_key="mini")
    with pytest.raises(ValidationError) as refused:
        actions.answer_save(member=officer, assessment=a, question_id=question, choice=choice)
    assert field in refused.value.message_dict
    assert not Answer.objects.exists()


def test_accepting_proposals_answers_only_unanswered_system_questions(officer, mini):
    a = actions.assessment_start(member=officer, framework_key="mini")
    assert actions.proposals_accept(member=officer, assessment=a) == 1
    assert answers_of(a) == {"b-one": "yes"}
    assert actions.proposals_accept(member=officer, assessment=a) == 0


def test_submit_needs_every_answer_then_freezes_scores(officer, mini):
    a = actions.assessment_start(member=officer, framework_key="mini")
    actions.answer_save(member=officer, assessment=a, question_id="a-one", choice="partial")
    with pytest.raises(ValidationError, match="还有 2 题未作答"):
        actions.assessment_submit(
            member=officer, assessment=a, shared_with_regulator=True, declares_standard=True
        )
    a.refresh_from_db()
    assert a.state == "draft" and a.score is None and not a.shared_with_regulator
    actions.answer_save(member=officer, assessment=a, question_id="a-two", choice="yes")
    actions.answer_save(member=officer, assessment=a, question_id="b-one", choice="yes")
    a = actions.assessment_submit(
        member=officer, assessment=a, shared_with_regulator=True, declares_standard=False
    )
    assert (a.state, a.score, a.domain_scores) == ("submitted", 71.4, {"a": 60.0, "b": 100.0})
    assert a.shared_with_regulator and not a.declares_standard
    record = json.loads(AssessmentEvent.objects.get(assessment=a, kind="submit").record)
    assert record["data"]["answers"] == {"a-one": "partial", "a-two": "yes", "b-one": "yes"}
    assert record["data"]["score"] == 71.4
    with pytest.raises(ValidationError, match="已提交"):
        actions.answer_save(member=officer, assessment=a, question_id="a-one", choice="yes")
    assert answers_of(a)["a-one"] == "partial"


def test_framework_changes_do_not_touch_a_started_self_check(officer, settings, tmp_path):
    directory = tmp_path / "frameworks"
    settings.ASSESSMENT_FRAMEWORK_DIRS = [directory]
    path = write_mini(directory)
    a = actions.assessment_start(member=officer, framework_key="mini")
    path.write_text(path.read_text(encoding="utf-8").replace("第一题", "改过的第一题"), encoding="utf-8")
    a.refresh_from_db()
    assert framework_of(a).question("a-one").text == "第一题"


def test_invite_and_review(enterprise, make_org, make_member, mini):
    org, people = enterprise
    officer = member_of(people["officer"], org)
    firm = make_org("provider", name="某律所")
    lawyer = member_of(make_member(firm, "lawyer"), firm)
    admin = member_of(make_member(firm, "admin"), firm)
    outsider_org = make_org("provider", name="另一机构")
    outsider = member_of(make_member(outsider_org, "lawyer"), outsider_org)
    a = finished(officer, framework="mini")
    a = actions.assessment_invite(member=officer, assessment=a, reviewer=firm)
    assert Notification.objects.filter(recipient=admin.user, title__contains=org.name).exists()
    with pytest.raises(PermissionDenied):
        actions.assessment_review(member=outsider, assessment=a, opinion="好")
    with pytest.raises(ValidationError) as refused:
        actions.assessment_review(member=lawyer, assessment=a, opinion="  ")
    assert "opinion" in refused.value.message_dict
    a = actions.assessment_review(member=lawyer, assessment=a, opinion="制度齐全，建议加强离职管理。")
    assert (a.state, a.reviewed_by, a.review_opinion) == (
        "reviewed",
        lawyer.user,
        "制度齐全，建议加强离职管理。",
    )
    assert [e.kind for e in a.events.order_by("at", "pk")] == ["start", "submit", "invite", "review"]
    assert Notification.objects.filter(recipient=people["officer"], title__contains="某律所").exists()
    assert AuditEvent.objects.filter(verb="assessment.review", organisation=firm).count() == 1
    with pytest.raises(ValidationError):
        actions.assessment_review(member=lawyer, assessment=a, opinion="再评一次")


def test_invite_refuses_an_enterprise_and_a_draft(enterprise, other_enterprise, mini):
    org, people = enterprise
    officer = member_of(people["officer"], org)
    draft = actions.assessment_start(member=officer, framework_key="mini")
    with pytest.raises(ValidationError):
        actions.assessment_invite(member=officer, assessment=draft, reviewer=other_enterprise[0])
    answer_all(officer, draft)
    done = actions.assessment_submit(
        member=officer, assessment=draft, shared_with_regulator=False, declares_standard=False
    )
    with pytest.raises(ValidationError) as refused:
        actions.assessment_invite(member=officer, assessment=done, reviewer=other_enterprise[0])
    assert "reviewer" in refused.value.message_dict
    done.refresh_from_db()
    assert done.reviewer_organisation is None


def test_the_shipped_framework_runs_end_to_end(officer):
    a = finished(officer, choice="yes")
    assert a.score == 100.0
    assert set(a.domain_scores) == {d.key for d in framework_of(a).domains}
    assert Deposit.objects.filter(organisation=officer.organisation, kind="record").count() == 2


def test_only_a_draft_can_be_discarded(officer, mini):
    a = actions.assessment_start(member=officer, framework_key="mini")
    actions.answer_save(member=officer, assessment=a, question_id="a-one", choice="yes")
    actions.assessment_discard(member=officer, assessment=a)
    assert not Assessment.objects.exists() and not Answer.objects.exists()
    assert AuditEvent.objects.filter(verb="assessment.discard").count() == 1
    done = finished(officer, framework="mini")
    with pytest.raises(ValidationError, match="已提交"):
        actions.assessment_discard(member=officer, assessment=done)
    assert Assessment.objects.filter(pk=done.pk).exists()
