"""Marking pages: a carrier's mark text and label, a printable sheet of a secret's labels, and the public
page the label's QR code leads to."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.queries import NotFound
from shangmi.apps.accounts.two_factor import owes_second_factor
from shangmi.apps.registry import marking, permissions
from shangmi.apps.registry.models.choices import CarrierState, MarkingState
from shangmi.apps.registry.queries import access_carrier, access_secret


@require_safe
@member_required(kinds=["enterprise"])
def carrier_label(request, carrier_id: int):
    member = request.membership
    carrier = access_carrier(member, carrier_id)
    secret = carrier.secret
    may_mark = (
        permissions.can_manage(member)
        and carrier.state == CarrierState.ACTIVE
        and carrier.marking == MarkingState.UNMARKED
    )
    context = {
        "carrier": carrier,
        "secret": secret,
        "label": marking.label_for(request, carrier),
        "mark_url": reverse("registry:carrier_mark", args=[carrier.pk]) if may_mark else "",
        "detail_url": reverse("registry:detail", args=[secret.pk]),
        "labels_url": reverse("registry:labels", args=[secret.pk]),
    }
    return render(request, "registry/label_carrier.html", context)


@require_safe
@member_required(kinds=["enterprise"])
def secret_labels(request, secret_id: int):
    secret = access_secret(request.membership, secret_id)
    carriers = list(secret.carriers.filter(state=CarrierState.ACTIVE).order_by("code"))
    for carrier in carriers:
        carrier.secret = secret  # one organisation and one secret for the whole sheet
    labels = [marking.label_for(request, carrier) for carrier in carriers]
    context = {
        "secret": secret,
        "sheets": marking.sheets(labels),
        "count": len(labels),
        "detail_url": reverse("registry:detail", args=[secret.pk]),
    }
    return render(request, "registry/label_sheet.html", context)


@login_not_required
@require_safe
def label_proof(request, token: str):
    proof = marking.proof_for_token(token)
    if proof is None:
        raise Http404
    detail_url = ""
    member = getattr(request, "membership", None)
    # A public page: the second-factor gate does not run, so it is checked here before linking inward.
    if (
        member is not None
        and member.organisation_id == proof.organisation_id
        and not owes_second_factor(request.user)
    ):
        try:
            access_secret(member, proof.secret_id)
        except NotFound:
            pass
        else:
            detail_url = reverse("registry:detail", args=[proof.secret_id])
    context = {"proof": proof, "detail_url": detail_url, "verify_url": reverse("verify")}
    return render(request, "registry/label_proof.html", context)
