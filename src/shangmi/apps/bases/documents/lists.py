"""The two lists the bureaus publish (guide art. 11 (5)–(6), art. 14): the public-notice list (拟认定名单
公示) of applications in notice, and the recognition list (认定名单), each as Word and as Excel, limited to
the applications the requesting member may see."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from shangmi.apps.bases.models import AppState, BaseApplication
from shangmi.apps.bases.queries import applications_of
from shangmi.office import word

NOTICE, RECOGNITION = "notice", "recognition"
StrOrPromise = str | Promise


@dataclass(frozen=True)
class ListKind:
    state: str
    title: StrOrPromise
    columns: tuple[StrOrPromise, ...]
    order: tuple[str, ...]


KINDS = {
    NOTICE: ListKind(
        AppState.NOTICE,
        gettext_lazy("商业秘密保护基地拟认定名单公示"),
        (
            gettext_lazy("序号"),
            gettext_lazy("名称"),
            gettext_lazy("类型"),
            gettext_lazy("级别"),
            gettext_lazy("所在区县"),
            gettext_lazy("公示开始"),
            gettext_lazy("公示结束"),
        ),
        ("district_id", "level", "kind", "name", "pk"),
    ),
    RECOGNITION: ListKind(
        AppState.RECOGNISED,
        gettext_lazy("商业秘密保护基地认定名单"),
        (
            gettext_lazy("序号"),
            gettext_lazy("名称"),
            gettext_lazy("类型"),
            gettext_lazy("级别"),
            gettext_lazy("所在区县"),
            gettext_lazy("认定文号"),
            gettext_lazy("认定日期"),
        ),
        ("-recognised_on", "district_id", "level", "kind", "name", "pk"),
    ),
}


def applications_for(member, which: str, year: int | None = None) -> QuerySet[BaseApplication]:
    """The applications of the list that `member` may see, of `year` (申报年度) when given."""
    kind = KINDS[which]
    rows = applications_of(member).filter(state=kind.state)
    if year is not None:
        rows = rows.filter(year=year)
    return rows.order_by(*kind.order)


def rows_of(which: str, applications) -> list[list]:
    """The list's cells in column order; dates as dates (Excel shows them as dates, Word as ISO text)."""
    rows = []
    for number, a in enumerate(applications, start=1):
        common = [
            number,
            a.name,
            a.get_kind_display(),
            a.get_level_display(),
            a.district.name if a.district else "",
        ]
        if which == NOTICE:
            rows.append([*common, a.notice_start, a.notice_end])
        else:
            rows.append([*common, a.document_number, a.recognised_on])
    return rows


def title_of(which: str, year: int | None) -> str:
    title = str(KINDS[which].title)
    return _("%(year)s 年度%(title)s") % {"year": year, "title": title} if year else title


def list_docx(which: str, applications, year: int | None = None) -> bytes:
    document = word.chinese_document()
    word.title(document, title_of(which, year))
    rows = [[_iso(v) for v in row] for row in rows_of(which, applications)]
    word.table(
        document,
        [str(c) for c in KINDS[which].columns],
        rows,
        empty=_("没有符合条件的基地。"),
    )
    document.add_paragraph(
        _("共 %(n)s 个。生成时间：%(at)s")
        % {"n": len(rows), "at": timezone.localtime().strftime("%Y-%m-%d %H:%M")}
    )
    if which == NOTICE:
        document.add_paragraph(
            _("公示期间，如对上述名单有异议，请以书面形式向认定机关反映，并提供必要的证明材料。")
        )
    return word.to_bytes(document)


def list_xlsx(which: str, applications, year: int | None = None) -> bytes:
    """A title on row 1, the header on row 2, one base per row from row 3."""
    columns = KINDS[which].columns
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("公示名单") if which == NOTICE else _("认定名单")
    sheet.append([title_of(which, year)])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([str(c) for c in columns])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows_of(which, applications):
        sheet.append([_safe(v) for v in row])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # a name like =HYPERLINK(…) is text, never a live formula
            elif hasattr(cell.value, "isoformat"):
                cell.number_format = "yyyy-mm-dd"
    for letter, width in zip("ABCDEFG", (6, 36, 12, 8, 12, 22, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe(value):
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def _iso(value) -> object:
    return value.isoformat() if hasattr(value, "isoformat") else value


def file_name(which: str, fmt: str, year: int | None) -> str:
    base = _("公示名单") if which == NOTICE else _("认定名单")
    return f"{base}-{year}.{fmt}" if year else f"{base}.{fmt}"
