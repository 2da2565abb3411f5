"""The 合理保密措施 dossier of one trade secret: the page with its cut-off date form and per-category
counts, and the DOCX and ZIP downloads. For members who read the whole register of their own
organisation; a secret of another organisation and a missing one are the same 404."""

from __future__ import annotations

from datetime import date

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from django.views.decorators.http import require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.assessment.dossier.export import art6_text, dossier_docx, dossier_name, dossier_zip
from shangmi.apps.assessment.dossier.measures import collect_measures
from shangmi.apps.registry import permissions
from shangmi.apps.registry.models import TradeSecret
from shangmi.apps.registry.queries import access_secret
from shangmi.office.word import DOCX_CONTENT_TYPE

ENTERPRISE = [OrgKind.ENTERPRISE]


class CutoffForm(forms.Form):
    cutoff = forms.DateField(
        label=pgettext_lazy("dossier", "截止日期"),
        required=False,
        input_formats=["%Y-%m-%d"],
        error_messages={"invalid": gettext_lazy("截止日期应为有效日期，格式 YYYY-MM-DD")},
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d"),
    )


def dossier_secret(member, secret_id: int) -> TradeSecret:
    """The secret, for members who read the whole register (403 for an employee entrusted with it;
    404 alike for a missing secret, another organisation's, and one the member may not see)."""
    secret = access_secret(member, secret_id)
    if not permissions.reads_everything(member):
        raise PermissionDenied
    return secret


def _cutoff(request) -> tuple[CutoffForm, date | None]:
    form = CutoffForm(request.GET or None)
    if not form.is_bound:
        return CutoffForm(initial={"cutoff": timezone.localdate()}), timezone.localdate()
    if not form.is_valid():
        return form, None
    return form, form.cleaned_data["cutoff"] or timezone.localdate()


@require_safe
@member_required(kinds=ENTERPRISE)
def dossier(request, secret_id: int):
    secret = dossier_secret(request.membership, secret_id)
    form, cutoff = _cutoff(request)
    context = {"secret": secret, "form": form, "cutoff": cutoff}
    if cutoff is not None:
        found = collect_measures(secret, cutoff)
        context.update(
            dossier=found,
            sections=[(s, art6_text(s.category.art6)) for s in found.sections()],
            future=cutoff > timezone.localdate(),
            query=f"?cutoff={cutoff:%Y-%m-%d}",
        )
    return render(request, "assessment/dossier.html", context, status=200 if cutoff else 400)


def _download(request, secret_id: int, render_bytes, content_type: str, suffix: str) -> HttpResponse:
    secret = dossier_secret(request.membership, secret_id)
    form, cutoff = _cutoff(request)
    if cutoff is None:
        message = "; ".join(f"{pgettext('dossier', '截止日期')}：{e}" for e in form.errors.get("cutoff", []))
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(render_bytes(collect_measures(secret, cutoff)), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, dossier_name(secret, cutoff, suffix))
    return response


@require_safe
@member_required(kinds=ENTERPRISE)
def dossier_docx_download(request, secret_id: int):
    return _download(request, secret_id, dossier_docx, DOCX_CONTENT_TYPE, "docx")


@require_safe
@member_required(kinds=ENTERPRISE)
def dossier_zip_download(request, secret_id: int):
    return _download(request, secret_id, dossier_zip, "application/zip", "zip")
