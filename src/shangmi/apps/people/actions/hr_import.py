"""Import employees from an HR system's Excel export (.xlsx), all or nothing.

The first worksheet's first row holds the headers, matched by name in any order (a hint in brackets,
as in “关键人员（是/否）”, and a leading “*” are ignored; other columns are ignored). Every row is checked
first; if any row is bad nothing is stored and the report lists every problem by row, column and message.
A row whose 工号 already exists updates that record (a blank cell keeps the stored value); unknown
departments and positions are created. The workbook's digests are deposited, and each person gets their
timeline row (HIRE for new records, CHANGE and EMPLOY for updated ones), deposited in batches; the
audit trail gets one event for the whole import."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import from_excel

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.records import PersonEventBatch
from shangmi.apps.people.actions.staff import (
    apply_changes,
    clean_email,
    clean_hired_on,
    clean_phone,
    employee_snapshot,
)
from shangmi.apps.people.models import Department, Employee, Position
from shangmi.apps.people.models.choices import EmployeeState, PersonEventKind
from shangmi.apps.registry.actions.validation import require
from shangmi.apps.registry.spreadsheets.upload import check_upload
from shangmi.engines.tlog.material import digest_bytes

MAX_ROWS = 5000
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TEMPLATE_NAME = "人员导入模板.xlsx"

# (header, field, required column, hint shown in the template's header)
COLUMNS = (
    ("工号", "number", True, ""),
    ("姓名", "name", True, ""),
    ("部门", "department", False, ""),
    ("岗位", "position", False, ""),
    ("手机号", "phone", False, ""),
    ("电子邮箱", "email", False, ""),
    ("入职日期", "hired_on", True, ""),
    ("关键人员", "is_key_person", False, "是/否"),
    ("客户岗位", "customer_facing", False, "是/否"),
    ("状态", "state", False, "入职中/在职"),
)
HEADER_OF = {fld: header for header, fld, _r, _h in COLUMNS}
_YES = {"是", "y", "yes", "true", "1", "√", "✓"}
_NO = {"否", "n", "no", "false", "0", "×"}
_STATES = {
    "入职中": EmployeeState.ONBOARDING,
    "onboarding": EmployeeState.ONBOARDING,
    "在职": EmployeeState.EMPLOYED,
    "employed": EmployeeState.EMPLOYED,
}
_HINT = re.compile(r"[（(][^）)]*[）)]")
_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


@dataclass(frozen=True)
class RowProblem:
    row: int  # as Excel numbers it (the header is row 1)
    column: str  # the column's header
    message: str

    @property
    def field(self) -> str:
        return f"第{self.row}行 {self.column}" if self.column else f"第{self.row}行"


class HrImportRejected(ValidationError):
    """The workbook has bad rows; `problems` lists every one, in row and column order."""

    def __init__(self, problems: list[RowProblem]):
        self.problems = sorted(problems, key=lambda p: (p.row, _column_order(p.column)))
        messages: dict[str, list[str]] = {}
        for problem in self.problems:
            messages.setdefault(problem.field, []).append(problem.message)
        super().__init__(messages)


def _column_order(header: str) -> int:
    for index, (name, *_rest) in enumerate(COLUMNS):
        if name == header:
            return index
    return -1


@dataclass(frozen=True)
class HrImportResult:
    created: int
    updated: int
    unchanged: int
    departments_created: int
    positions_created: int
    workbook_sha256: str


@dataclass
class _Row:
    number: int  # the Excel row
    values: dict[str, Any] = field(default_factory=dict)  # field -> cleaned value, only non-blank cells


# ---- reading ---------------------------------------------------------------------------------------


def _header_key(value: Any) -> str:
    text = _HINT.sub("", str(value or "")).replace("*", "")
    return re.sub(r"\s+", "", text)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _date(value: Any) -> date | None | str:
    """A date, None for blank, or "" when unreadable."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if 1 <= value <= 2958465:  # an Excel serial day number of a cell not formatted as a date
            try:
                return from_excel(value).date()
            except (ValueError, OverflowError):
                return ""
        return ""
    match = _DATE_TEXT.match(str(value).strip())
    if match is None:
        return ""
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return ""


def read_rows(data: bytes, problems: list[RowProblem]) -> list[_Row]:
    """Parse and check every row; problems are appended. Database checks come later."""
    check_upload(data)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - any parser failure means the same thing to the user
        raise ValidationError({"file": [_("无法读取工作簿，文件可能已损坏")]}) from None
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None) or ()
        position_of: dict[str, int] = {}
        for index, value in enumerate(header):
            key = _header_key(value)
            fld = next((f for name, f, _r, _h in COLUMNS if name == key), None)
            if fld is None:
                continue
            if fld in position_of:
                problems.append(RowProblem(1, key, _("表头中“%(h)s”列重复") % {"h": key}))
            position_of[fld] = index
        for name, fld, required, _hint in COLUMNS:
            if required and fld not in position_of:
                problems.append(RowProblem(1, name, _("缺少“%(h)s”列") % {"h": name}))
        if problems:
            return []
        parsed: list[_Row] = []
        for number, cells in enumerate(rows, start=2):
            raw = {fld: (cells[i] if i < len(cells) else None) for fld, i in position_of.items()}
            if all(_cell_text(v) == "" for v in raw.values()):
                continue
            if len(parsed) >= MAX_ROWS:
                problems.append(RowProblem(number, "", _("人员超过 %(n)s 行，请分批导入") % {"n": MAX_ROWS}))
                break
            parsed.append(_check_row(number, raw, problems))
    finally:
        workbook.close()
    if not parsed and not problems:
        problems.append(RowProblem(2, HEADER_OF["number"], _("工作簿中没有任何人员")))
    return parsed


def _check_row(number: int, raw: dict[str, Any], problems: list[RowProblem]) -> _Row:
    row = _Row(number)

    def report(fld: str, message: str) -> None:
        problems.append(RowProblem(number, HEADER_OF[fld], message))

    for fld, label, limit in (("number", "工号", 32), ("name", "姓名", 64)):
        text = _cell_text(raw.get(fld))
        if not text:
            report(fld, _("%(label)s不能为空") % {"label": label})
        elif len(text) > limit:
            report(fld, _("%(label)s最长 %(n)s 字") % {"label": label, "n": limit})
        else:
            row.values[fld] = text
    for fld, label in (("department", "部门名称"), ("position", "岗位名称")):
        text = _cell_text(raw.get(fld))
        if len(text) > 64:
            report(fld, _("%(label)s最长 64 字") % {"label": label})
        elif text:
            row.values[fld] = text
    errors: dict = {}
    if _cell_text(raw.get("phone")):
        phone = clean_phone(_cell_text(raw["phone"]), errors)
        if "phone" in errors:
            report("phone", errors["phone"][0])
        else:
            row.values["phone"] = phone
    if _cell_text(raw.get("email")):
        email = clean_email(_cell_text(raw["email"]), errors)
        if "email" in errors:
            report("email", errors["email"][0])
        else:
            row.values["email"] = email
    if "hired_on" in raw:
        day = _date(raw["hired_on"])
        if day == "":
            report(
                "hired_on",
                _("入职日期“%(v)s”无法识别，应为日期（如 2024-03-01）") % {"v": _cell_text(raw["hired_on"])},
            )
        elif day is not None:
            clean_hired_on(day, errors)
            if "hired_on" in errors:
                report("hired_on", errors["hired_on"][0])
            else:
                row.values["hired_on"] = day
    for fld in ("is_key_person", "customer_facing"):
        text = _cell_text(raw.get(fld)).lower()
        if text in _YES:
            row.values[fld] = True
        elif text in _NO:
            row.values[fld] = False
        elif text:
            report(fld, _("应填“是”或“否”，不能是“%(v)s”") % {"v": _cell_text(raw.get(fld))})
    text = _cell_text(raw.get("state"))
    if text:
        if text.lower() in _STATES:
            row.values["state"] = _STATES[text.lower()]
        else:
            report("state", _("状态应为“入职中”或“在职”，不能是“%(v)s”") % {"v": text})
    return row


def _check_against_records(organisation, rows: list[_Row], problems: list[RowProblem]) -> dict[str, Employee]:
    """Duplicates within the file, and what existing records allow. Returns existing records by number."""
    first_row: dict[str, int] = {}
    for row in rows:
        number = row.values.get("number")
        if number is None:
            continue
        if number in first_row:
            problems.append(
                RowProblem(
                    row.number,
                    HEADER_OF["number"],
                    _("工号“%(n)s”与第 %(r)s 行重复") % {"n": number, "r": first_row[number]},
                )
            )
        else:
            first_row[number] = row.number
    existing = {
        e.number: e
        for e in Employee.objects.filter(
            organisation=organisation, number__in=list(first_row)
        ).select_related("department", "position", "user")
    }
    for row in rows:
        number = row.values.get("number")
        current = existing.get(number)
        if current is None:
            if (
                number is not None
                and "hired_on" not in row.values
                and not _reported(problems, row, "hired_on")
            ):
                problems.append(RowProblem(row.number, HEADER_OF["hired_on"], _("新登记人员须填写入职日期")))
            continue
        state = row.values.get("state")
        if state is None or state == current.state:
            continue
        if not (current.state == EmployeeState.ONBOARDING and state == EmployeeState.EMPLOYED):
            problems.append(
                RowProblem(
                    row.number,
                    HEADER_OF["state"],
                    _("工号“%(n)s”当前状态为“%(now)s”，不能通过导入改为“%(to)s”")
                    % {
                        "n": number,
                        "now": current.get_state_display(),
                        "to": EmployeeState(state).label,
                    },
                )
            )
    return existing


def _reported(problems: list[RowProblem], row: _Row, fld: str) -> bool:
    return any(p.row == row.number and p.column == HEADER_OF[fld] for p in problems)


# ---- the import ------------------------------------------------------------------------------------


def hr_import(*, member, workbook_bytes: bytes, request=None) -> HrImportResult:
    """Raises PermissionDenied unless the member manages people (officer, admin), UploadRefused for a file
    that is not a bounded .xlsx, HrImportRejected listing every bad row. Writes nothing on error."""
    require(permissions.can_manage(member))
    problems: list[RowProblem] = []
    rows = read_rows(workbook_bytes, problems)
    existing = _check_against_records(member.organisation, rows, problems) if rows else {}
    if problems:
        raise HrImportRejected(problems)
    return _store(member, rows, existing, workbook_bytes, request)


@transaction.atomic
def _store(
    member, rows: list[_Row], existing: dict[str, Employee], workbook_bytes: bytes, request
) -> HrImportResult:
    organisation = member.organisation
    departments = {d.name: d for d in Department.objects.filter(organisation=organisation)}
    positions = {p.name: p for p in Position.objects.filter(organisation=organisation)}
    made = {"departments": [], "positions": []}

    def named(model, table: dict, name: str | None, kind: str):
        if name is None:
            return None
        if name not in table:
            table[name] = model.objects.create(organisation=organisation, name=name)
            made[kind].append(name)
        return table[name]

    digest = digest_bytes(workbook_bytes)
    [_deposit] = deposit_create_batch(
        organisation=organisation,
        actor=member.user,
        kind="file",
        items=[DepositItem(digest.sha256, digest.sm3, digest.size, label="hr-import")],
        request=request,
    )
    created = updated = unchanged = 0
    source = f"hr-import {digest.sha256}"
    batch = PersonEventBatch(member=member, organisation=organisation, request=request)
    for row in rows:
        values = dict(row.values)
        values["department"] = named(Department, departments, values.get("department"), "departments")
        values["position"] = named(Position, positions, values.get("position"), "positions")
        state = values.pop("state", None)
        current = existing.get(values["number"])
        if current is None:
            employee = Employee(
                organisation=organisation,
                state=state or EmployeeState.ONBOARDING,
                **{k: v for k, v in values.items() if v is not None},
            )
            employee.save(force_insert=True)
            data = employee_snapshot(employee)
            data["source"] = source
            batch.add(
                kind=PersonEventKind.HIRE,
                data=data,
                employee=employee,
                summary=_("登记入职（HR 导入）：%(who)s") % {"who": str(employee)},
            )
            created += 1
            continue
        changes = {k: v for k, v in values.items() if v is not None and k != "number"}
        before = current.state
        changed = any(getattr(current, k) != v for k, v in changes.items())
        apply_changes(member, current, changes, request=request, source=source, batch=batch)
        if state == EmployeeState.EMPLOYED and before == EmployeeState.ONBOARDING:
            current.state = EmployeeState.EMPLOYED
            current.save(update_fields=["state"])
            batch.add(
                kind=PersonEventKind.EMPLOY,
                data={"state": [before, EmployeeState.EMPLOYED], "source": source},
                employee=current,
                summary=_("转为在职（HR 导入）"),
            )
            changed = True
        if changed:
            updated += 1
        else:
            unchanged += 1
    batch.write()
    audit_record(
        organisation=organisation,
        actor=member.user,
        verb="people.hr_import",
        changes={
            "created": created,
            "updated": updated,
            "unchanged": unchanged,
            "departments_created": made["departments"],
            "positions_created": made["positions"],
            "workbook_sha256": digest.sha256,
        },
        request=request,
    )
    return HrImportResult(
        created=created,
        updated=updated,
        unchanged=unchanged,
        departments_created=len(made["departments"]),
        positions_created=len(made["positions"]),
        workbook_sha256=digest.sha256,
    )


# ---- the template ----------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="9C0006")
_HEADER_FILL = PatternFill("solid", fgColor="E7E6E6")


def template_bytes() -> bytes:
    """The import template: the headers (required ones in red) and one example row."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员"
    example = [
        "E0001",
        "张三",
        "研发部",
        "工艺工程师",
        "13800138000",
        "zhangsan@example.com",
        timezone.localdate(),
        "否",
        "否",
        "入职中",
    ]
    for index, (header, _fld, required, hint) in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=f"{header}（{hint}）" if hint else header)
        cell.font = _REQUIRED_FONT if required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        sheet.column_dimensions[get_column_letter(index)].width = 16
        value = sheet.cell(row=2, column=index, value=example[index - 1])
        if isinstance(example[index - 1], date):
            value.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet("说明")
    notes.column_dimensions["A"].width = 100
    for line in (
        "人员导入说明",
        "红色表头为必填列：工号、姓名、入职日期（已登记的工号可不填入职日期）。列的顺序不限，其他列会被忽略。",
        "工号已存在的行会更新该人员的信息；空白单元格保留原值。",
        "部门、岗位不存在时自动创建；岗位的涉密等级请在“岗位”页面设置。",
        "关键人员、客户岗位填“是”或“否”；状态填“入职中”或“在职”（不填为入职中）。",
        "任何一行有误时不导入任何内容，页面会列出每个错误所在的行和列。",
    ):
        notes.append([line])
    notes["A1"].font = Font(bold=True, size=14)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
