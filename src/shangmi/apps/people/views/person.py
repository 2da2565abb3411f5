"""The person page: the record, the onboarding checklist, agreements, trainings, the departure audit and
one timeline of every step, each with its canonical record and evidence-log receipt for download."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.evidence.log_service import receipt_for
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.people import permissions
from shangmi.apps.people.models import Attendance, PersonEvent
from shangmi.apps.people.models.choices import EmployeeState
from shangmi.apps.people.onboarding import onboarding_checklist
from shangmi.apps.people.queries import access_employee, access_person_event, policy_of
from shangmi.apps.people.timeline import person_timeline

ENTERPRISE = [OrgKind.ENTERPRISE]


def _url(name: str, *args) -> str:
    """The page of another area of the people side, or "" while that area does not provide it."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


@require_safe
@member_required(kinds=ENTERPRISE)
def employee(request, employee_id: int):
    member = request.membership
    person = access_employee(member, employee_id)
    reads_all = permissions.reads_everyone(member)
    agreements = list(person.agreements.order_by("-created_at", "-pk"))
    for a in agreements:
        a.url = _url("people:agreement", a.pk)
    attendances = list(
        Attendance.objects.filter(employee=person).select_related("training").order_by("-training__held_on")
    )
    departures = list(person.departures.order_by("-opened_at")) if reads_all else []
    manage = permissions.can_manage(member)
    context = {
        "person": person,
        "manage": manage,
        "reads_all": reads_all,
        "checklist": onboarding_checklist(person, policy_of(person.organisation_id), timezone.localdate()),
        "agreements": agreements,
        "attendances": attendances,
        "departures": departures,
        "events": person_timeline(person),
        "edit_url": _url("people:employee_edit", person.pk) if manage else "",
        "employ_url": _url("people:employee_employ", person.pk)
        if manage and person.state == EmployeeState.ONBOARDING
        else "",
        "resign_url": _url("people:departure_resign", person.pk)
        if manage and person.state in (EmployeeState.ONBOARDING, EmployeeState.EMPLOYED)
        else "",
    }
    return render(request, "people/person/detail.html", context)


def _download_name(event: PersonEvent, suffix: str) -> str:
    subject = (
        event.employee.number if event.employee_id else (event.agreement.number if event.agreement_id else "")
    )
    return f"{subject}-{event.kind}-{event.pk}.{suffix}"


@require_safe
@member_required(kinds=ENTERPRISE)
def event_record(request, person_event_id: int):
    """The exact canonical bytes whose digests were deposited."""
    event = access_person_event(request.membership, person_event_id)
    response = HttpResponse(event.record.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _download_name(event, "json"))
    return response


@require_safe
@member_required(kinds=ENTERPRISE)
def event_receipt(request, person_event_id: int):
    event = access_person_event(request.membership, person_event_id)
    deposit = event.deposit
    if deposit is None or deposit.state != Deposit.State.INCLUDED:
        return HttpResponse(
            _("该记录尚未写入证据日志，请稍后再下载回执"),
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(receipt_for(deposit).to_text(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _download_name(event, "receipt"))
    return response
