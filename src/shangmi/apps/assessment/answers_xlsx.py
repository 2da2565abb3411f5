"""A self-check's answers as an Excel workbook: one row per question with its domain, answer, score,
where the answer came from (the platform's figure, the reason for overriding it) and the officer's note;
a second sheet with the scores per domain."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from shangmi.apps.assessment.labels import domain_name
from shangmi.apps.assessment.models import Assessment
from shangmi.apps.assessment.queries import framework_of
from shangmi.apps.assessment.report import build_report
from shangmi.apps.assessment.scoring import fraction
from shangmi.apps.people.storage import safe_name


def answers_xlsx(assessment: Assessment) -> bytes:
    framework = framework_of(assessment)
    answers = {a.question_id: a for a in assessment.answers.all()}
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("答题明细"))
    sheet.append(
        [
            _("题号"),
            _("领域"),
            _("题目"),
            _("重要性"),
            _("权重"),
            _("答案"),
            _("得分（0–100）"),
            _("来源"),
            _("系统数据"),
            _("改写理由"),
            _("说明与证据"),
        ]
    )
    for q in framework.questions:
        a = answers.get(q.id)
        choice = q.choice(a.choice) if a else None
        f = fraction(q, a.choice) if a else None
        sheet.append(
            [
                q.id,
                domain_name(framework.domain(q.domain)),
                q.text,
                _("必选") if q.mandatory else _("推荐"),
                q.weight,
                choice.label if choice else _("未答"),
                None if f is None else round(f * 100, 1),
                a.get_source_display() if a else "",
                a.proposed_figure if a else "",
                a.override_reason if a else "",
                a.note if a else "",
            ]
        )
    report = build_report(assessment)
    scores = workbook.create_sheet(_("领域得分"))
    scores.append([_("领域"), _("得分"), _("上次"), _("变化"), _("已答"), _("题数")])
    for row in report.rows:
        scores.append(
            [row.name, row.score.score, row.previous, row.delta, row.score.answered, row.score.total]
        )
    scores.append([_("总分"), report.overall, report.previous.score if report.previous else None])
    info = workbook.create_sheet(_("说明"))
    for label, value in (
        (_("单位"), assessment.organisation.name),
        (_("名称"), assessment.title),
        (_("体检框架"), f"{assessment.framework_name}（{assessment.framework_version}）"),
        (_("框架 SHA-256"), assessment.framework_sha256),
        (_("状态"), assessment.get_state_display()),
        (_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")),
    ):
        info.append([label, value])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def answers_name(assessment: Assessment) -> str:
    return f"self-check-{safe_name(assessment.organisation.short_code)}-{assessment.pk}.xlsx"
