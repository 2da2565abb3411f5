"""The self-check report as a Word document: scores per domain with bars and the change since the last
self-check, the trend, every gap with its recommendation, the answers, and how the record was deposited."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.assessment.labels import domain_name
from shangmi.apps.assessment.queries import framework_of
from shangmi.apps.assessment.report import Report
from shangmi.apps.people.storage import safe_name
from shangmi.office import word

BAR_CELLS = 20  # a score of 100 is twenty blocks


def _bar(score: float | None) -> str:
    if score is None:
        return ""
    filled = round(score / 100 * BAR_CELLS)
    return "█" * filled + "░" * (BAR_CELLS - filled)


def _number(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:+.1f}" if signed else f"{value:.1f}"


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def report_docx(report: Report) -> bytes:
    a = report.assessment
    framework = framework_of(a)
    document = word.chinese_document()
    word.title(document, _("商业秘密保护自我体检报告"))
    word.field_lines(
        document,
        [
            (_("企业"), a.organisation.name),
            (_("名称"), a.title),
            (_("体检框架"), f"{a.framework_name}（{a.framework_version}）"),
            (_("状态"), a.get_state_display()),
            (_("提交时间"), _local(a.submitted_at)),
            (_("总分"), _number(report.overall)),
            (_("较上次"), _number(report.overall_delta, signed=True)),
            (_("评审机构"), a.reviewer_organisation.name if a.reviewer_organisation_id else ""),
        ],
    )
    if a.is_draft:
        document.add_paragraph(
            _("本报告依据草稿生成，尚有 %(n)s 题未作答，得分仅供参考。") % {"n": report.unanswered}
        )
    document.add_heading(_("一、各领域得分"), level=1)
    word.table(
        document,
        [_("领域"), _("得分"), "", _("上次"), _("变化"), _("已答 / 题数")],
        [
            [
                r.name,
                _number(r.score.score),
                _bar(r.score.score),
                _number(r.previous),
                _number(r.delta, signed=True),
                f"{r.score.answered} / {r.score.total}",
            ]
            for r in report.rows
        ],
    )
    document.add_heading(_("二、历次体检得分"), level=1)
    if report.trend:
        word.table(
            document,
            [_("提交日期"), _("名称"), _("总分"), ""],
            [[f"{t.submitted_at:%Y-%m-%d}", t.title, _number(t.score), _bar(t.score)] for t in report.trend],
        )
    else:
        document.add_paragraph(_("（尚无已提交的体检）"))
    document.add_heading(_("三、差距与改进建议"), level=1)
    document.add_paragraph(_("按“权重 × 差距”从大到小排列；必选项在同等情况下优先。"))
    if not report.gaps:
        document.add_paragraph(_("（未发现差距）"))
    for n, gap in enumerate(report.gaps, 1):
        q = gap.question
        document.add_heading(f"{n}. {q.text}", level=2)
        word.field_lines(
            document,
            [
                (_("领域"), domain_name(framework.domain(q.domain))),
                (_("重要性"), _("必选") if q.mandatory else _("推荐")),
                (_("当前答案"), gap.choice.label if gap.choice else ""),
                (_("权重 × 差距"), f"{q.weight:g} × {gap.shortfall:.2f} = {gap.priority:.2f}"),
                (_("建议"), q.recommendation),
                (_("典型证据"), q.evidence),
            ],
        )
    document.add_heading(_("四、答题明细"), level=1)
    answers = {x.question_id: x for x in a.answers.all()}
    rows = []
    for q in framework.questions:
        x = answers.get(q.id)
        choice = q.choice(x.choice) if x else None
        rows.append(
            [
                q.id,
                q.text,
                choice.label if choice else _("未答"),
                x.get_source_display() if x else "",
                "；".join(filter(None, [x.proposed_figure, x.override_reason, x.note])) if x else "",
            ]
        )
    word.table(document, [_("题号"), _("题目"), _("答案"), _("来源"), _("系统数据 / 理由 / 说明")], rows)
    if a.review_opinion:
        document.add_heading(_("五、评审意见"), level=1)
        document.add_paragraph(a.review_opinion)
        word.field_lines(document, [(_("评审时间"), _local(a.reviewed_at))])
    document.add_heading(_("存证记录"), level=1)
    word.table(
        document,
        [_("时间"), _("事项"), _("记录 SHA-256"), _("存证状态")],
        [
            [
                _local(e.at),
                e.get_kind_display(),
                e.deposit.sha256 if e.deposit_id else "",
                e.deposit.get_state_display() if e.deposit_id else "",
            ]
            for e in a.events.select_related("deposit").order_by("at", "pk")
        ],
    )
    return word.to_bytes(document)


def report_name(assessment) -> str:
    return f"self-check-{safe_name(assessment.organisation.short_code)}-{assessment.pk}.docx"
