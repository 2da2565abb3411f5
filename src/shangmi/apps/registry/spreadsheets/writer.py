"""Write the register's workbook in openpyxl's write-only mode: rows stream to disk, so memory stays flat
whatever the size of the register. The template and the export share this layout."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.columns import Sheet
from shangmi.apps.registry.spreadsheets.reader import MAX_OTHER_ROWS, MAX_SECRETS

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="9C0006")
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")
_WRAP = Alignment(wrap_text=True, vertical="top")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def write_workbook(
    target,
    data: dict[str, Iterable[list]],
    *,
    info_title: str,
    info_rows: list[list],
    info_first: bool,
) -> None:
    """Write the four sheets (rows from `data`, by sheet name) and an information sheet to `target`
    (a path or a binary file)."""
    workbook = Workbook(write_only=True)
    if info_first:
        _write_info(workbook, info_title, info_rows)
    for sheet in cols.SHEETS:
        _write_sheet(workbook, sheet, data.get(sheet.name, ()))
    if not info_first:
        _write_info(workbook, info_title, info_rows)
    workbook.save(target)


def _write_sheet(workbook, sheet: Sheet, rows: Iterable[list]) -> None:
    worksheet = workbook.create_sheet(sheet.name)
    worksheet.freeze_panes = "A2"
    last_row = (MAX_SECRETS if sheet is cols.SECRETS else MAX_OTHER_ROWS) + 1
    for index, column in enumerate(sheet.columns, start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = column.width
        validation = _validation(column)
        if validation is not None:
            validation.add(f"{letter}2:{letter}{last_row}")
            worksheet.data_validations.dataValidation.append(validation)
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(worksheet, column.header)
        cell.font = _REQUIRED_FONT if column.required_header else _HEADER_FONT
        cell.fill = _HEADER_FILL
        header.append(cell)
    worksheet.append(header)
    count = 0
    for row in rows:
        worksheet.append([_cell(worksheet, value) for value in row])
        count += 1
    last = get_column_letter(len(sheet.columns))
    worksheet.auto_filter.ref = f"A1:{last}{count + 1}"


def _cell(worksheet, value):
    if isinstance(value, str):
        # Text is text: openpyxl would write "=…" as a live formula (a register entry named
        # =HYPERLINK(…) must not become a link in the officer's Excel), and refuses control characters.
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        if value.startswith("="):
            cell = WriteOnlyCell(worksheet, value)
            cell.data_type = "s"
            return cell
        return value
    if isinstance(value, datetime):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return value


def _validation(column) -> DataValidation | None:
    """A drop-down for choices; a prompt for the columns whose format is easy to get wrong."""
    if column.kind == cols.CHOICE:
        offered = ",".join(cols.choice_list(column))
        return DataValidation(
            type="list",
            formula1=f'"{offered}"',
            allow_blank=True,
            showErrorMessage=False,  # English codes are accepted too; the import checks the value
            showInputMessage=True,
            promptTitle=column.header,
            prompt=offered.replace(",", "、")[:255],
        )
    prompts = {
        cols.PERIOD: _("日期（YYYY-MM-DD）、长期或至公开"),
        cols.PERSON: _("本单位成员的姓名；重名时填电子邮箱"),
        cols.DATE: _("日期：YYYY-MM-DD"),
        cols.DATETIME: _("时间：YYYY-MM-DD HH:MM:SS"),
        cols.DIGEST: _("64 位十六进制摘要（只用于电子载体）"),
    }
    if column.kind in prompts:
        return DataValidation(
            allow_blank=True, showInputMessage=True, promptTitle=column.header, prompt=prompts[column.kind]
        )
    return None


def _write_info(workbook, title: str, rows: list[list]) -> None:
    worksheet = workbook.create_sheet(cols.INSTRUCTIONS_SHEET)
    worksheet.column_dimensions["A"].width = 18
    worksheet.column_dimensions["B"].width = 100
    heading = WriteOnlyCell(worksheet, title)
    heading.font = Font(bold=True, size=14)
    worksheet.append([heading])
    worksheet.append([])
    for row in rows:
        cells = []
        for position, value in enumerate(row):
            cell = WriteOnlyCell(worksheet, value)
            if position == 0:
                cell.font = _HEADER_FONT
            cell.alignment = _WRAP
            cells.append(cell)
        worksheet.append(cells)
