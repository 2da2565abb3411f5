"""The bureaus' steps on one application, each a POST that calls its action and returns to the detail
page with the outcome; a refusal is shown there in the action's words and changes nothing."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases import actions, permissions
from shangmi.apps.bases.forms import (
    AcceptForm,
    AnnualReviewForm,
    AttachmentForm,
    NoticeForm,
    ObjectionForm,
    RecogniseForm,
    ResolveForm,
    ReviewForm,
    RevokeForm,
)
from shangmi.apps.bases.models import Attachment, Objection
from shangmi.apps.bases.queries import access_application, applications_of

BUREAU = [OrgKind.REGULATOR]


def _perform(request, application, form, perform, success: str):
    if not permissions.is_bureau(request.membership):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, "；".join(f"{form[f].label}: {' '.join(e)}" for f, e in form.errors.items()))
    else:
        try:
            perform(form.cleaned_data)
        except ValidationError as error:
            messages.error(request, "；".join(error.messages))
        else:
            messages.success(request, success)
    return redirect("bases:detail", application_id=application.pk)


@require_POST
@member_required(kinds=BUREAU)
def review(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        ReviewForm(request.POST),
        lambda d: actions.application_review(
            member=member,
            application=application,
            recommend=d["decision"] == "recommend",
            opinion=d["opinion"],
            request=request,
        ),
        _("审核意见已提交"),
    )


@require_POST
@member_required(kinds=BUREAU)
def accept(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        AcceptForm(request.POST),
        lambda d: actions.application_accept(
            member=member,
            application=application,
            prereview_notes=d["prereview_notes"],
            site_notes=d["site_notes"],
            opinion=d["opinion"],
            passed=d["passed"] == "yes",
            request=request,
        ),
        _("验收意见已提交"),
    )


@require_POST
@member_required(kinds=BUREAU)
def attach(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        AttachmentForm(request.POST, request.FILES),
        lambda d: actions.attachment_add(
            member=member, application=application, uploaded=d["file"], request=request
        ),
        _("材料已上传"),
    )


@require_safe
@member_required(kinds=[OrgKind.ENTERPRISE, OrgKind.REGULATOR])
def attachment_download(request, attachment_id: int):
    row = (
        Attachment.objects.filter(pk=attachment_id, application__in=applications_of(request.membership))
        .select_related("application")
        .first()
    )
    if row is None or not Path(row.path).is_file():
        raise Http404("no such attachment")
    return FileResponse(Path(row.path).open("rb"), as_attachment=True, filename=row.name)


@require_POST
@member_required(kinds=BUREAU)
def notice(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        NoticeForm(request.POST),
        lambda d: actions.notice_publish(
            member=member, application=application, start=d["start"], end=d["end"], request=request
        ),
        _("已进入公示"),
    )


@require_POST
@member_required(kinds=BUREAU)
def objection(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        ObjectionForm(request.POST),
        lambda d: actions.objection_add(
            member=member,
            application=application,
            raised_by=d["raised_by"],
            content=d["content"],
            received_on=d["received_on"],
            request=request,
        ),
        _("异议已登记"),
    )


@require_POST
@member_required(kinds=BUREAU)
def objection_resolve(request, objection_id: int):
    member = request.membership
    row = Objection.objects.filter(pk=objection_id, application__in=applications_of(member)).first()
    if row is None:
        raise Http404("no such objection")
    return _perform(
        request,
        row.application,
        ResolveForm(request.POST),
        lambda d: actions.objection_resolve(
            member=member, objection=row, upheld=d["upheld"] == "yes", note=d["note"], request=request
        ),
        _("异议已处理"),
    )


@require_POST
@member_required(kinds=BUREAU)
def recognise(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        RecogniseForm(request.POST),
        lambda d: actions.application_recognise(
            member=member,
            application=application,
            document_number=d["document_number"],
            recognised_on=d["recognised_on"],
            request=request,
        ),
        _("已发文认定"),
    )


@require_POST
@member_required(kinds=BUREAU)
def annual_review(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        AnnualReviewForm(request.POST),
        lambda d: actions.annual_review_record(
            member=member,
            application=application,
            year=d["year"],
            passed=d["passed"] == "yes",
            notes=d["notes"],
            request=request,
        ),
        _("年度复核已记录"),
    )


@require_POST
@member_required(kinds=BUREAU)
def revoke(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    return _perform(
        request,
        application,
        RevokeForm(request.POST),
        lambda d: actions.application_revoke(
            member=member,
            application=application,
            reason=d["reason"],
            document_number=d["document_number"],
            revoked_on=d["revoked_on"],
            notes=d["notes"],
            request=request,
        ),
        _("已撤销认定"),
    )
