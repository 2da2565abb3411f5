"""示范点 readiness (art. 10 of the Shaoxing guide): every condition met on a ready enterprise, each one
failing alone, unknown where nothing was answered and the platform has no data, a fact alone deciding
"not met", and the evidence lines quoting the facts and the self-check's answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone, translation

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.accounts.models import Membership
from shangmi.apps.assessment.models import Answer, Assessment
from shangmi.apps.assessment.readiness import readiness, readiness_met
from shangmi.apps.people.actions import trainings
from shangmi.apps.people.models import Employee, Position

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
KEYS = ["organisation", "guarantee", "rules", "training", "key_positions", "no_infringement"]
QUESTIONS = [
    "org-leading-group",
    "org-funding",
    "rules-standard",
    "rules-annual-plan",
    "incident-plan",
    "emp-annual-training",
    "emp-key-positions",
    "remedy-no-infringement",
]
ALL_YES = dict.fromkeys(QUESTIONS, "yes")
# 18:00 UTC is 02:00 the next day in Shanghai: the evidence names the local day.
SUBMITTED = datetime(2026, 11, 20, 18, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.EVIDENCE_TSA_URL = ""
    with translation.override("zh-hans"):
        yield


def member(org, role) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(organisation=org, role=role)


def self_check(org, answers: dict[str, str], framework_data=None) -> Assessment:
    assessment = Assessment.objects.create(
        organisation=org,
        title="2026 年度自我体检",
        framework_key="zj-standard",
        framework_version="1.0",
        framework_name="浙江省地方标准自我体检",
        framework_sha256="0" * 64,
        framework_data=framework_data or {},
        state="submitted",
        submitted_at=SUBMITTED,
    )
    Answer.objects.bulk_create(
        Answer(assessment=assessment, question_id=q, choice=c) for q, c in answers.items()
    )
    return assessment


def staff(org, number, *, position=None, key=False, trained=None) -> Employee:
    """An employed person, present at `trained` (a training session) when given."""
    employee = Employee.objects.create(
        organisation=org,
        number=number,
        name=f"员工{number}",
        position=position,
        is_key_person=key,
        state="employed",
        hired_on=TODAY - timedelta(days=800),
    )
    if trained is not None:
        trainings.attendance_record(member=member(org, "officer"), training=trained, employee=employee)
    return employee


@pytest.fixture
def ready(enterprise, other_enterprise):
    """An enterprise whose platform data meets every condition it can show: an officer, both employed
    entrusted people trained this year, their position graded. The other enterprise has none of it."""
    org = enterprise[0]
    session = trainings.training_add(
        member=member(org, "officer"), topic="全员保密轮训", held_on=TODAY, trainer="王老师"
    )
    core = Position.objects.create(organisation=org, name="工艺工程师", sensitivity="core")
    staff(org, "E1", position=core, trained=session)
    staff(org, "E2", position=core, key=True, trained=session)
    other = other_enterprise[0]
    staff(other, "X1", position=Position.objects.create(organisation=other, name="工艺"), key=True)
    return org, session, core


def met(criteria) -> dict[str, bool | None]:
    return {c.key: c.met for c in criteria}


def test_every_condition_met(ready, other_enterprise):
    org, _session, _core = ready
    criteria = readiness(org.pk, TODAY, self_check(org, ALL_YES))
    assert [c.key for c in criteria] == KEYS
    assert [c.article for c in criteria] == [
        "第十条（一）",
        "第十条（二）",
        "第十条（三）",
        "第十条（三）",
        "第十条（四）",
        "第十条（五）",
    ]
    assert met(criteria) == dict.fromkeys(KEYS, True) and readiness_met(criteria)
    by_key = {c.key: c for c in criteria}
    assert by_key["organisation"].evidence == [
        "专（兼）职保密员：1 人",
        "自我体检 2026-11-21：是否成立由主要负责人牵头的商业秘密保护工作领导小组 — 是",
    ]
    assert by_key["training"].evidence == [
        "近12个月保密培训：1 次",
        "近12个月参加保密培训的在职员工：100%（2/2）",
    ]
    assert by_key["key_positions"].evidence == ["涉密人员所在岗位已定涉密等级：100%（1/1）"]
    assert len(by_key["rules"].evidence) == 3
    assert (by_key["organisation"].url, by_key["training"].url, by_key["key_positions"].url) == (
        "/accounts/members/",
        "/people/trainings/",
        "/people/positions/",
    )
    # A self-check is read only for its own organisation.
    with pytest.raises(ValueError):
        readiness(org.pk, TODAY, self_check(other_enterprise[0], ALL_YES))


def _no_officer(org, session, core):
    officer = member(org, "officer")
    accounts.membership_deactivate(actor=member(org, "admin").user, membership=officer)


def _untrained(org, session, core):
    staff(org, "E3", position=core)  # 2 of 3 trained: below 95%


def _ungraded(org, session, core):
    staff(
        org, "E3", position=Position.objects.create(organisation=org, name="销售"), key=True, trained=session
    )


FAILURES = {
    "organisation": ({"org-leading-group": "partial"}, None),
    "organisation-no-officer": ({}, _no_officer),
    "guarantee": ({"org-funding": "no"}, None),
    "rules": ({"incident-plan": "no"}, None),
    "training": ({}, _untrained),
    "key_positions": ({}, _ungraded),
    "no_infringement": ({"remedy-no-infringement": "no"}, None),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_each_condition_failing_alone(ready, case):
    org, session, core = ready
    answers, change = FAILURES[case]
    if change is not None:
        change(org, session, core)
    criteria = readiness(org.pk, TODAY, self_check(org, {**ALL_YES, **answers}))
    failing = case.split("-")[0]
    assert met(criteria) == {key: key != failing for key in KEYS}
    assert not readiness_met(criteria)


def test_unknown_when_nothing_is_answered_and_no_data(enterprise):
    org = enterprise[0]
    criteria = readiness(org.pk, TODAY)
    assert met(criteria) == dict.fromkeys(KEYS)
    assert not readiness_met(criteria)
    by_key = {c.key: c for c in criteria}
    assert by_key["guarantee"].evidence == [
        "尚无已提交的自我体检：是否有固定办公场所、必要的办公设施并落实工作经费 — 未作答"
    ]
    assert by_key["training"].evidence == [
        "近12个月保密培训：0 次",
        "近12个月参加保密培训的在职员工：无在职员工（0/0）",
        "尚无已提交的自我体检：是否每年组织全员商业秘密保护轮训不少于1次 — 未作答",
    ]
    assert by_key["guarantee"].url == "/assessment/"
    # A self-check with blank answers is no better.
    blank = self_check(org, dict.fromkeys(QUESTIONS, ""))
    criteria = readiness(org.pk, TODAY, blank)
    assert met(criteria) == dict.fromkeys(KEYS)
    assert {c.key: c.url for c in criteria}["rules"] == f"/assessment/{blank.pk}/"
    assert {c.key: c.evidence for c in criteria}["no_infringement"] == [
        "自我体检 2026-11-21：近2年来是否未发生侵犯他人商业秘密行为 — 未作答"
    ]


def test_facts_alone_decide_not_met(enterprise):
    org = enterprise[0]
    accounts.membership_deactivate(actor=member(org, "admin").user, membership=member(org, "officer"))
    staff(org, "E1", position=Position.objects.create(organisation=org, name="销售"), key=True)
    criteria = readiness(org.pk, TODAY)
    assert met(criteria) == {
        "organisation": False,  # no officer
        "guarantee": None,
        "rules": None,
        "training": False,  # staff registered, nobody trained, no session
        "key_positions": False,  # the key person's position has no grade
        "no_infringement": None,
    }


def test_answers_decide_where_the_platform_has_no_data(enterprise):
    org = enterprise[0]
    data = {
        "questions": [
            {
                "id": "emp-key-positions",
                "text": "重点岗位是否分级管理？",
                "choices": [{"key": "yes", "label": "已分级"}, {"key": "no", "label": "未分级"}],
            }
        ]
    }
    criteria = readiness(org.pk, TODAY, self_check(org, ALL_YES, data))
    assert met(criteria) == dict.fromkeys(KEYS, True)
    assert {c.key: c.evidence for c in criteria}["key_positions"] == [
        "涉密人员所在岗位已定涉密等级：无涉密人员所在岗位（0/0）",
        "自我体检 2026-11-21：重点岗位是否分级管理？ — 已分级",
    ]
    partly = {**ALL_YES, "emp-annual-training": "partial", "emp-key-positions": "no", "rules-standard": ""}
    assert met(readiness(org.pk, TODAY, self_check(org, partly))) == {
        "organisation": True,
        "guarantee": True,
        "rules": None,  # one of three unanswered, none refused
        "training": False,
        "key_positions": False,
        "no_infringement": True,
    }
    refused = {**partly, "rules-annual-plan": "no"}
    assert met(readiness(org.pk, TODAY, self_check(org, refused)))["rules"] is False
