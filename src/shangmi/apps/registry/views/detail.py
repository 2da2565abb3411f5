"""A secret's page: every field, secret points, reviews, carriers, access grants and the timeline, with
each timeline record and its evidence-log receipt for download."""

from __future__ import annotations

import json

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.evidence.log_service import receipt_for
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry.acknowledgements_pending import position_progress
from shangmi.apps.registry.models import SecretEvent
from shangmi.apps.registry.models.choices import DeclassifyReason, DestroyMethod, EventKind, ReviewDecision
from shangmi.apps.registry.queries import access_event, access_secret, timeline
from shangmi.apps.registry.views.allowed import steps_for

ENTERPRISE = [OrgKind.ENTERPRISE]


def _label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def summarise(event: SecretEvent) -> str:
    """One line saying what the event's record holds (the record itself is downloadable)."""
    try:
        data = json.loads(event.record).get("data") or {}
    except ValueError:
        return ""
    kind = event.kind
    if kind == EventKind.APPLY:
        return _("密点 %(n)s 个") % {"n": len((data.get("snapshot") or {}).get("points") or [])}
    if kind == EventKind.REVIEW:
        return _label(ReviewDecision, data.get("decision"))
    if kind in (EventKind.APPROVE, EventKind.REFUSE):
        return data.get("opinion") or ""
    if kind == EventKind.AMEND:
        return data.get("reason") or ""
    if kind == EventKind.DECLASSIFY:
        return " ".join(filter(None, [_label(DeclassifyReason, data.get("reason")), data.get("note")]))
    if kind == EventKind.CARRIER_DESTROY:
        method = _label(DestroyMethod, data.get("method"))
        return f"{data.get('carrier', '')} · {method} · {data.get('witness', '')}"
    if kind in (EventKind.CARRIER_ADD, EventKind.CARRIER_MARK):
        return data.get("carrier") or ""
    if kind in (EventKind.GRANT, EventKind.GRANT_REVOKE):
        return data.get("to") or ""
    if kind == EventKind.GRANT_ACK:
        return data.get("by") or ""
    return ""


@member_required(kinds=ENTERPRISE)
def secret_detail(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    reviews = list(secret.reviews.select_related("reviewer"))
    carriers = list(secret.carriers.select_related("custodian", "deposit"))
    grants = list(secret.grants.select_related("user", "granted_by"))
    progress = position_progress(grants)
    for grant in grants:
        grant.ack_progress = progress.get(grant.pk)
    events = list(timeline(secret))
    for event in events:
        event.summary = summarise(event)
    steps = steps_for(member, secret, reviewed_by_me=any(r.reviewer_id == member.user_id for r in reviews))
    context = {
        "secret": secret,
        "points": secret.points.all(),
        "reviews": reviews,
        "carriers": carriers,
        "grants": grants,
        "events": events,
        "steps": steps,
        "me": member.user_id,
    }
    return render(request, "registry/detail.html", context)


def _download_name(event: SecretEvent, suffix: str) -> str:
    return f"{event.secret.code}-{event.kind}-{event.pk}.{suffix}"


@member_required(kinds=ENTERPRISE)
def event_record(request, event_id: int):
    """The exact canonical bytes whose digests were deposited."""
    event = access_event(request.membership, event_id)
    response = HttpResponse(event.record.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, _download_name(event, "json"))
    return response


@member_required(kinds=ENTERPRISE)
def event_receipt(request, event_id: int):
    event = access_event(request.membership, event_id)
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
