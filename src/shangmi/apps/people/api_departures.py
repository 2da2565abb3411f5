"""API of the people side: departures (离职审计) — record a resignation, list and read audits, complete
checklist items (multipart for the access review's log excerpt), close, and the reminder letter.

Path objects go through queries.access_* (404 for missing and foreign alike); bodies are read only
after the object was found; the actions check the role (403) and the input (422 naming the field)."""

from datetime import date, datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.people import permissions
from shangmi.apps.people.actions import departures as actions
from shangmi.apps.people.models import Departure, DepartureItem
from shangmi.apps.people.queries import (
    access_departure,
    access_employee,
    access_item,
    agreements_visible_to,
    departures_visible_to,
)
from shangmi.apps.people.views.departure_detail import letter_response
from shangmi.apps.people.views.departures import filter_departures, with_progress
from shangmi.apps.registry.api_schemas import body_doc, read_body

router = Router(tags=["people"])


class ResignIn(Schema):
    resignation_on: date | None = None
    last_day: date | None = None
    reason: str = ""


class DepartureFilters(Schema):
    state: str = ""
    q: str = ""


class DepartureOut(Schema):
    id: int
    employee_id: int
    employee_name: str
    employee_number: str
    state: str
    resignation_on: date
    last_day: date
    reason: str
    opened_at: datetime
    closed_at: datetime | None
    item_total: int
    item_done: int
    mandatory_open: int


class ItemOut(Schema):
    id: int
    kind: str
    subject: str
    mandatory: bool
    outcome: str
    note: str
    carrier_id: int | None
    grant_id: int | None
    agreement_id: int | None
    file_name: str
    file_sha256: str
    file_url: str | None
    done_at: datetime | None
    done_by: str | None


class DepartureDetailOut(DepartureOut):
    interview_notes: str
    items: list[ItemOut]


def _member(request):
    return getattr(request, "membership", None)


def _counted(departure: Departure) -> Departure:
    return with_progress(Departure.objects.filter(pk=departure.pk)).select_related("employee").get()


def _out(d: Departure) -> dict:
    return {
        "id": d.pk,
        "employee_id": d.employee_id,
        "employee_name": d.employee.name,
        "employee_number": d.employee.number,
        "state": d.state,
        "resignation_on": d.resignation_on,
        "last_day": d.last_day,
        "reason": d.reason,
        "opened_at": d.opened_at,
        "closed_at": d.closed_at,
        "item_total": d.item_total,
        "item_done": d.item_done,
        "mandatory_open": d.mandatory_open,
    }


def _item_out(i: DepartureItem) -> dict:
    return {
        "id": i.pk,
        "kind": i.kind,
        "subject": i.subject,
        "mandatory": i.mandatory,
        "outcome": i.outcome,
        "note": i.note,
        "carrier_id": i.carrier_id,
        "grant_id": i.grant_id,
        "agreement_id": i.agreement_id,
        "file_name": i.file_name,
        "file_sha256": i.file_sha256,
        "file_url": reverse("people:departure_item_file", args=[i.pk]) if i.file_deposit_id else None,
        "done_at": i.done_at,
        "done_by": i.done_by.name if i.done_by_id else None,
    }


def _detail(departure: Departure) -> dict:
    d = _counted(departure)
    items = d.items.select_related("done_by").order_by("position", "pk")
    return {**_out(d), "interview_notes": d.interview_notes, "items": [_item_out(i) for i in items]}


@router.post(
    "/employees/{employee_id}/resign",
    response={201: DepartureOut},
    openapi_extra=body_doc(ResignIn),
    url_name="people_employee_resign",
    summary="登记离职并开启离职审计",
)
def employee_resign(request, employee_id: int):
    member = _member(request)
    employee = access_employee(member, employee_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    body = read_body(request, ResignIn)
    departure = actions.employee_resign(
        member=member, employee=employee, request=request, **body.model_dump()
    )
    return Status(201, _out(_counted(departure)))


@router.get(
    "/departures", response=list[DepartureOut], url_name="people_departure_list", summary="离职审计列表"
)
@paged
def departure_list(request, filters: Query[DepartureFilters]):
    member = _member(request)
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    qs = with_progress(filter_departures(departures_visible_to(member), filters.model_dump()))
    return [_out(d) for d in qs.select_related("employee").order_by("state", "-opened_at", "-pk")]


@router.get(
    "/departures/{departure_id}",
    response=DepartureDetailOut,
    url_name="people_departure_detail",
    summary="离职审计详情与清单",
)
def departure_detail(request, departure_id: int):
    return _detail(access_departure(_member(request), departure_id))


_COMPLETE_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["outcome"],
                    "properties": {
                        "outcome": {
                            "type": "string",
                            "enum": ["done", "returned", "deleted", "not_applicable"],
                        },
                        "note": {"type": "string"},
                        "decision": {"type": "string", "enum": ["enforce", "waive"]},
                        "agreement_id": {"type": "integer"},
                        "file": {"type": "string", "format": "binary"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/departure-items/{item_id}/complete",
    response=ItemOut,
    openapi_extra=_COMPLETE_DOC,
    url_name="people_departure_item_complete",
    summary="完成离职审计事项（multipart；访问审查须上传日志摘录 file）",
)
def item_complete(request, item_id: int):
    member = _member(request)
    item = access_item(member, item_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    data = request.POST
    agreement = None
    raw = (data.get("agreement_id") or "").strip()
    if raw:
        agreement = agreements_visible_to(member).filter(pk=int(raw) if raw.isdigit() else 0).first()
        if agreement is None:
            raise ValidationError({"agreement": [_("未找到该协议")]})
    done = actions.item_complete(
        member=member,
        item=item,
        outcome=data.get("outcome", ""),
        note=data.get("note", ""),
        decision=data.get("decision", ""),
        agreement=agreement,
        file=request.FILES.get("file"),
        request=request,
    )
    return _item_out(done)


@router.post(
    "/departures/{departure_id}/close",
    response=DepartureOut,
    url_name="people_departure_close",
    summary="关闭离职审计（所有必须事项完成后）并存证",
)
def departure_close(request, departure_id: int):
    member = _member(request)
    departure = access_departure(member, departure_id)
    return _out(_counted(actions.departure_close(member=member, departure=departure, request=request)))


@router.get(
    "/departures/{departure_id}/letter.docx",
    url_name="people_departure_letter",
    summary="生成保密义务提醒函（.docx），生成记录存证",
)
def departure_letter(request, departure_id: int):
    member = _member(request)
    departure = access_departure(member, departure_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    return letter_response(member, departure, request)
