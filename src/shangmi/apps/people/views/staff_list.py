"""The employees list (人员名册): filters, search by name or number, 50 rows a page, and its Excel export.

Officers and admins manage the list, managers read it, an employee sees only their own record."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.hr_import import XLSX_CONTENT_TYPE
from shangmi.apps.people.forms.staff import FILTERS, filter_employees
from shangmi.apps.people.models.choices import EmployeeState, Sensitivity
from shangmi.apps.people.queries import departments_of, employee_of, employees_visible_to, positions_of

PAGE_SIZE = 50
MAX_EXPORT_ROWS = 50000


def _params(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in FILTERS}


def _rows(member, params):
    qs = employees_visible_to(member).select_related("department", "position", "user")
    return filter_employees(qs, params).order_by("number", "pk")


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def employees(request):
    member = request.membership
    if not permissions.reads_everyone(member):
        # An employee's roster is their own record: go straight to it.
        mine = employee_of(member)
        if mine is not None:
            return redirect("people:employee", mine.pk)
    params = _params(request)
    page = Paginator(_rows(member, params), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "employees": page.object_list,
        "params": params,
        "filtered": any(params.values()),
        "query": urlencode({k: v for k, v in params.items() if v}),
        "departments": departments_of(member).order_by("name"),
        "positions": positions_of(member).order_by("name"),
        "states": EmployeeState.choices,
        "manage": permissions.can_manage(member),
        "reads_everyone": permissions.reads_everyone(member),
    }
    return render(request, "people/staff/list.html", context)


EXPORT_COLUMNS = (
    "工号",
    "姓名",
    "部门",
    "岗位",
    "涉密等级",
    "手机号",
    "电子邮箱",
    "入职日期",
    "关键人员",
    "客户岗位",
    "涉密人员",
    "状态",
    "关联账号",
)


def _text(value):
    """Text stays text: a name such as “=HYPERLINK(…)” must not become a formula in the officer's Excel."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def export_bytes(rows) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "人员名册"
    sensitivity = dict(Sensitivity.choices)
    state = dict(EmployeeState.choices)
    yes, no = _("是"), _("否")
    for index, header in enumerate(EXPORT_COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        sheet.column_dimensions[get_column_letter(index)].width = 16
    for line, e in enumerate(rows, start=2):
        values = [
            e.number,
            e.name,
            e.department.name if e.department_id else "",
            e.position.name if e.position_id else "",
            str(sensitivity.get(e.position.sensitivity, "")) if e.position_id else "",
            e.phone,
            e.email,
            e.hired_on,
            yes if e.is_key_person else no,
            yes if e.customer_facing else no,
            yes if e.is_entrusted else no,
            str(state.get(e.state, e.state)),
            e.user.email if e.user_id else "",
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row=line, column=column, value=_text(value))
            if isinstance(value, str):
                cell.data_type = "s"
            elif column == 8:
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(EXPORT_COLUMNS))}{sheet.max_row}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def export_response(member, params) -> HttpResponse:
    """The visible list with its filters as .xlsx (managers, officers and admins only)."""
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    data = export_bytes(_rows(member, params)[:MAX_EXPORT_ROWS])
    day = timezone.localdate().strftime("%Y%m%d")
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    name = f"人员名册-{member.organisation.short_code}-{day}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE])
def export_xlsx(request):
    return export_response(request.membership, _params(request))
