"""An agreement's page: its data and state, the generated DOCX and the signed scan for download, the
steps (send, sign with the scan, terminate), and for a non-compete the terms, the payments with the
three-month warning, and the decision at departure."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.agreements import (
    SIGNABLE,
    TERMINABLE,
    agreement_send,
    agreement_sign,
    agreement_terminate,
)
from shangmi.apps.people.actions.non_compete import (
    UNPAID_WARNING_MONTHS,
    non_compete_decide,
    payment_record,
    terms_of,
    unpaid_streak,
)
from shangmi.apps.people.documents.agreements import render_agreement
from shangmi.apps.people.forms.agreements import DecideForm, PaymentForm, SignForm, TerminateForm
from shangmi.apps.people.models import PersonEvent
from shangmi.apps.people.models.choices import AgreementState, NonCompeteDecision
from shangmi.apps.people.queries import access_agreement
from shangmi.apps.people.storage import read_document
from shangmi.apps.registry.views.flow import form_page
from shangmi.office.word import DOCX_CONTENT_TYPE

ENTERPRISE = [OrgKind.ENTERPRISE]
SCAN_TYPES = {b"%PDF-": "application/pdf", b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}


def detail_url(agreement) -> str:
    return reverse("people:agreement", args=[agreement.pk])


def _manager(request, agreement_id: int):
    """The agreement (404 when not visible) for an officer or admin (403 otherwise)."""
    member = request.membership
    agreement = access_agreement(member, agreement_id)
    if not permissions.can_manage(member):
        raise PermissionDenied
    return member, agreement


@require_safe
@member_required(kinds=ENTERPRISE)
def agreement_detail(request, agreement_id: int):
    member = request.membership
    agreement = access_agreement(member, agreement_id)
    terms = terms_of(agreement)
    today = timezone.localdate()
    streak = unpaid_streak(terms, today) if terms else 0
    events = PersonEvent.objects.filter(agreement=agreement).select_related("deposit").order_by("at", "id")
    manage = permissions.can_manage(member)
    context = {
        "agreement": agreement,
        "terms": terms,
        "payments": list(terms.payments.order_by("month")) if terms else [],
        "streak": streak,
        "warning": streak >= UNPAID_WARNING_MONTHS,
        "events": events,
        "manage": manage,
        "can_send": manage and agreement.state == AgreementState.DRAFT,
        "can_sign": manage and agreement.state in SIGNABLE,
        "can_terminate": manage and agreement.state in TERMINABLE,
        "can_decide": manage
        and terms is not None
        and terms.decision == NonCompeteDecision.PENDING
        and agreement.state in (AgreementState.DRAFT, AgreementState.SENT, AgreementState.SIGNED),
        "can_pay": manage and terms is not None and terms.decision == NonCompeteDecision.ENFORCE,
    }
    return render(request, "people/agreements/detail.html", context)


@require_safe
@member_required(kinds=ENTERPRISE)
def agreement_document(request, agreement_id: int):
    """The DOCX exactly as generated (its SHA-256 is on the record); regenerated if the file is gone."""
    agreement = access_agreement(request.membership, agreement_id)
    try:
        data = read_document(agreement.organisation_id, agreement.generated_sha256)
    except FileNotFoundError:
        data = render_agreement(agreement)
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    name = f"{agreement.number}-{agreement.get_kind_display()}.docx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


def scan_response(agreement) -> HttpResponse:
    if not agreement.scan_sha256:
        raise Http404
    try:
        data = read_document(agreement.organisation_id, agreement.scan_sha256)
    except FileNotFoundError:
        raise Http404 from None
    content_type = next(
        (t for magic, t in SCAN_TYPES.items() if data.startswith(magic)), "application/octet-stream"
    )
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, agreement.scan_name or "scan")
    return response


@require_safe
@member_required(kinds=ENTERPRISE)
def agreement_scan(request, agreement_id: int):
    return scan_response(access_agreement(request.membership, agreement_id))


@require_POST
@member_required(kinds=ENTERPRISE)
def agreement_send_view(request, agreement_id: int):
    member, agreement = _manager(request, agreement_id)
    try:
        agreement_send(member, agreement, request=request)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("协议 %(number)s 已标记为已发送") % {"number": agreement.number})
    return redirect(detail_url(agreement))


def _step_page(request, agreement, *, refusal: str, title: str, submit: str, intro: str = "", **flow):
    context = {
        "agreement": agreement,
        "title": title,
        "submit": submit,
        "intro": intro,
        "refusal": refusal,
        **flow.pop("context", {}),
    }
    return form_page(
        request,
        template="people/agreements/form.html",
        context=context,
        success=flow.pop("success"),
        target=flow.pop("target", lambda _result: detail_url(agreement)),
        **flow,
    )


def _state_refusal(agreement, states, action: str) -> str:
    if agreement.state in states:
        return ""
    return _("协议“%(number)s”当前状态为“%(state)s”，不能%(action)s。") % {
        "number": agreement.number,
        "state": agreement.get_state_display(),
        "action": action,
    }


@member_required(kinds=ENTERPRISE)
def agreement_sign_view(request, agreement_id: int):
    member, agreement = _manager(request, agreement_id)

    def perform(form):
        upload = form.cleaned_data.get("file")
        name, data = (upload.name, upload.read()) if upload else ("", b"")
        return agreement_sign(
            member, agreement, name, data, form.cleaned_data.get("signed_on"), request=request
        )

    return _step_page(
        request,
        agreement,
        refusal=_state_refusal(agreement, SIGNABLE, _("登记签署")),
        title=_("登记签署"),
        intro=_("上传双方签字（盖章）后的协议扫描件。扫描件按其 SHA-256 保存，摘要写入证据日志。"),
        submit=_("上传并登记签署"),
        form=SignForm(request.POST or None, request.FILES or None),
        perform=perform,
        success=lambda a: _("协议 %(number)s 已签署，扫描件已存证") % {"number": a.number},
        context={"multipart": True},
    )


@member_required(kinds=ENTERPRISE)
def agreement_terminate_view(request, agreement_id: int):
    member, agreement = _manager(request, agreement_id)
    return _step_page(
        request,
        agreement,
        refusal=_state_refusal(agreement, TERMINABLE, _("终止")),
        title=_("终止协议"),
        submit=_("确认终止"),
        form=TerminateForm(request.POST or None),
        perform=lambda f: agreement_terminate(member, agreement, f.cleaned_data["reason"], request=request),
        success=lambda a: _("协议 %(number)s 已终止") % {"number": a.number},
        context={"danger": True},
    )


@member_required(kinds=ENTERPRISE)
def agreement_payments(request, agreement_id: int):
    member, agreement = _manager(request, agreement_id)
    terms = terms_of(agreement)
    refusal = ""
    if terms is None:
        refusal = _("“%(number)s”不是竞业限制协议") % {"number": agreement.number}
    elif terms.decision != NonCompeteDecision.ENFORCE:
        refusal = _("尚未决定履行竞业限制，不能登记补偿支付")
    return _step_page(
        request,
        agreement,
        refusal=refusal,
        title=_("登记竞业限制补偿支付"),
        intro=_("每月一条记录；连续三个月未支付补偿的，劳动者可以请求解除竞业限制约定。"),
        submit=_("登记"),
        form=PaymentForm(request.POST or None),
        perform=lambda f: payment_record(
            member,
            agreement,
            f.cleaned_data.get("month"),
            f.cleaned_data.get("amount"),
            f.cleaned_data.get("paid_on"),
            f.cleaned_data.get("reference") or "",
            request=request,
        ),
        success=lambda p: _("已登记 %(month)s 的补偿") % {"month": p.month.strftime("%Y-%m")},
        target=lambda _p: detail_url(agreement) + "#payments",
    )


@member_required(kinds=ENTERPRISE)
def agreement_decide(request, agreement_id: int):
    member, agreement = _manager(request, agreement_id)
    terms = terms_of(agreement)
    refusal = ""
    if terms is None:
        refusal = _("“%(number)s”不是竞业限制协议") % {"number": agreement.number}
    elif terms.decision != NonCompeteDecision.PENDING:
        refusal = _("已作出竞业限制决定：%(decision)s") % {"decision": terms.get_decision_display()}
    return _step_page(
        request,
        agreement,
        refusal=refusal,
        title=_("竞业限制决定"),
        intro=_(
            "员工离职时书面决定是否要求其履行竞业限制。履行的，自最后工作日次日起按约定期限计算，并按月支付补偿；"
            "放弃的，须写明理由。"
        ),
        submit=_("记录决定"),
        form=DecideForm(request.POST or None),
        perform=lambda f: non_compete_decide(
            member,
            agreement,
            f.cleaned_data.get("decision") or "",
            f.cleaned_data.get("reason") or "",
            request=request,
        ),
        success=lambda t: _("已记录：%(decision)s") % {"decision": t.get_decision_display()},
    )
