"""示范点 readiness: the conditions of art. 10 of the Shaoxing guide (《绍兴市商业秘密保护基地建设指南（试行）》,
annex 2 of 绍市监管竞争〔2021〕4号) for a municipal demonstration point (市级商业秘密保护示范点), each shown as met / not met / unknown with its evidence.

Where the platform holds the data (officers, training, graded positions) the facts decide; elsewhere the
enterprise's answers in its latest self-check do. A condition needing an answer that was not given is
unknown (None), unless a fact alone already shows it not met. Reads only.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.apps.assessment.facts import compute_facts

YES = "yes"
TRAINED_SHARE = 0.95  # 全员轮训: at least 95% of the staff trained in the last twelve months

# The question's words when the self-check's stored framework does not hold it.
QUESTION_TEXT = {
    "org-leading-group": gettext_lazy("是否成立由主要负责人牵头的商业秘密保护工作领导小组"),
    "org-funding": gettext_lazy("是否有固定办公场所、必要的办公设施并落实工作经费"),
    "rules-standard": gettext_lazy("是否贯彻实施省级地方标准、完善内部管理制度"),
    "rules-annual-plan": gettext_lazy("是否制定商业秘密保护培训宣传等年度工作方案"),
    "incident-plan": gettext_lazy("是否建立泄密应急处置和奖惩等管理制度"),
    "emp-annual-training": gettext_lazy("是否每年组织全员商业秘密保护轮训不少于1次"),
    "emp-key-positions": gettext_lazy("是否确定重点岗位并实行分级管理"),
    "remedy-no-infringement": gettext_lazy("近2年来是否未发生侵犯他人商业秘密行为"),
}
CHOICE_LABELS = {
    "yes": gettext_lazy("是"),
    "partial": gettext_lazy("部分做到"),
    "no": gettext_lazy("否"),
}


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    article: str
    met: bool | None  # None: unknown (not answered and no data)
    evidence: list[str]
    url: str


class _Answers:
    """The self-check's answers (a blank choice is no answer) and how to quote them."""

    def __init__(self, assessment):
        self.assessment = assessment
        self.choices: dict[str, str] = {}
        self.questions: dict[str, dict] = {}
        self.day = ""
        if assessment is None:
            return
        self.choices = dict(assessment.answers.exclude(choice="").values_list("question_id", "choice"))
        data = assessment.framework_data if isinstance(assessment.framework_data, dict) else {}
        self.questions = {
            q["id"]: q
            for q in data.get("questions") or []
            if isinstance(q, dict) and isinstance(q.get("id"), str)
        }
        when = assessment.submitted_at or assessment.created_at
        self.day = timezone.localdate(when).isoformat()

    def met(self, question_id: str) -> bool | None:
        choice = self.choices.get(question_id)
        return None if choice is None else choice == YES

    def _text(self, question_id: str) -> str:
        text = self.questions.get(question_id, {}).get("text")
        return str(text or QUESTION_TEXT.get(question_id, question_id))

    def _choice_label(self, question_id: str, choice: str) -> str:
        for c in self.questions.get(question_id, {}).get("choices") or []:
            if isinstance(c, dict) and c.get("key") == choice and c.get("label"):
                return str(c["label"])
        return str(CHOICE_LABELS.get(choice, choice))

    def line(self, question_id: str) -> str:
        text = self._text(question_id)
        if self.assessment is None:
            return _("尚无已提交的自我体检：%(question)s — 未作答") % {"question": text}
        choice = self.choices.get(question_id)
        answer = _("未作答") if choice is None else self._choice_label(question_id, choice)
        return _("自我体检 %(day)s：%(question)s — %(answer)s") % {
            "day": self.day,
            "question": text,
            "answer": answer,
        }


def _all(values: list[bool | None]) -> bool | None:
    """False if any is False; else None if any is unknown; else True."""
    if any(v is False for v in values):
        return False
    if any(v is None for v in values):
        return None
    return True


def _assessment_url(assessment) -> str:
    try:
        if assessment is not None:
            return reverse("assessment:detail", args=[assessment.pk])
        return reverse("assessment:list")
    except NoReverseMatch:
        return ""


def readiness(organisation_id: int, today: date, assessment=None) -> list[Criterion]:
    """The art. 10 conditions for `organisation_id` on `today`; `assessment` is its latest submitted or
    reviewed self-check, or None. Four aggregate queries for the facts and one for the answers."""
    if assessment is not None and assessment.organisation_id != organisation_id:
        raise ValueError("the self-check belongs to another organisation")
    facts = compute_facts(
        organisation_id, today, ["officers", "trainings_12m", "staff_trained_12m", "positions_graded"]
    )
    answers = _Answers(assessment)
    self_check = _assessment_url(assessment)
    criteria = []

    officers = facts["officers"]
    criteria.append(
        Criterion(
            key="organisation",
            label=_("组织架构完整：主要负责人牵头的保护工作领导小组，配备专（兼）职保密员不少于1名"),
            article=_("第十条（一）"),
            met=False if officers.numerator < 1 else answers.met("org-leading-group"),
            evidence=[officers.text, answers.line("org-leading-group")],
            url=officers.url,
        )
    )
    criteria.append(
        Criterion(
            key="guarantee",
            label=_("工作保障到位：固定办公场所、必要办公设施和工作经费"),
            article=_("第十条（二）"),
            met=answers.met("org-funding"),
            evidence=[answers.line("org-funding")],
            url=self_check,
        )
    )
    rules = ("rules-standard", "rules-annual-plan", "incident-plan")
    criteria.append(
        Criterion(
            key="rules",
            label=_("制度建设完善：贯彻实施省级地方标准，制定年度工作方案，建立泄密应急处置和奖惩制度"),
            article=_("第十条（三）"),
            met=_all([answers.met(q) for q in rules]),
            evidence=[answers.line(q) for q in rules],
            url=self_check,
        )
    )
    staff, sessions = facts["staff_trained_12m"], facts["trainings_12m"]
    training_evidence = [sessions.text, staff.text]
    if staff.denominator:
        trained = sessions.numerator >= 1 and (staff.ratio or 0) >= TRAINED_SHARE
    else:  # no staff registered: the answer decides
        trained = answers.met("emp-annual-training")
        training_evidence.append(answers.line("emp-annual-training"))
    criteria.append(
        Criterion(
            key="training",
            label=_("每年组织全员商业秘密保护轮训不少于1次"),
            article=_("第十条（三）"),
            met=trained,
            evidence=training_evidence,
            url=staff.url,
        )
    )
    graded = facts["positions_graded"]
    graded_evidence = [graded.text]
    if graded.denominator:
        graded_met: bool | None = graded.numerator == graded.denominator
    else:
        graded_met = answers.met("emp-key-positions")
        graded_evidence.append(answers.line("emp-key-positions"))
    criteria.append(
        Criterion(
            key="key_positions",
            label=_("确定重点岗位和重点人员，实行分级管理"),
            article=_("第十条（四）"),
            met=graded_met,
            evidence=graded_evidence,
            url=graded.url,
        )
    )
    criteria.append(
        Criterion(
            key="no_infringement",
            label=_("近2年来没有发生侵犯他人商业秘密行为"),
            article=_("第十条（五）"),
            met=answers.met("remedy-no-infringement"),
            evidence=[answers.line("remedy-no-infringement")],
            url=self_check,
        )
    )
    return criteria


def readiness_met(criteria: list[Criterion]) -> bool:
    """Every condition met (an unknown one is not)."""
    return all(c.met is True for c in criteria)
