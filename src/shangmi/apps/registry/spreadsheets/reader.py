"""Read an uploaded workbook (openpyxl read-only mode) into rows of typed values, noting every cell that
cannot be read. Checks that need the database (people, codes already taken) come later (validate.py).

Cost: one streaming pass over each of the four sheets; memory holds the typed rows, not the XML.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.cells import CellError, read_cell
from shangmi.apps.registry.spreadsheets.columns import Sheet
from shangmi.apps.registry.spreadsheets.upload import UploadRefused, check_upload

logger = logging.getLogger(__name__)

MAX_SECRETS = 20_000
MAX_OTHER_ROWS = 200_000
# Headers are looked for in the first rows (a register often has a title above its table) and columns.
HEADER_SEARCH_ROWS = 10
SCAN_COLUMNS = 40


@dataclass(frozen=True)
class Problem:
    """One bad cell (or row, or missing column), located as Excel shows it."""

    sheet: str
    row: int
    column: str  # the column's header
    message: str
    letter: str = ""  # the column's letter in the uploaded file, when it has the column

    @property
    def cell(self) -> str:
        return f"{self.letter}{self.row}" if self.letter else f"R{self.row}"

    @property
    def field(self) -> str:
        """For the API's error schema: 商业秘密!B5 名称."""
        return f"{self.sheet}!{self.cell} {self.column}"


@dataclass
class ParsedRow:
    number: int  # the row number Excel shows
    values: dict[str, object]


@dataclass
class ParsedSheet:
    sheet: Sheet
    rows: list[ParsedRow] = field(default_factory=list)
    letters: dict[str, str] = field(default_factory=dict)  # field → column letter in the file


@dataclass
class ParsedWorkbook:
    sheets: dict[str, ParsedSheet]
    problems: list[Problem] = field(default_factory=list)
    # (sheet name, row, field) of cells already reported, so later checks do not report them twice
    bad_cells: set[tuple[str, int, str]] = field(default_factory=set)
    # A sheet had more rows than allowed: the rest was not read, so cross-sheet checks would mislead.
    over_limit: bool = False

    def rows(self, sheet: Sheet) -> list[ParsedRow]:
        parsed = self.sheets.get(sheet.name)
        return parsed.rows if parsed else []

    def report(self, sheet: Sheet, row: int, field_name: str, message: str) -> None:
        """Add a problem for a cell, unless that cell already has one."""
        key = (sheet.name, row, field_name)
        if key in self.bad_cells:
            return
        self.bad_cells.add(key)
        parsed = self.sheets.get(sheet.name)
        letter = parsed.letters.get(field_name, "") if parsed else ""
        column = sheet.column(field_name).header
        self.problems.append(Problem(sheet.name, row, column, message, letter))

    def sorted_problems(self) -> list[Problem]:
        order = {s.name: i for i, s in enumerate(cols.SHEETS)}
        index = {(s.name, c.header): i for s in cols.SHEETS for i, c in enumerate(s.columns)}
        return sorted(
            self.problems,
            key=lambda p: (order.get(p.sheet, 99), p.row, index.get((p.sheet, p.column), 99)),
        )


def read_workbook(data: bytes) -> ParsedWorkbook:
    """Check the upload (upload.check_upload), then read the four sheets. Raises UploadRefused for a
    file that is not a readable workbook; row and cell problems are collected in the result."""
    check_upload(data)
    # openpyxl raises whatever its XML parser or its object model meets in a malformed part (lxml's
    # XMLSyntaxError, KeyError, IndexError, TypeError…): at this boundary every failure means "unreadable".
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception:  # noqa: BLE001
        raise UploadRefused(
            _("无法读取该 Excel 工作簿；请用 Excel 或 WPS 打开后另存为 .xlsx 再导入")
        ) from None
    try:
        return _read_sheets(workbook)
    except Exception:  # noqa: BLE001 - as above; logged, in case the fault is ours rather than the file's
        logger.warning("unreadable workbook content", exc_info=True)
        raise UploadRefused(_("工作簿内容损坏，无法读取；请另存为 .xlsx 再导入")) from None
    finally:
        workbook.close()


def _read_sheets(workbook) -> ParsedWorkbook:
    names = {name.strip(): name for name in workbook.sheetnames}
    parsed = ParsedWorkbook(sheets={})
    if cols.SECRETS.name not in names:
        parsed.problems.append(
            Problem(
                cols.SECRETS.name,
                1,
                cols.SECRETS.columns[0].header,
                _("找不到工作表“%(name)s”；请使用本页提供的模板") % {"name": cols.SECRETS.name},
            )
        )
        return parsed
    for sheet in cols.SHEETS:
        if sheet.name in names:
            worksheet = workbook[names[sheet.name]]
            if hasattr(worksheet, "iter_rows"):  # a chart sheet has no cells
                _read_sheet(worksheet, sheet, parsed)
    return parsed


def _read_sheet(worksheet, sheet: Sheet, parsed: ParsedWorkbook) -> None:
    target = ParsedSheet(sheet)
    parsed.sheets[sheet.name] = target
    limit = MAX_SECRETS if sheet is cols.SECRETS else MAX_OTHER_ROWS
    rows = worksheet.iter_rows(values_only=True, max_col=SCAN_COLUMNS)
    header_row, positions = _find_header(rows, sheet, target, parsed)
    if positions is None:
        return
    count = 0
    for number, raw in enumerate(rows, start=header_row + 1):
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw):
            continue
        count += 1
        if count > limit:
            parsed.report(
                sheet,
                number,
                sheet.columns[0].field,
                _("“%(sheet)s”最多 %(n)s 行；请分批导入") % {"sheet": sheet.name, "n": limit},
            )
            parsed.over_limit = True
            return
        values: dict[str, object] = {}
        for column in sheet.columns:
            position = positions.get(column.field)
            try:
                values[column.field] = read_cell(column, raw[position] if position is not None else None)
            except CellError as error:
                parsed.report(sheet, number, column.field, str(error))
                values[column.field] = read_cell(column, None)
        target.rows.append(ParsedRow(number, values))


def _find_header(rows, sheet: Sheet, target: ParsedSheet, parsed: ParsedWorkbook):
    """The header row (1-based) and field → column index; reports missing required headers."""
    by_header = {cols.normalise_header(c.header): c for c in sheet.columns}
    required = [c for c in sheet.columns if c.required_header]
    best: dict[str, int] = {}
    for number, raw in enumerate(rows, start=1):
        positions: dict[str, int] = {}
        for index, value in enumerate(raw):
            column = by_header.get(cols.normalise_header(value))
            if column is not None and column.field not in positions:
                positions[column.field] = index
        if all(c.field in positions for c in required):
            target.letters = {f: get_column_letter(i + 1) for f, i in positions.items()}
            return number, positions
        if len(positions) > len(best):
            best = positions
        if number >= HEADER_SEARCH_ROWS:
            break
    for column in required:
        if column.field not in best:
            parsed.problems.append(
                Problem(
                    sheet.name,
                    1,
                    column.header,
                    _("缺少列“%(header)s”（表头须在前 %(n)s 行内）")
                    % {"header": column.header, "n": HEADER_SEARCH_ROWS},
                )
            )
    return 0, None
