"""An application as a Word document in the layout of the guide's tables (附表 1 示范区, 2 示范指导站,
3 示范点): the same six-column grid with the same merged cells, the 开展情况 row, the three opinion rows
with their 负责人 / 日期 lines, then the eligibility checklist as a second table.

The official tables are the city's (绍兴市…, 县市场监管局推荐, 市局验收); for a county- or provincial-level
base the place in the title and the bureaus in the opinion rows follow the level (jurisdiction.py)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from docx.enum.table import WD_ALIGN_VERTICAL, WD_ROW_HEIGHT_RULE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from shangmi.apps.bases import checklist, jurisdiction
from shangmi.apps.bases.models import BaseApplication, BaseKind, BaseLevel
from shangmi.office import word

StrOrPromise = str | Promise
COLUMNS = 6
# Widths of the six grid columns on an A4 page with 2.2 cm margins (16.6 cm of text width).
WIDTHS_CM = (2.8, 3.0, 2.6, 2.6, 2.6, 3.0)


@dataclass(frozen=True)
class Label:
    text: StrOrPromise
    span: int = 1


@dataclass(frozen=True)
class Value:
    field: str
    span: int = 1


def _contact_row() -> list:
    return [
        Label(gettext_lazy("联系人")),
        Value("contact"),
        Label(gettext_lazy("职务/职称")),
        Value("contact_title"),
        Label(gettext_lazy("联系电话")),
        Value("phone"),
    ]


# The grids of tables 1–3, row by row, each row filling the six columns.
GRIDS = {
    BaseKind.ZONE: [
        [Label(gettext_lazy("园区名称")), Value("name", 3), Label(gettext_lazy("负责人")), Value("head")],
        [
            Label(gettext_lazy("联系地址")),
            Value("address", 3),
            Label(gettext_lazy("邮政编码")),
            Value("postcode"),
        ],
        [
            Label(gettext_lazy("园区类型")),
            Value("org_type"),
            Label(gettext_lazy("入园企业数量")),
            Value("size"),
            Label(gettext_lazy("园区产值")),
            Value("output_value"),
        ],
        [
            Label(gettext_lazy("省级示范站（点）已建数")),
            Value("provincial_built", 2),
            Label(gettext_lazy("市级示范站（点）已建数")),
            Value("city_built", 2),
        ],
        _contact_row(),
    ],
    BaseKind.STATION: [
        [Label(gettext_lazy("组织名称")), Value("name", 3), Label(gettext_lazy("法定代表人")), Value("head")],
        [
            Label(gettext_lazy("注册地址")),
            Value("address", 3),
            Label(gettext_lazy("邮政编码")),
            Value("postcode"),
        ],
        [
            Label(gettext_lazy("会员数量")),
            Value("size"),
            Label(gettext_lazy("省级示范点已建数")),
            Value("provincial_built"),
            Label(gettext_lazy("市级示范点已建数")),
            Value("city_built"),
        ],
        [
            Label(gettext_lazy("组织类型")),
            Value("org_type"),
            Label(gettext_lazy("所属行业")),
            Value("industry"),
            Label(gettext_lazy("行业年产值")),
            Value("output_value"),
        ],
        _contact_row(),
    ],
    BaseKind.POINT: [
        [Label(gettext_lazy("企业名称")), Value("name", 3), Label(gettext_lazy("法定代表人")), Value("head")],
        [
            Label(gettext_lazy("经营地址")),
            Value("address"),
            Label(gettext_lazy("邮政编码")),
            Value("postcode"),
            Label(gettext_lazy("员工数量")),
            Value("size"),
        ],
        [
            Label(gettext_lazy("企业类型")),
            Value("org_type"),
            Label(gettext_lazy("所属行业")),
            Value("industry"),
            Label(gettext_lazy("年产值")),
            Value("output_value"),
        ],
        _contact_row(),
    ],
}
TABLE_NUMBER = {BaseKind.ZONE: 1, BaseKind.STATION: 2, BaseKind.POINT: 3}
APPLICANT_OPINION = {
    BaseKind.ZONE: gettext_lazy("园区管委会申报意见"),
    BaseKind.STATION: gettext_lazy("申报单位意见"),
    BaseKind.POINT: gettext_lazy("申报企业意见"),
}
RECOMMEND_OPINION = {
    BaseLevel.COUNTY: gettext_lazy("县市场监管局审核意见"),
    BaseLevel.CITY: gettext_lazy("县市场监管局推荐意见"),
    BaseLevel.PROVINCE: gettext_lazy("市市场监管局推荐意见"),
}
ACCEPTANCE_OPINION = {
    BaseLevel.COUNTY: gettext_lazy("县局验收意见"),
    BaseLevel.CITY: gettext_lazy("市局验收意见"),
    BaseLevel.PROVINCE: gettext_lazy("省局验收意见"),
}
# Which step's date goes on each opinion's 日期 line.
STEP_OF_OPINION = {"applicant": "submit", "recommend": "recommend", "acceptance": "accept"}


def title_of(application: BaseApplication) -> str:
    """绍兴市商业秘密保护基地（示范区）申报表, with the accepting bureau's place for the base's level."""
    level = BaseLevel(application.level)
    place = jurisdiction.region_at(application.district, jurisdiction.ACCEPT_LEVEL[level])
    return _("%(place)s商业秘密保护基地（%(kind)s）申报表") % {
        "place": place.name if place else application.get_level_display(),
        "kind": application.get_kind_display(),
    }


def application_docx(application: BaseApplication) -> bytes:
    kind, level = BaseKind(application.kind), BaseLevel(application.level)
    document = word.chinese_document()
    document.add_paragraph(_("附表 %(n)s") % {"n": TABLE_NUMBER[kind]})
    word.title(document, title_of(application))
    meta = document.add_paragraph()
    meta.alignment = WD_ALIGN_PARAGRAPH.CENTER
    meta.add_run(
        _("级别：%(level)s　申报年度：%(year)s　所在区县：%(district)s　状态：%(state)s")
        % {
            "level": application.get_level_display(),
            "year": application.year,
            "district": application.district.name if application.district else "—",
            "state": application.get_state_display(),
        }
    ).font.size = Pt(10)

    grid = GRIDS[kind]
    opinions = [
        (APPLICANT_OPINION[kind], application.applicant_opinion, _("（单位公章）"), "applicant"),
        (RECOMMEND_OPINION[level], application.recommend_opinion, _("（单位公章）"), "recommend"),
        (ACCEPTANCE_OPINION[level], application.acceptance_opinion, _("（签名或盖章）"), "acceptance"),
    ]
    table = document.add_table(rows=len(grid) + 1 + len(opinions), cols=COLUMNS)
    table.style = "Table Grid"
    table.autofit = False
    for row in table.rows:
        for cell, width in zip(row.cells, WIDTHS_CM, strict=True):
            cell.width = Cm(width)
    for index, items in enumerate(grid):
        _fill_row(table, index, items, application)
    summary_row = len(grid)
    _label(table.cell(summary_row, 0), _("商业秘密保护工作开展情况"))
    _text(_merge(table, summary_row, 1, COLUMNS - 1), application.work_summary)
    _min_height(table.rows[summary_row], 6)
    dates = _step_dates(application)
    for offset, (label, opinion, seal, key) in enumerate(opinions):
        index = summary_row + 1 + offset
        _label(table.cell(index, 0), str(label))
        _opinion(_merge(table, index, 1, COLUMNS - 1), opinion, seal, dates.get(STEP_OF_OPINION[key]))
        _min_height(table.rows[index], 3.5)

    document.add_heading(_("申报条件自查表"), level=2)
    _checklist_table(document, application)
    return word.to_bytes(document)


def _fill_row(table, index: int, items: list, application: BaseApplication) -> None:
    column = 0
    for item in items:
        cell = _merge(table, index, column, column + item.span - 1)
        if isinstance(item, Label):
            _label(cell, str(item.text))
        else:
            _text(cell, display(application, item.field))
        column += item.span
    if column != COLUMNS:
        raise ValueError(f"row {index} fills {column} of {COLUMNS} columns")


def display(application: BaseApplication, field: str) -> str:
    value = getattr(application, field)
    if value is None or value == "":
        return ""
    if field == "output_value":
        return _("%(value)s 万元") % {"value": value}
    return str(value)


def _merge(table, row: int, first: int, last: int):
    cell = table.cell(row, first)
    return cell if first == last else cell.merge(table.cell(row, last))


def _label(cell, text: str) -> None:
    cell.text = ""
    paragraph = cell.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text).bold = True
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def _text(cell, text: str) -> None:
    """Multi-line text as one paragraph per line (a merged cell keeps one empty paragraph to reuse)."""
    lines = (text or "").splitlines() or [""]
    cell.text = lines[0]
    for line in lines[1:]:
        cell.add_paragraph(line)
    cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER


def _opinion(cell, opinion: str, seal: str, on) -> None:
    _text(cell, opinion)
    cell.vertical_alignment = WD_ALIGN_VERTICAL.TOP
    signature = cell.add_paragraph(_("负责人：") + "　" * 8 + seal)
    signature.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = cell.add_paragraph(
        _("%(y)s 年 %(m)s 月 %(d)s 日") % {"y": on.year, "m": on.month, "d": on.day}
        if on
        else _("年　　月　　日")
    )
    day.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def _min_height(row, cm: float) -> None:
    row.height = Cm(cm)
    row.height_rule = WD_ROW_HEIGHT_RULE.AT_LEAST


def _step_dates(application: BaseApplication) -> dict:
    """The local date of the latest submit / recommend / accept step, from the application's timeline."""
    dates = {}
    for event in application.events.filter(action__in=STEP_OF_OPINION.values()).order_by("at", "id"):
        dates[event.action] = timezone.localtime(event.at).date()
    return dates


def outcome_label(met: bool | None) -> str:
    if met is None:
        return _("未填报")
    return _("符合") if met else _("不符合")


def value_label(value) -> str:
    if value is None:
        return "—"
    if value == checklist.YES:
        return _("是")
    if value == checklist.NO:
        return _("否")
    return str(value)


def _checklist_table(document, application: BaseApplication) -> None:
    outcomes = checklist.evaluate(application)
    table = document.add_table(rows=1, cols=4)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, (_("条件"), _("依据"), _("填报值"), _("结论")), strict=True):
        _label(cell, text)
    for outcome in outcomes:
        cells = table.add_row().cells
        cells[0].text = str(outcome.rule.label)
        cells[1].text = str(outcome.rule.article)
        _text(cells[2], value_label(outcome.value))
        if outcome.evidence:
            note = cells[2].add_paragraph(outcome.evidence)
            for run in note.runs:
                run.font.size = Pt(9)
        cells[3].text = outcome_label(outcome.met)
    met = sum(1 for o in outcomes if o.met is True)
    document.add_paragraph(_("共 %(total)s 项条件，符合 %(met)s 项。") % {"total": len(outcomes), "met": met})


def file_name(application: BaseApplication) -> str:
    return _("基地申报表-%(id)s.docx") % {"id": application.pk}
