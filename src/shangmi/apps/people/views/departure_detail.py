"""One departure audit: the checklist with a completion form per open item, the reminder letter, the
uploaded excerpts, closing the audit; and the resignation form reached from the person page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions import departures as actions
from shangmi.apps.people.forms.departures import ItemCompleteForm, ResignForm
from shangmi.apps.people.models import Departure
from shangmi.apps.people.models.choices import DepartureState, EmployeeState
from shangmi.apps.people.queries import access_departure, access_employee, access_item, timeline_of
from shangmi.apps.people.storage import read_document
from shangmi.apps.registry.views.flow import form_page
from shangmi.office.word import DOCX_CONTENT_TYPE

ENTERPRISE = [OrgKind.ENTERPRISE]


def detail_url(departure) -> str:
    return reverse("people:departure", args=[departure.pk])


def _require_manage(member) -> None:
    if not permissions.can_manage(member):
        raise PermissionDenied


@member_required(kinds=ENTERPRISE)
def departure_resign(request, employee_id: int):
    member = request.membership
    employee = access_employee(member, employee_id)
    _require_manage(member)
    refusal = ""
    open_audit = None
    if employee.state in (EmployeeState.RESIGNING, EmployeeState.LEFT):
        refusal = _("%(name)s 当前状态为“%(state)s”，不能再次登记离职。") % {
            "name": employee.name,
            "state": employee.get_state_display(),
        }
        open_audit = employee.departures.order_by("-opened_at").first()
    return form_page(
        request,
        form=ResignForm(request.POST or None),
        perform=lambda f: actions.employee_resign(
            member=member, employee=employee, request=request, **f.cleaned_data
        ),
        template="people/departures/resign.html",
        context={"person": employee, "refusal": refusal, "open_audit": open_audit},
        success=lambda d: _("已登记 %(name)s 离职，离职审计已开启") % {"name": employee.name},
        target=detail_url,
    )


def _render_detail(request, departure: Departure, *, bound=None, status: int = 200):
    member = request.membership
    manage = permissions.can_manage(member) and departure.state == DepartureState.OPEN
    items = list(
        departure.items.select_related("carrier", "grant__secret", "agreement", "done_by", "file_deposit")
    )
    for item in items:
        item.form = None
        if manage and not item.is_done:
            item.form = (
                bound if bound is not None and bound.item.pk == item.pk else ItemCompleteForm(item=item)
            )
    done = sum(1 for i in items if i.is_done)
    missing = [i for i in items if i.mandatory and not i.is_done]
    return render(
        request,
        "people/departures/detail.html",
        {
            "departure": departure,
            "person": departure.employee,
            "items": items,
            "done": done,
            "total": len(items),
            "missing": missing,
            "manage": manage,
            "officer": permissions.can_manage(member),
            "events": timeline_of(departure.employee).filter(at__gte=departure.opened_at),
        },
        status=status,
    )


@member_required(kinds=ENTERPRISE)
def departure_detail(request, departure_id: int):
    return _render_detail(request, access_departure(request.membership, departure_id))


@require_POST
@member_required(kinds=ENTERPRISE)
def item_complete(request, item_id: int):
    member = request.membership
    item = access_item(member, item_id)
    _require_manage(member)
    form = ItemCompleteForm(request.POST, request.FILES, item=item)
    if form.is_valid():
        try:
            actions.item_complete(member=member, item=item, request=request, **form.action_fields())
        except ValidationError as error:
            form.show_action_error(error)
        else:
            messages.success(request, _("已完成：%(item)s") % {"item": item.get_kind_display()})
            return redirect(detail_url(item.departure) + f"#item-{item.pk}")
    departure = Departure.objects.select_related("employee").get(pk=item.departure_id)
    return _render_detail(request, departure, bound=form, status=422)


@member_required(kinds=ENTERPRISE)
def item_file(request, item_id: int):
    """The uploaded excerpt of an item, as stored (its SHA-256 was deposited)."""
    item = access_item(request.membership, item_id)
    if not item.file_deposit_id:
        raise Http404
    try:
        data = read_document(item.departure.organisation_id, item.file_sha256)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(data, content_type="application/octet-stream")
    response["Content-Disposition"] = _attachment(item.file_name or "excerpt")
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _attachment(name: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"download\"; filename*=UTF-8''{quote(name)}"


def letter_response(member, departure, request) -> HttpResponse:
    data = actions.letter_generate(member=member, departure=departure, request=request)
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    name = f"保密义务提醒函-{departure.employee.name}-{departure.employee.number}.docx"
    response["Content-Disposition"] = _attachment(name)
    return response


@member_required(kinds=ENTERPRISE)
def departure_letter(request, departure_id: int):
    """Generate the reminder letter; each generation is recorded with the letter's digest."""
    member = request.membership
    departure = access_departure(member, departure_id)
    _require_manage(member)
    return letter_response(member, departure, request)


@require_POST
@member_required(kinds=ENTERPRISE)
def departure_close(request, departure_id: int):
    member = request.membership
    departure = access_departure(member, departure_id)
    _require_manage(member)
    try:
        actions.departure_close(member=member, departure=departure, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("离职审计已完成并存证，%(name)s 已离职") % {"name": departure.employee.name}
        )
    return redirect(detail_url(departure))
