"""The agreements list (协议台账) with filters, the unpaid non-compete warnings, the Excel export, and
the page that drafts a new agreement."""

from __future__ import annotations

import io
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe
from openpyxl import Workbook

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.agreements import agreement_draft
from shangmi.apps.people.actions.non_compete import unpaid_streak
from shangmi.apps.people.forms.agreements import AGREEMENT_FILTERS, AgreementForm
from shangmi.apps.people.models.choices import AgreementKind, AgreementState, NonCompeteDecision
from shangmi.apps.people.queries import agreements_visible_to
from shangmi.apps.people.reminders import unpaid_agreements
from shangmi.apps.registry.spreadsheets.writer import XLSX_CONTENT_TYPE
from shangmi.apps.registry.views.flow import form_page

ENTERPRISE = [OrgKind.ENTERPRISE]
PER_PAGE = 50


def filtered_agreements(member, params: dict):
    qs = agreements_visible_to(member).select_related("employee", "party", "non_compete")
    if params.get("kind") in AgreementKind.values:
        qs = qs.filter(kind=params["kind"])
    if params.get("state") in AgreementState.values:
        qs = qs.filter(state=params["state"])
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(number__icontains=q)
            | Q(employee__name__icontains=q)
            | Q(employee__number__icontains=q)
            | Q(party__name__icontains=q)
        )
    if params.get("unpaid"):
        ids = [a.pk for a, _streak in unpaid_agreements(member.organisation_id, timezone.localdate())]
        qs = qs.filter(pk__in=ids)
    return qs.order_by("-created_at", "-id")


def with_streaks(agreements, today) -> None:
    """`unpaid_months` on each enforced non-compete of the list (zero elsewhere)."""
    for agreement in agreements:
        terms = (
            getattr(agreement, "non_compete", None) if agreement.kind == AgreementKind.NON_COMPETE else None
        )
        agreement.unpaid_months = (
            unpaid_streak(terms, today) if terms and terms.decision == NonCompeteDecision.ENFORCE else 0
        )


@require_safe
@member_required(kinds=ENTERPRISE)
def agreement_list(request):
    member = request.membership
    params = {name: request.GET.get(name, "").strip() for name in AGREEMENT_FILTERS}
    page = Paginator(filtered_agreements(member, params), PER_PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    with_streaks(page.object_list, today)
    everyone = permissions.reads_everyone(member)
    warnings = unpaid_agreements(member.organisation_id, today) if everyone else []
    query = urlencode({k: v for k, v in params.items() if v})
    return render(
        request,
        "people/agreements/list.html",
        {
            "page": page,
            "params": params,
            "query": query,
            "kinds": AgreementKind.choices,
            "states": AgreementState.choices,
            "warnings": warnings,
            "manage": permissions.can_manage(member),
            "everyone": everyone,
        },
    )


@member_required(kinds=ENTERPRISE)
def agreement_new(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    initial = {k: request.GET[k] for k in ("kind", "employee", "party") if k in request.GET}
    form = AgreementForm(request.POST or None, member=member, initial=initial)
    return form_page(
        request,
        form=form,
        perform=lambda f: agreement_draft(member, request=request, **f.action_fields()),
        template="people/agreements/new.html",
        context={},
        success=lambda a: _("已生成协议 %(number)s") % {"number": a.number},
        target=lambda a: reverse("people:agreement", args=[a.pk]),
    )


EXPORT_COLUMNS = (
    gettext_lazy("协议编号"),
    gettext_lazy("协议类型"),
    gettext_lazy("签署对象"),
    gettext_lazy("工号"),
    gettext_lazy("状态"),
    gettext_lazy("生效日期"),
    gettext_lazy("到期日期"),
    gettext_lazy("发送时间"),
    gettext_lazy("签署日期"),
    gettext_lazy("扫描件 SHA-256"),
    gettext_lazy("生成文件 SHA-256"),
    gettext_lazy("竞业期限（月）"),
    gettext_lazy("月补偿金（元）"),
    gettext_lazy("离职时决定"),
    gettext_lazy("竞业起止"),
    gettext_lazy("连续未付补偿（月）"),
)


def _export_row(a) -> list:
    terms = getattr(a, "non_compete", None) if a.kind == AgreementKind.NON_COMPETE else None
    sent = timezone.localtime(a.sent_at).strftime("%Y-%m-%d %H:%M") if a.sent_at else ""
    return [
        a.number,
        a.get_kind_display(),
        a.counterparty,
        a.employee.number if a.employee_id else "",
        a.get_state_display(),
        a.effective_on,
        a.expires_on,
        sent,
        a.signed_on,
        a.scan_sha256,
        a.generated_sha256,
        terms.months if terms else None,
        float(terms.monthly_compensation) if terms else None,
        terms.get_decision_display() if terms else "",
        f"{terms.starts_on} – {terms.ends_on}" if terms and terms.starts_on else "",
        a.unpaid_months or None,
    ]


@require_safe
@member_required(kinds=ENTERPRISE)
def agreement_export(request):
    """The filtered list as .xlsx (managers, officers and admins)."""
    member = request.membership
    if not permissions.reads_everyone(member):
        raise PermissionDenied
    params = {name: request.GET.get(name, "").strip() for name in AGREEMENT_FILTERS}
    return export_response(member, params)


def export_response(member, params: dict) -> HttpResponse:
    rows = list(filtered_agreements(member, params))
    with_streaks(rows, timezone.localdate())
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("协议台账"))
    sheet.append([str(c) for c in EXPORT_COLUMNS])
    for agreement in rows:
        sheet.append(_export_row(agreement))
    info = workbook.create_sheet(_("说明"))
    info.append([_("单位"), member.organisation.name])
    info.append([_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")])
    info.append([_("导出人"), member.user.name])
    info.append([_("协议数"), len(rows)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    day = timezone.localdate().strftime("%Y%m%d")
    name = f"协议台账-{member.organisation.short_code}-{day}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response
