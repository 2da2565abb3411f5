"""Eligibility checklists of arts. 6, 8 and 10 of the Shaoxing guide, per kind of base. The applicant
enters a figure or a yes/no per criterion; each is then met, not met, or unknown (not given). For a 示范点
whose applicant keeps its records on the platform, the answers are pre-filled from its own data and latest
self-check (assessment.readiness), with the evidence quoted."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.bases.models import BaseKind

YES, NO = "yes", "no"


@dataclass(frozen=True)
class Rule:
    key: str
    label: str
    article: str
    minimum: float | None = None  # a figure at least this; None: a yes/no criterion

    @property
    def numeric(self) -> bool:
        return self.minimum is not None


@dataclass(frozen=True)
class Outcome:
    rule: Rule
    value: object
    met: bool | None
    evidence: str = ""


ZONE = [
    Rule("policy", _("以政府（或管委会）名义出台商业秘密保护政策措施"), _("第六条（一）")),
    Rule(
        "protecting_share", _("园区内开展商业秘密保护工作的企业比例（%），不低于 30"), _("第六条（一）"), 30
    ),
    Rule("built", _("省级示范站（点）1 家以上或市级示范站（点）3 家以上"), _("第六条（一）")),
    Rule(
        "service_staff",
        _("综合服务中心具有商业秘密保护经验的专（兼）职人员数，不少于 1"),
        _("第六条（二）"),
        1,
    ),
    Rule("office_funding", _("有规范的保护办公场所，工作经费有保障"), _("第六条（三）")),
    Rule("mechanism", _("保护运行机制、工作流程科学，协助维权机制健全"), _("第六条（四）")),
    Rule("trainings", _("每年组织企业商业秘密保护培训次数，不少于 2"), _("第六条（五）"), 2),
    Rule("trained_share", _("园区内企业受训率（%），不低于 30"), _("第六条（五）"), 30),
    Rule("service_visits", _("每年开展调研、指导等服务次数，不少于 6"), _("第六条（五）"), 6),
]
STATION = [
    Rule("leading_group", _("成立由主要负责人牵头的保护工作领导小组"), _("第八条（一）")),
    Rule("officers", _("专（兼）职保密员人数，不少于 1"), _("第八条（一）"), 1),
    Rule("office_funding", _("固定办公场所、必要办公设施和工作经费"), _("第八条（二）")),
    Rule("annual_plan", _("制定年度商业秘密保护工作方案"), _("第八条（三）")),
    Rule("incident_rules", _("建立泄密应急处置和奖惩等管理制度"), _("第八条（三）")),
    Rule("trained_share", _("每年培训企业数占会员总数比例（%），不低于 30"), _("第八条（五）"), 30),
    Rule(
        "protecting_share", _("开展保护工作的会员（或辖区企业）比例（%），不低于 20"), _("第八条（五）"), 20
    ),
    Rule("built", _("省级示范点 1 家以上或市级示范点 2 家以上"), _("第八条（五）")),
]
POINT = [
    Rule(
        "organisation",
        _("组织架构完整：主要负责人牵头的保护工作领导小组，配备专（兼）职保密员不少于1名"),
        _("第十条（一）"),
    ),
    Rule("guarantee", _("工作保障到位：固定办公场所、必要办公设施和工作经费"), _("第十条（二）")),
    Rule(
        "rules",
        _("制度建设完善：贯彻实施省级地方标准，制定年度工作方案，建立泄密应急处置和奖惩制度"),
        _("第十条（三）"),
    ),
    Rule("training", _("每年组织全员商业秘密保护轮训不少于1次"), _("第十条（三）")),
    Rule("key_positions", _("确定重点岗位和重点人员，实行分级管理"), _("第十条（四）")),
    Rule("no_infringement", _("近2年来没有发生侵犯他人商业秘密行为"), _("第十条（五）")),
]
RULES = {BaseKind.ZONE: ZONE, BaseKind.STATION: STATION, BaseKind.POINT: POINT}
# "built": provincial ≥ 1 or city ≥ N, from the form's two counts
BUILT_CITY_MINIMUM = {BaseKind.ZONE: 3, BaseKind.STATION: 2}


def rules_for(kind: str) -> list[Rule]:
    return RULES[BaseKind(kind)]


def parse(kind: str, raw: dict[str, str]) -> tuple[dict, dict[str, str]]:
    """The checklist from form input (key -> text): ({key: number | "yes" | "no"}, {key: error})."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for rule in rules_for(kind):
        if rule.key == "built":
            continue
        text = str(raw.get(rule.key, "") or "").strip()
        if not text:
            continue
        if rule.numeric:
            try:
                number = float(text)
            except ValueError:
                errors[rule.key] = str(_("“%(label)s”应为数字") % {"label": rule.label})
                continue
            if number < 0 or number > 1_000_000:
                errors[rule.key] = str(_("“%(label)s”超出范围") % {"label": rule.label})
                continue
            values[rule.key] = int(number) if number.is_integer() else number
        elif text in (YES, NO):
            values[rule.key] = text
        else:
            errors[rule.key] = str(_("“%(label)s”请选择是或否") % {"label": rule.label})
    return values, errors


def evaluate(application) -> list[Outcome]:
    """Each criterion of the application's kind: met, not met, or unknown (None)."""
    outcomes = []
    values = application.checklist or {}
    for rule in rules_for(application.kind):
        if rule.key == "built":
            provincial, city = application.provincial_built, application.city_built
            if provincial is None and city is None:
                outcomes.append(Outcome(rule, None, None))
            else:
                met = (provincial or 0) >= 1 or (city or 0) >= BUILT_CITY_MINIMUM[BaseKind(application.kind)]
                outcomes.append(Outcome(rule, f"{provincial or 0} / {city or 0}", met))
            continue
        value = values.get(rule.key)
        evidence = (values.get("_evidence") or {}).get(rule.key, "")
        if value is None:
            outcomes.append(Outcome(rule, None, None, evidence))
        elif rule.numeric:
            outcomes.append(Outcome(rule, value, float(value) >= rule.minimum, evidence))
        else:
            outcomes.append(Outcome(rule, value, value == YES, evidence))
    return outcomes


def all_met(outcomes: list[Outcome]) -> bool:
    return all(o.met is True for o in outcomes)


def prefill_point(organisation_id: int) -> dict:
    """A 示范点's checklist from the enterprise's own data and latest self-check (readiness), with the
    evidence each answer rests on under "_evidence"."""
    from shangmi.apps.assessment.queries import latest_finished
    from shangmi.apps.assessment.readiness import readiness

    values: dict[str, object] = {}
    evidence: dict[str, str] = {}
    for criterion in readiness(organisation_id, timezone.localdate(), latest_finished(organisation_id)):
        if criterion.met is not None:
            values[criterion.key] = YES if criterion.met else NO
        evidence[criterion.key] = "；".join(str(e) for e in criterion.evidence if e)
    values["_evidence"] = evidence
    return values
