"""Self-checks in the demo: the demo enterprise's first self-check, submitted with the platform's proposals
and reviewed by the demo law firm, and six small Shaoxing enterprises (one per county-level bureau) that
shared their scores, so the city bureau's 辖区体检概况 has something to show. Made through the real
actions, so every step has its record deposited. Loaded once (skipped if the enterprise has any)."""

from __future__ import annotations

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.assessment import actions
from shangmi.apps.assessment.models import Assessment
from shangmi.apps.assessment.queries import answers_of, framework_of

# Fictional enterprises of the Shaoxing districts: (name, short code, county code, industry, level).
# `level` picks each answer: the first `level` tenths of every domain's questions get the best choice,
# the rest a middling or failing one, so the scores spread over the bands.
SHAOXING_ENTERPRISES = [
    ("绍兴越秀纺织印染有限公司", "SXFZ01", "330602", "纺织印染", 8),
    ("柯桥锦程轻纺科技有限公司", "SXFZ02", "330603", "纺织印染", 6),
    ("上虞精研化工有限公司", "SXHG01", "330604", "精细化工", 7),
    ("诸暨明珠珍珠饰品有限公司", "SXZZ01", "330681", "珍珠饰品", 3),
    ("嵊州领航厨具电器有限公司", "SXDQ01", "330683", "厨具电器", 5),
    ("新昌恒远轴承有限公司", "SXZC01", "330624", "轴承制造", 6),
]


def _answer_by_level(member, assessment, level: int) -> None:
    """Answer the questions still open (the platform's accepted proposals stay as they are)."""
    framework = framework_of(assessment)
    answered = answers_of(assessment)
    for domain in framework.domains:
        questions = framework.questions_of(domain.key)
        for i, q in enumerate(questions):
            if q.id in answered:
                continue
            ranked = sorted((c for c in q.choices if c.score is not None), key=lambda c: -c.score)
            good = i * 10 < level * len(questions)
            choice = ranked[0] if good else ranked[min(1, len(ranked) - 1) if i % 2 else -1]
            actions.answer_save(
                member=member,
                assessment=assessment,
                question_id=q.id,
                choice=choice.key,
                override_reason="演示数据：按企业自查情况填写",
            )


def _own_self_check(officer, lawyer) -> None:
    assessment = actions.assessment_start(
        member=officer, framework_key="shangmi", title="首次商业秘密保护自我体检"
    )
    actions.proposals_accept(member=officer, assessment=assessment)
    _answer_by_level(officer, assessment, 7)
    assessment = actions.assessment_submit(
        member=officer, assessment=assessment, shared_with_regulator=True, declares_standard=True
    )
    assessment = actions.assessment_invite(
        member=officer, assessment=assessment, reviewer=lawyer.organisation
    )
    actions.assessment_review(
        member=lawyer,
        assessment=assessment,
        opinion="保密组织与台账基础较好；离职管理和涉密区域管控存在差距，建议按报告所列顺序整改，半年后复查。",
    )


def load_assessments(org: Organisation, create_member) -> None:
    """`create_member(name, short_code, region, industry, email)` makes a Shaoxing enterprise with its
    secrecy officer and returns the officer's membership."""
    if Assessment.objects.filter(organisation=org).exists():
        return
    officer = Membership.objects.select_related("user", "organisation").get(
        organisation=org, user__email="officer@lanxi.example"
    )
    lawyer = Membership.objects.select_related("user", "organisation").get(
        user__email="lawyer@mingheng.example"
    )
    _own_self_check(officer, lawyer)
    for number, (name, code, region, industry, level) in enumerate(SHAOXING_ENTERPRISES, start=1):
        member = create_member(name, code, region, industry, f"officer@sx-demo{number}.example")
        assessment = actions.assessment_start(member=member, framework_key="shangmi")
        _answer_by_level(member, assessment, level)
        actions.assessment_submit(
            member=member, assessment=assessment, shared_with_regulator=True, declares_standard=level >= 7
        )
