"""Annual targets per district (annex 1 of the Shaoxing notice) and the progress towards them.

Parsing reads an uploaded .xlsx or .csv laid out like the notice's table — a district column, then
provincial, city and county bases and 贯标企业 — and either returns every row or raises TargetsInvalid
listing every bad row (row, column, message); nothing is half-read. Progress compares, per district and
level, the target with the bases recognised and those still in the workflow, and counts 贯标企业 from the
enterprises' own self-checks (read only).

Cost: parsing reads at most MAX_ROWS rows; progress runs one query per kind of figure (targets,
applications, self-checks, their answers), not one per district.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.apps.accounts.models import Region
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases.models import AppState, BaseApplication, BaseTarget, TargetLevel
from shangmi.apps.bases.models.applications import IN_PROGRESS

MAX_CSV_BYTES = 1024 * 1024
MAX_ROWS = 500
HEADER_SEARCH_ROWS = 10  # a title ("2021 年各区、县（市）…建设任务") and "单位：个" may sit above the header
READ_LIMIT = MAX_ROWS + HEADER_SEARCH_ROWS  # lines read; one more means the table is too long
MAX_COUNT = 100_000

# The columns in the notice's order: (field, header as the notice prints it).
DISTRICT = "district"
COLUMNS = (
    (DISTRICT, gettext_lazy("各区、县（市）")),
    (TargetLevel.PROVINCE.value, gettext_lazy("省级商业秘密保护基地")),
    (TargetLevel.CITY.value, gettext_lazy("市级商业秘密保护基地")),
    (TargetLevel.COUNTY.value, gettext_lazy("县级商业秘密保护基地")),
    (TargetLevel.STANDARD.value, gettext_lazy("各地贯标企业数")),
)
LEVELS = tuple(f for f, _h in COLUMNS if f != DISTRICT)
HEADER_OF = dict(COLUMNS)
# The answer of the self-check that declares the provincial standard implemented (assessment framework).
STANDARD_QUESTION, STANDARD_YES = "rules-standard", "yes"

_SPACES = re.compile(r"\s+")
_TOTAL = re.compile(r"^(合计|总计|小计|total)", re.IGNORECASE)
_NOTE = re.compile(r"^(备注|注[:：])")
_COUNT_SUFFIX = re.compile(r"(个|家)$")
_DISTRICT_HEADERS = {"区县", "地区", "区域", "行政区划", "地市", "各市", "设区市", "各设区市", "单位"}


# ----------------------------------------------------------------------------------------------- parsing


@dataclass(frozen=True)
class Problem:
    row: int  # as the file numbers it (the first line is 1)
    column: str  # the column's header
    message: str

    def __str__(self) -> str:
        return _("第 %(row)s 行“%(column)s”：%(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


class TargetsInvalid(ValidationError):
    """The upload was refused; `problems` lists every bad row and column. Nothing was stored."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems])


@dataclass
class TargetRow:
    row: int
    district: Region
    counts: dict[str, int]  # TargetLevel value -> count


def parse_upload(name: str, data: bytes, region: Region) -> list[TargetRow]:
    """The rows of an uploaded targets table for districts inside `region` (the bureau's). Raises
    TargetsInvalid with every problem found."""
    lower = (name or "").lower()
    if lower.endswith((".xlsx", ".xlsm", ".xls")) or data.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        rows = _xlsx_rows(data)
    elif lower.endswith((".csv", ".txt")):
        rows = _csv_rows(data)
    else:
        raise TargetsInvalid([Problem(1, _("文件"), _("只能导入 Excel 工作簿（.xlsx）或 CSV 文件（.csv）"))])
    return parse_rows(rows, region)


def _xlsx_rows(data: bytes) -> list[tuple]:
    # Lazy imports: openpyxl and the register's upload checks are only needed for workbooks.
    from openpyxl import load_workbook

    from shangmi.apps.registry.spreadsheets.upload import UploadRefused, check_upload

    try:
        check_upload(data)
    except UploadRefused as refused:
        raise TargetsInvalid([Problem(1, _("文件"), refused.message_text)]) from None
    # openpyxl raises whatever its XML parser meets in a malformed part: all of it means "unreadable".
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            sheet = workbook.worksheets[0]
            return [tuple(r) for r in sheet.iter_rows(values_only=True, max_row=READ_LIMIT + 1, max_col=20)]
        finally:
            workbook.close()
    except Exception:  # noqa: BLE001
        raise TargetsInvalid(
            [Problem(1, _("文件"), _("无法读取该 Excel 工作簿；请用 Excel 或 WPS 另存为 .xlsx 后再导入"))]
        ) from None


def _csv_rows(data: bytes) -> list[tuple]:
    if len(data) > MAX_CSV_BYTES:
        raise TargetsInvalid([Problem(1, _("文件"), _("CSV 文件超过 1 MB 上限"))])
    # Excel and WPS on Chinese Windows save CSV in GB18030 (GBK); elsewhere UTF-8, often with a BOM.
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TargetsInvalid([Problem(1, _("文件"), _("无法识别 CSV 文件的编码；请保存为 UTF-8"))])
    # The separator: whichever of comma, tab, semicolon appears most in the first lines (csv.Sniffer is
    # misled by a title line above the table).
    sample = "\n".join(text.splitlines()[: HEADER_SEARCH_ROWS + 5])
    delimiter = max((",", "\t", ";"), key=sample.count)
    return [tuple(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)][: READ_LIMIT + 1]


def normalise_header(value) -> str:
    return _SPACES.sub("", str(value or "")).replace("(", "（").replace(")", "）")


def _field_of(header: str) -> str | None:
    """Which column a header names, as loosely as the notice's wrapped, spaced headers need."""
    if not header:
        return None
    # The headers as this language prints them (the template a user downloaded in English), then the
    # notice's Chinese words however they are wrapped.
    translated = {normalise_header(str(h)).casefold(): f for f, h in COLUMNS}
    if header.casefold() in translated:
        return translated[header.casefold()]
    if "贯标" in header:
        return TargetLevel.STANDARD.value
    for level, word in (
        (TargetLevel.PROVINCE, "省级"),
        (TargetLevel.CITY, "市级"),
        (TargetLevel.COUNTY, "县级"),
    ):
        if header.startswith(word) or header.startswith(word[0]) and header.endswith("基地"):
            return level.value
    if header in _DISTRICT_HEADERS or ("区" in header and "县" in header):
        return DISTRICT
    return None


def _find_header(rows: list[tuple]) -> tuple[int, dict[str, int], bool]:
    """(index of the header row, field -> column index, whether every column was found). Without a
    complete header, the row that came closest, so the missing columns can be named."""
    best: tuple[int, dict[str, int]] = (0, {})
    for index, raw in enumerate(rows[:HEADER_SEARCH_ROWS]):
        positions: dict[str, int] = {}
        for column, value in enumerate(raw):
            found = _field_of(normalise_header(value))
            if found is not None and found not in positions:
                positions[found] = column
        if len(positions) == len(COLUMNS):
            return index, positions, True
        if len(positions) > len(best[1]):
            best = (index, positions)
    return best[0], best[1], False


def parse_rows(rows: list[tuple], region: Region) -> list[TargetRow]:
    """Rows of cells (first row = line 1) as TargetRows; raises TargetsInvalid naming every problem."""
    if not rows or all(_blank(v) for r in rows for v in r):
        raise TargetsInvalid([Problem(1, _("文件"), _("文件是空的"))])
    if len(rows) > READ_LIMIT:
        raise TargetsInvalid(
            [Problem(READ_LIMIT + 1, _("文件"), _("表格过长：最多 %(n)s 行区县") % {"n": MAX_ROWS})]
        )
    header_index, positions, complete = _find_header(rows)
    if not complete:
        missing = [str(HEADER_OF[f]) for f, _h in COLUMNS if f not in positions]
        raise TargetsInvalid(
            [
                Problem(
                    header_index + 1,
                    header,
                    _("缺少此列；表头应为：%(headers)s")
                    % {"headers": "、".join(str(h) for _f, h in COLUMNS)},
                )
                for header in missing
            ]
        )
    districts = _DistrictIndex(region)
    problems: list[Problem] = []
    parsed: list[TargetRow] = []
    seen: dict[str, int] = {}
    for offset, raw in enumerate(rows[header_index + 1 :]):
        number = header_index + 2 + offset
        cells = {f: raw[i] if i < len(raw) else None for f, i in positions.items()}
        if all(_blank(v) for v in cells.values()):
            continue
        name = normalise_header(cells[DISTRICT])
        if _TOTAL.match(name) or _NOTE.match(name):
            continue  # the notice's 合计 row is derived, and a 备注 line is not data
        row_problems: list[Problem] = []
        district: Region | None = None
        if not name:
            row_problems.append(Problem(number, str(HEADER_OF[DISTRICT]), _("请填写区县名称")))
        else:
            district, error = districts.match(name)
            if district is None:
                row_problems.append(Problem(number, str(HEADER_OF[DISTRICT]), error))
            elif district.code in seen:
                row_problems.append(
                    Problem(
                        number,
                        str(HEADER_OF[DISTRICT]),
                        _("“%(name)s”与第 %(row)s 行重复") % {"name": name, "row": seen[district.code]},
                    )
                )
            else:
                seen[district.code] = number
        counts: dict[str, int] = {}
        for level in LEVELS:
            value, error = _count(cells[level])
            if error:
                row_problems.append(Problem(number, str(HEADER_OF[level]), error))
            else:
                counts[level] = value
        if row_problems or district is None:
            problems.extend(row_problems)
        else:
            parsed.append(TargetRow(number, district, counts))
    if problems:
        raise TargetsInvalid(problems)
    if not parsed:
        raise TargetsInvalid([Problem(header_index + 2, str(HEADER_OF[DISTRICT]), _("表中没有区县目标"))])
    return parsed


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _count(value) -> tuple[int, str]:
    """A target count: a blank cell is 0 (no target); else a whole number from 0 to MAX_COUNT."""
    if _blank(value):
        return 0, ""
    if isinstance(value, bool):
        return 0, _("应为非负整数")
    if isinstance(value, int | float):
        number = value
    else:
        text = _COUNT_SUFFIX.sub("", _SPACES.sub("", str(value)))
        try:
            number = float(text)  # float() also reads full-width digits (１０)
        except ValueError:
            return 0, _("“%(value)s”不是数字；应为非负整数") % {"value": str(value)[:20]}
    if number != number or not float(number).is_integer() or number < 0:  # NaN, fractions, negatives
        return 0, _("“%(value)s”应为非负整数") % {"value": value}
    if number > MAX_COUNT:
        return 0, _("不能超过 %(n)s") % {"n": MAX_COUNT}
    return int(number), ""


class _DistrictIndex:
    """Regions strictly inside the bureau's region, found by name (越城区), full name (绍兴市越城区) or
    GB/T 2260 code (330602)."""

    def __init__(self, region: Region):
        self.region = region
        inside = (
            Region.objects.filter(code__startswith=region.code_prefix)
            .exclude(code=region.code)
            .select_related("parent")
        )
        self.by_code = {r.code: r for r in inside}
        self.by_name: dict[str, list[Region]] = {}
        for r in self.by_code.values():
            for key in {normalise_header(r.name), normalise_header(r.full_name)}:
                self.by_name.setdefault(key, []).append(r)

    def match(self, name: str) -> tuple[Region | None, str]:
        if name.isdigit():
            found = self.by_code.get(name)
            return (found, "") if found else (None, self._unknown(name))
        candidates = self.by_name.get(name) or self.by_name.get(name.replace(self.region.name, "", 1)) or []
        if len(candidates) == 1:
            return candidates[0], ""
        if len(candidates) > 1:
            return None, _("“%(name)s”不唯一；请写全称（如 %(example)s）或区划代码") % {
                "name": name,
                "example": candidates[0].full_name,
            }
        return None, self._unknown(name)

    def _unknown(self, name: str) -> str:
        return _("“%(name)s”不是%(region)s辖区内的区县") % {"name": name, "region": self.region.name}


# ---------------------------------------------------------------------------------------------- progress


@dataclass
class Cell:
    target: int | None = None  # None: no target set
    recognised: int = 0
    in_progress: int | None = 0  # None: not applicable (贯标企业 have no workflow)

    @property
    def percent(self) -> int | None:
        if not self.target:
            return None
        return round(self.recognised * 100 / self.target)


@dataclass
class DistrictProgress:
    district: Region
    cells: dict[str, Cell] = field(default_factory=dict)  # TargetLevel value -> Cell


@dataclass
class Progress:
    year: int
    rows: list[DistrictProgress]
    totals: dict[str, Cell]


def districts_of(region: Region) -> list[Region]:
    """The districts a bureau's dashboard shows: the regions one level below it, or a county itself."""
    if region.level == Region.Level.COUNTY:
        return [region]
    return list(Region.objects.filter(parent=region).order_by("code"))


def progress(region: Region, year: int) -> Progress:
    """Target vs recognised vs in progress per district of `region` and level, for applications of `year`
    (申报年度); 贯标企业 are enterprises whose latest self-check finished by the end of `year` declares the
    provincial standard implemented."""
    districts = districts_of(region)
    rows = [DistrictProgress(d, {level: Cell() for level in LEVELS}) for d in districts]
    by_prefix = [(d.code_prefix, row) for d, row in zip(districts, rows, strict=True)]

    def row_of(code: str | None) -> DistrictProgress | None:
        for prefix, row in by_prefix:
            if code and code.startswith(prefix):
                return row
        return None

    _fill_targets(rows, year)
    applications = (
        BaseApplication.objects.filter(year=year, district__code__startswith=region.code_prefix)
        .filter(state__in=[AppState.RECOGNISED, *IN_PROGRESS])
        .values("district_id", "level", "state")
        .annotate(n=Count("id"))
    )
    for a in applications:
        row = row_of(a["district_id"])
        if row is None:
            continue
        cell = row.cells[a["level"]]
        if a["state"] == AppState.RECOGNISED:
            cell.recognised += a["n"]
        else:
            cell.in_progress += a["n"]
    for code in standard_enterprises(region, year):
        row = row_of(code)
        if row is not None:
            row.cells[TargetLevel.STANDARD].recognised += 1
    for row in rows:
        row.cells[TargetLevel.STANDARD].in_progress = None
    return Progress(year, rows, _totals(rows))


def _fill_targets(rows: list[DistrictProgress], year: int) -> None:
    """Each district's target; where both a province and a city set one, the nearer (the city's) wins."""
    by_code = {row.district.code: row for row in rows}
    targets = BaseTarget.objects.filter(year=year, district_id__in=by_code).select_related("owner__region")
    rank = {Region.Level.PROVINCE.value: 0, Region.Level.CITY.value: 1, Region.Level.COUNTY.value: 2}
    chosen: dict[tuple[str, str], tuple[int, int]] = {}
    for t in targets:
        owner_region = t.owner.region
        nearness = rank.get(str(owner_region.level), -1) if owner_region is not None else -1
        key = (t.district_id, t.level)
        if key not in chosen or nearness > chosen[key][0]:
            chosen[key] = (nearness, t.count)
    for (code, level), (_n, count) in chosen.items():
        by_code[code].cells[level].target = count


def _totals(rows: list[DistrictProgress]) -> dict[str, Cell]:
    totals = {}
    for level in LEVELS:
        cells = [row.cells[level] for row in rows]
        targets = [c.target for c in cells if c.target is not None]
        totals[level] = Cell(
            target=sum(targets) if targets else None,
            recognised=sum(c.recognised for c in cells),
            in_progress=None if level == TargetLevel.STANDARD else sum(c.in_progress or 0 for c in cells),
        )
    return totals


def standard_enterprises(region: Region, year: int) -> list[str]:
    """The region codes of the active enterprises inside `region` counted as 贯标企业 for `year`: their
    latest self-check finished by the end of the year answers that the provincial standard is implemented
    (rules-standard = yes) or was submitted with the explicit declaration (declares_standard)."""
    # Read-only use of the assessment app's records (bases sits above it, DESIGN §3).
    from shangmi.apps.assessment.models import Answer, Assessment
    from shangmi.apps.assessment.queries import FINISHED

    end = timezone.make_aware(datetime.combine(date(year + 1, 1, 1), time.min))
    finished = (
        Assessment.objects.filter(
            organisation__kind=OrgKind.ENTERPRISE,
            organisation__is_active=True,
            organisation__region__code__startswith=region.code_prefix,
            state__in=FINISHED,
            submitted_at__lt=end,
        )
        .order_by("organisation_id", "-submitted_at", "-pk")
        .values_list("pk", "organisation_id", "organisation__region_id", "declares_standard")
    )
    latest: dict[int, tuple[int, str, bool]] = {}
    for pk, org_id, code, declares in finished:
        latest.setdefault(org_id, (pk, code, declares))
    answered_yes = set(
        Answer.objects.filter(
            assessment_id__in=[pk for pk, _c, _d in latest.values()],
            question_id=STANDARD_QUESTION,
            choice=STANDARD_YES,
        ).values_list("assessment_id", flat=True)
    )
    return [code for pk, code, declares in latest.values() if declares or pk in answered_yes]
