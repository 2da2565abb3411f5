"""API of the people side: staff (employees, departments, positions, the HR import).

Tenant access goes through queries.access_* (missing and foreign are both 404; members of regulators
and providers find nothing). Each write calls its action, which checks the role (403) and the input (422
naming the field) and writes nothing on refusal. Object routes read their body only after the object was
found, so an outsider learns nothing from a 422."""

from dataclasses import asdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import ConfigDict, Field

from shangmi.api.pagination import paged
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.hr_import import HrImportRejected, hr_import
from shangmi.apps.people.actions.staff import (
    department_add,
    employee_add,
    employee_employ,
    employee_update,
    position_add,
)
from shangmi.apps.people.forms.staff import filter_employees
from shangmi.apps.people.models.choices import EmployeeState, Sensitivity
from shangmi.apps.people.queries import access_employee, departments_of, employees_visible_to, positions_of
from shangmi.apps.registry.api_schemas import body_doc, read_body
from shangmi.apps.registry.spreadsheets.upload import MAX_UPLOAD_BYTES, UploadRefused, too_large_message

router = Router(tags=["people"])


def _member(request):
    return getattr(request, "membership", None)


# ---- schemas ---------------------------------------------------------------------------------------


class EmployeeFilters(Schema):
    q: str = Field("", max_length=100, description="姓名或工号（子串）")
    department: int | None = None
    position: int | None = None
    state: str = Field("", description="onboarding / employed / resigning / left")
    key: bool = Field(False, description="只看关键人员")
    entrusted: bool = Field(False, description="只看涉密人员（关键人员或涉密岗位）")


class EmployeeOut(Schema):
    id: int
    number: str
    name: str
    phone: str
    email: str
    department_id: int | None
    department: str | None
    position_id: int | None
    position: str | None
    sensitivity: str | None
    is_key_person: bool
    customer_facing: bool
    is_entrusted: bool
    user_id: int | None
    state: str
    hired_on: date
    resignation_on: date | None
    last_day: date | None
    note: str

    @staticmethod
    def resolve_department(obj) -> str | None:
        return obj.department.name if obj.department_id else None

    @staticmethod
    def resolve_position(obj) -> str | None:
        return obj.position.name if obj.position_id else None

    @staticmethod
    def resolve_sensitivity(obj) -> str | None:
        return obj.position.sensitivity if obj.position_id else None


class EmployeeIn(Schema):
    number: str
    name: str
    hired_on: date | None = None
    phone: str = ""
    email: str = ""
    department: int | None = Field(None, description="部门 id")
    position: int | None = Field(None, description="岗位 id")
    is_key_person: bool = False
    customer_facing: bool = False
    user: int | None = Field(None, description="关联账号（用户 id，须为本单位在职成员）")
    note: str = ""
    state: str = Field(EmployeeState.ONBOARDING, description="onboarding（默认）或 employed")


class EmployeePatch(Schema):
    """Only the fields sent are changed; "user": null unlinks the account. Other fields (the state
    among them: it changes through its own steps) are refused."""

    model_config = ConfigDict(extra="forbid")

    number: str | None = None
    name: str | None = None
    hired_on: date | None = None
    phone: str | None = None
    email: str | None = None
    department: int | None = None
    position: int | None = None
    is_key_person: bool | None = None
    customer_facing: bool | None = None
    user: int | None = None
    note: str | None = None


class DepartmentOut(Schema):
    id: int
    name: str


class DepartmentIn(Schema):
    name: str


class PositionOut(Schema):
    id: int
    name: str
    sensitivity: str
    description: str
    is_sensitive: bool


class PositionIn(Schema):
    name: str
    sensitivity: str = Field(Sensitivity.NONE, description="core / important / general / none")
    description: str = ""


class ImportOut(Schema):
    created: int
    updated: int
    unchanged: int
    departments_created: int
    positions_created: int
    workbook_sha256: str


class RowErrorOut(Schema):
    field: str  # 第5行 手机号
    message: str
    row: int
    column: str


class ImportErrorOut(Schema):
    detail: str
    errors: list[RowErrorOut]


# ---- employees -------------------------------------------------------------------------------------


@router.get(
    "/employees",
    response=list[EmployeeOut],
    url_name="people_employee_list",
    summary="人员名册（可筛选、检索）",
)
@paged
def employee_list(request, filters: Query[EmployeeFilters]):
    qs = employees_visible_to(_member(request)).select_related("department", "position")
    return filter_employees(qs, filters.model_dump()).order_by("number", "pk")


@router.post("/employees", response={201: EmployeeOut}, url_name="people_employee_add", summary="登记人员")
def employee_create(request, payload: EmployeeIn):
    employee = employee_add(_member(request), request=request, **payload.model_dump())
    return Status(201, employee)


@router.get(
    "/employees/{employee_id}", response=EmployeeOut, url_name="people_employee_detail", summary="人员信息"
)
def employee_detail(request, employee_id: int):
    return access_employee(_member(request), employee_id)


@router.patch(
    "/employees/{employee_id}",
    response=EmployeeOut,
    openapi_extra=body_doc(EmployeePatch),
    url_name="people_employee_update",
    summary="修改人员信息（含关联账号）",
)
def employee_patch(request, employee_id: int):
    member = _member(request)
    employee = access_employee(member, employee_id)
    if not permissions.can_manage(member):
        raise PermissionDenied  # before reading the body
    body = read_body(request, EmployeePatch)
    employee = employee_update(member, employee, request=request, **body.model_dump(exclude_unset=True))
    return access_employee(member, employee.pk)


@router.post(
    "/employees/{employee_id}/employ",
    response=EmployeeOut,
    url_name="people_employee_employ",
    summary="转为在职（入职中 → 在职）",
)
def employee_to_employed(request, employee_id: int):
    member = _member(request)
    employee = access_employee(member, employee_id)
    employee_employ(member, employee, request=request)
    return access_employee(member, employee.pk)


# ---- departments and positions ----------------------------------------------------------------------


@router.get("/departments", response=list[DepartmentOut], url_name="people_department_list", summary="部门")
@paged
def department_list(request):
    return departments_of(_member(request)).order_by("name", "pk")


@router.post(
    "/departments", response={201: DepartmentOut}, url_name="people_department_add", summary="添加部门"
)
def department_create(request, payload: DepartmentIn):
    return Status(201, department_add(member=_member(request), request=request, **payload.model_dump()))


@router.get(
    "/positions", response=list[PositionOut], url_name="people_position_list", summary="岗位及涉密等级"
)
@paged
def position_list(request):
    return positions_of(_member(request)).order_by("name", "pk")


@router.post("/positions", response={201: PositionOut}, url_name="people_position_add", summary="添加岗位")
def position_create(request, payload: PositionIn):
    return Status(201, position_add(member=_member(request), request=request, **payload.model_dump()))


# ---- the HR import ---------------------------------------------------------------------------------


@router.post(
    "/import",
    response={201: ImportOut, 422: ImportErrorOut},
    url_name="people_import",
    summary="从 HR 表格导入人员（.xlsx，multipart 字段 file；全部通过才导入，否则 422 列出每个错误）",
)
def import_workbook(request, file: File[UploadedFile]):
    member = _member(request)
    if not permissions.can_manage(member):
        raise PermissionDenied  # before reading the upload
    if file.size > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    try:
        result = hr_import(member=member, workbook_bytes=file.read(), request=request)
    except HrImportRejected as rejected:
        errors = [
            {"field": p.field, "message": p.message, "row": p.row, "column": p.column}
            for p in rejected.problems
        ]
        detail = _("工作簿有 %(n)s 处错误，未导入任何内容") % {"n": len(errors)}
        return Status(422, {"detail": detail, "errors": errors})
    return Status(201, asdict(result))
