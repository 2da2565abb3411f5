"""Helpers for the self-check tests: members, a finished self-check, a second small framework."""

from __future__ import annotations

from pathlib import Path

from shangmi.apps.accounts.models import Membership
from shangmi.apps.assessment import actions
from shangmi.apps.assessment.queries import framework_of

MINI_FRAMEWORK = """
key: mini
version: "1.0"
name: 迷你体检
name_en: Mini check
description: 测试用的小框架
measures: {1: 保密协议, 2: 保密要求, 3: 场所, 4: 载体, 5: 设备, 6: 离职, 7: 其他}
chapters: {matters: 事项管理, self_protection: 自主保护, rights: 维权, cooperation: 协同保护}
domains:
  - {key: a, name: 甲领域, name_en: Domain A, description: 甲}
  - {key: b, name: 乙领域, name_en: Domain B, description: 乙}
questions:
  - id: a-one
    domain: a
    text: 第一题
    weight: 4
    importance: mandatory
    choices: [{key: "yes", label: 是, score: 100}, {key: partial, label: 部分, score: 50}, {key: "no", label: 否, score: 0}]
    evidence: 证据一
    recommendation: 建议一
    measures: [1, 2, 3, 4]
    chapters: [matters, self_protection]
  - id: a-two
    domain: a
    text: 第二题
    weight: 1
    importance: recommended
    choices: [{key: "yes", label: 是, score: 100}, {key: "no", label: 否, score: 0}, {key: na, label: 不适用, score: null}]
    evidence: 证据二
    recommendation: 建议二
    measures: [5, 6, 7]
    chapters: [rights, cooperation]
  - id: b-one
    domain: b
    text: 第三题
    weight: 2
    importance: mandatory
    choices: [{key: "yes", label: 是, score: 100}, {key: partial, label: 部分, score: 50}, {key: "no", label: 否, score: 0}]
    evidence: 证据三
    recommendation: 建议三
    measures: [1]
    chapters: [matters]
    system:
      fact: officers
      rules: [{choice: "yes", count_at_least: 1}, {choice: "no", count_at_least: 0}]
"""


def write_mini(directory: Path, version: str = "1.0") -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"mini-{version}.yaml"
    path.write_text(MINI_FRAMEWORK.replace('version: "1.0"', f'version: "{version}"'), encoding="utf-8")
    return path


def member_of(user, org) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)


def answer_all(member, assessment, choice: str = "yes") -> None:
    """Answer every question with `choice` where the question has it (else its best choice), giving a
    reason wherever that differs from the platform's proposal."""
    framework = framework_of(assessment)
    for q in framework.questions:
        key = choice if q.choice(choice) else max(q.choices, key=lambda c: c.score or -1).key
        actions.answer_save(
            member=member,
            assessment=assessment,
            question_id=q.id,
            choice=key,
            override_reason="测试：人工核实",
        )


def finished(member, *, choice: str = "yes", framework: str = "shangmi", shared=False, declares=False):
    assessment = actions.assessment_start(member=member, framework_key=framework)
    answer_all(member, assessment, choice)
    return actions.assessment_submit(
        member=member, assessment=assessment, shared_with_regulator=shared, declares_standard=declares
    )
