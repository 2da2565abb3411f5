"""Adding and editing a personnel record, and the step from onboarding to employed. Officers and admins."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.staff import employee_add, employee_employ, employee_update
from shangmi.apps.people.forms.staff import EmployeeForm
from shangmi.apps.people.models.choices import EmployeeState
from shangmi.apps.people.queries import access_employee
from shangmi.apps.registry.views.flow import form_page


def _manager(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    return member


def _person_url(employee) -> str:
    return reverse("people:employee", args=[employee.pk])


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def employee_add_page(request):
    member = _manager(request)
    return form_page(
        request,
        form=EmployeeForm(request.POST or None, organisation=member.organisation),
        perform=lambda f: employee_add(member, request=request, **f.action_fields()),
        template="people/staff/employee_form.html",
        context={"title": _("登记人员"), "submit": _("登记")},
        success=lambda e: _("已登记 %(who)s，状态为“入职中”") % {"who": str(e)},
        target=_person_url,
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def employee_edit_page(request, employee_id: int):
    employee = access_employee(request.membership, employee_id)
    member = _manager(request)
    return form_page(
        request,
        form=EmployeeForm(request.POST or None, organisation=member.organisation, employee=employee),
        perform=lambda f: employee_update(member, employee, request=request, **f.action_fields()),
        template="people/staff/employee_form.html",
        context={"title": _("编辑人员信息"), "submit": _("保存"), "person": employee},
        success=lambda e: _("已保存 %(who)s 的信息") % {"who": str(e)},
        target=_person_url,
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def employee_employ_page(request, employee_id: int):
    employee = access_employee(request.membership, employee_id)
    member = _manager(request)
    error = ""
    if request.method == "POST":
        try:
            employee_employ(member, employee, request=request)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("%(who)s 已转为在职") % {"who": str(employee)})
            return redirect(_person_url(employee))
    elif employee.state != EmployeeState.ONBOARDING:
        error = _("%(who)s 当前状态为“%(state)s”，只有“入职中”的人员可以转为在职") % {
            "who": str(employee),
            "state": employee.get_state_display(),
        }
    return render(
        request,
        "people/staff/employ.html",
        {"person": employee, "error": error},
        status=422 if error and request.method == "POST" else 200,
    )
