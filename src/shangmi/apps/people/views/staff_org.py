"""Departments and positions (with their sensitivity): managers read them, officers and admins edit."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.staff import (
    department_add,
    department_rename,
    position_add,
    position_update,
)
from shangmi.apps.people.forms.staff import DepartmentForm, PositionForm
from shangmi.apps.people.models import Employee
from shangmi.apps.people.models.choices import EmployeeState
from shangmi.apps.people.queries import (
    access_department,
    access_position,
    departments_of,
    positions_of,
)
from shangmi.apps.registry.views.flow import form_page


def _reader(request):
    member = request.membership
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    return member


def _manager(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    return member


def _with_counts(qs, field: str):
    """Rows with the number of current (not yet left) people in each."""
    counts = dict(
        Employee.objects.filter(**{f"{field}__in": qs})
        .exclude(state=EmployeeState.LEFT)
        .order_by()
        .values_list(field)
        .annotate(n=Count("id"))
    )
    rows = list(qs.order_by("name"))
    for row in rows:
        row.people = counts.get(row.pk, 0)
    return rows


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def departments(request):
    member = _reader(request)
    return form_page(
        request,
        form=DepartmentForm(request.POST or None),
        perform=lambda f: department_add(member=member, request=request, **f.cleaned_data),
        template="people/staff/departments.html",
        context={
            "rows": _with_counts(departments_of(member), "department"),
            "manage": permissions.can_manage(member),
        },
        success=lambda d: _("已添加部门“%(name)s”") % {"name": d.name},
        target=lambda d: reverse("people:departments"),
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def department_edit(request, department_id: int):
    department = access_department(request.membership, department_id)
    member = _manager(request)
    return form_page(
        request,
        form=DepartmentForm(request.POST or None, initial={"name": department.name}),
        perform=lambda f: department_rename(
            member=member, department=department, request=request, **f.cleaned_data
        ),
        template="people/staff/org_form.html",
        context={
            "title": _("修改部门名称"),
            "back": reverse("people:departments"),
            "back_label": _("部门"),
        },
        success=lambda d: _("部门名称已改为“%(name)s”") % {"name": d.name},
        target=lambda d: reverse("people:departments"),
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def positions(request):
    member = _reader(request)
    return form_page(
        request,
        form=PositionForm(request.POST or None),
        perform=lambda f: position_add(member=member, request=request, **f.cleaned_data),
        template="people/staff/positions.html",
        context={
            "rows": _with_counts(positions_of(member), "position"),
            "manage": permissions.can_manage(member),
        },
        success=lambda p: _("已添加岗位“%(name)s”") % {"name": p.name},
        target=lambda p: reverse("people:positions"),
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def position_edit(request, position_id: int):
    position = access_position(request.membership, position_id)
    member = _manager(request)
    return form_page(
        request,
        form=PositionForm(request.POST or None, position=position),
        perform=lambda f: position_update(
            member=member, position=position, request=request, **f.cleaned_data
        ),
        template="people/staff/org_form.html",
        context={"title": _("编辑岗位"), "back": reverse("people:positions"), "back_label": _("岗位")},
        success=lambda p: _("岗位“%(name)s”已保存") % {"name": p.name},
        target=lambda p: reverse("people:positions"),
    )
