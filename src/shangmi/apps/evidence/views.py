"""The deposit list with state and receipt download."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.evidence.log_service import origin, receipt_for, verifier_key
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.evidence.queries import access_deposit, deposits_of


@member_required()
def deposit_list(request):
    qs = deposits_of(request.organisation)
    q = request.GET.get("q", "").strip().lower()
    if q:
        qs = qs.filter(Q(sha256__startswith=q) | Q(sm3__startswith=q) | Q(label__icontains=q))
    state = request.GET.get("state", "")
    if state in Deposit.State.values:
        qs = qs.filter(state=state)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    totals = deposits_of(request.organisation).aggregate(
        total=Count("id"), included=Count("id", filter=Q(state=Deposit.State.INCLUDED))
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": q,
        "state": state,
        "states": Deposit.State.choices,
        "totals": totals,
        "query": query.urlencode(),
        "origin": origin(),
        "vkey": verifier_key(),
    }
    template = "evidence/list.html#rows" if request.htmx else "evidence/list.html"
    return render(request, template, context)


@member_required()
def deposit_receipt(request, deposit_id: int):
    deposit = access_deposit(request.organisation, deposit_id)
    if deposit.state != Deposit.State.INCLUDED:
        return HttpResponse(
            _("尚未入链，请稍后再下载回执"), status=409, content_type="text/plain; charset=utf-8"
        )
    response = HttpResponse(receipt_for(deposit).to_text(), content_type="text/plain; charset=utf-8")
    name = f"{deposit.label or deposit.sha256[:16]}.receipt"
    # RFC 6266 filename*: labels are usually Chinese file names.
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
