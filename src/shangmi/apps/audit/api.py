"""Audit API: the active organisation's events, for its admins and secrecy officers."""

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from ninja import Router, Schema

from shangmi.api.pagination import paged
from shangmi.apps.accounts.queries import is_org_admin
from shangmi.apps.audit.queries import events_for

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    seq: int
    created_at: datetime
    actor_label: str
    verb: str
    object_type: str
    object_id: str
    object_repr: str
    changes: dict[str, Any]
    ip: str | None
    prev_hash: str
    hash: str


@router.get("/events", response=list[AuditEventOut], summary="审计事件（按序号倒序）")
@paged
def events(
    request,
    q: str = "",
    verb: str = "",
    actor: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
):
    if not is_org_admin(request.membership):
        raise PermissionDenied
    return events_for(request.organisation, q=q, verb=verb, actor=actor, date_from=date_from, date_to=date_to)
