"""Workbooks of the targets: the import template (the notice's header and the bureau's districts, counts
left blank) and the progress table (target, recognised, in progress per district and level)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from shangmi.apps.accounts.models import Region
from shangmi.apps.bases.models import TargetLevel
from shangmi.apps.bases.targets import COLUMNS, LEVELS, Progress, districts_of

BOLD = Font(bold=True)
CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)


def template_xlsx(region: Region, year: int) -> bytes:
    """The notice's table for the districts inside `region`, ready to fill in and import."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("建设任务")
    sheet.append([str(header) for _f, header in COLUMNS])
    for cell in sheet[1]:
        cell.font, cell.alignment = BOLD, CENTRE
    for district in districts_of(region):
        sheet.append([district.name])
    sheet.column_dimensions["A"].width = 18
    for index in range(2, len(COLUMNS) + 1):
        sheet.column_dimensions[get_column_letter(index)].width = 16
    notes = workbook.create_sheet(_("说明"))
    for line in (
        _("%(year)s 年各区、县（市）商业秘密保护基地建设任务（单位：个）") % {"year": year},
        _("第一列填写区县名称（如 越城区）或区划代码（如 330602），其余各列填写非负整数；空白视为 0。"),
        _("“合计”行可保留，导入时忽略。导入将替换本单位该年度已下达的全部目标。"),
        _("各地贯标企业数：通过培训、指导，企业实施或探索开展商业秘密保护省级地方标准的数量。"),
    ):
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    return _bytes(workbook)


def progress_xlsx(result: Progress, region: Region) -> bytes:
    """Two header rows (level, then 目标/已认定/在途/完成率) and one row per district plus the total."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("目标进度")
    sheet.append(
        [_("%(year)s 年度%(region)s商业秘密保护基地建设进度") % {"year": result.year, "region": region.name}]
    )
    width = 1 + 4 * len(LEVELS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A1"].alignment = CENTRE
    labels = dict(TargetLevel.choices)
    top: list[str | None] = [_("区县")]
    for level in LEVELS:
        top += [str(labels[level]), None, None, None]
    sheet.append(top)
    sheet.append([None] + [_("目标"), _("已认定"), _("在途"), _("完成率（%）")] * len(LEVELS))
    sheet.merge_cells(start_row=2, start_column=1, end_row=3, end_column=1)
    for index in range(len(LEVELS)):
        first = 2 + 4 * index
        sheet.merge_cells(start_row=2, start_column=first, end_row=2, end_column=first + 3)
    for row in sheet.iter_rows(min_row=2, max_row=3):
        for cell in row:
            cell.font, cell.alignment = BOLD, CENTRE
    for row in result.rows:
        sheet.append([row.district.name, *_figures(row.cells)])
    sheet.append([_("合计"), *_figures(result.totals)])
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD
    sheet.column_dimensions["A"].width = 16
    sheet.freeze_panes = "B4"
    return _bytes(workbook)


def _figures(cells) -> list:
    values: list = []
    for level in LEVELS:
        cell = cells[level]
        values += [cell.target, cell.recognised, cell.in_progress, cell.percent]
    return values


def _bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
