"""The bureaus' side: review and recommend (or return with reasons), accept (written pre-review, site
inspection with notes and attachments, acceptance opinion), public notice with objections, recognition
with document number and date, annual review and revocation. Each step is allowed only to the bureau whose
level owns it over the applicant's district (jurisdiction.py) and only from the state it follows."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Organisation
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases import jurisdiction, permissions
from shangmi.apps.bases.actions.common import notify, step
from shangmi.apps.bases.models import (
    AnnualReview,
    AppState,
    Attachment,
    BaseApplication,
    BaseLevel,
    Objection,
    RevokeReason,
)

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_TEXT = 5000


def _bureau_at(application: BaseApplication, level_map: dict) -> Organisation | None:
    region = jurisdiction.region_at(application.district, level_map[BaseLevel(application.level)])
    if region is None:
        return None
    return Organisation.objects.filter(kind=OrgKind.REGULATOR, region=region, is_active=True).first()


def reviewing_bureau(application: BaseApplication) -> Organisation | None:
    return _bureau_at(application, jurisdiction.REVIEW_LEVEL)


def accepting_bureau(application: BaseApplication) -> Organisation | None:
    return _bureau_at(application, jurisdiction.ACCEPT_LEVEL)


def _locked(member, application: BaseApplication, *, owner, states: tuple[str, ...]) -> BaseApplication:
    """The application locked for the step, after checking the bureau owns the step and the state."""
    if not permissions.is_bureau(member) or not owner(member.organisation, application):
        raise PermissionDenied(_("本步骤由对该申报有管辖的市场监管局办理"))
    application = BaseApplication.objects.select_for_update().get(pk=application.pk)
    if application.state not in states:
        raise ValidationError(
            _("申报当前状态为“%(state)s”，不能办理此步骤") % {"state": application.get_state_display()}
        )
    return application


def _text(value: str, field: str, label: str, *, required: bool) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: [_("请填写%(label)s") % {"label": label}]})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: [_("%(label)s最多 %(n)d 字") % {"label": label, "n": MAX_TEXT}]})
    return value


def _move(
    member, application, state: str, fields: list[str], action: str, note: str = "", request=None, **changes
):
    state_from = application.state
    application.state = state
    application.updated_at = timezone.now()
    application.save(update_fields=["state", "updated_at", *fields])
    step(member, application, action=action, state_from=state_from, note=note, request=request, **changes)
    return application


@transaction.atomic
def application_review(*, member, application: BaseApplication, recommend: bool, opinion: str, request=None):
    """审核推荐: recommend to the accepting bureau, or return to the applicant with the reasons."""
    application = _locked(member, application, owner=jurisdiction.reviews, states=(AppState.SUBMITTED,))
    opinion = _text(opinion, "opinion", _("推荐意见") if recommend else _("退回理由"), required=True)
    if recommend:
        application.recommend_opinion = opinion
        _move(member, application, AppState.RECOMMENDED, ["recommend_opinion"], "recommend", opinion, request)
        notify(
            application.applicant,
            application,
            _("基地申报已推荐：%(name)s") % {"name": application.name},
            bureau=False,
        )
        acceptor = accepting_bureau(application)
        if acceptor is not None and acceptor.pk != member.organisation_id:
            notify(
                acceptor, application, _("基地申报待验收：%(name)s") % {"name": application.name}, bureau=True
            )
    else:
        _move(member, application, AppState.RETURNED, [], "return", opinion, request)
        notify(
            application.applicant,
            application,
            _("基地申报被退回，请修改后重新提交：%(name)s") % {"name": application.name},
            bureau=False,
        )
    return application


@transaction.atomic
def application_accept(
    *,
    member,
    application: BaseApplication,
    prereview_notes: str,
    site_notes: str,
    opinion: str,
    passed: bool,
    request=None,
):
    """验收: written pre-review, site inspection notes and the acceptance opinion (pass or not)."""
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.RECOMMENDED,))
    application.prereview_notes = _text(prereview_notes, "prereview_notes", _("书面预审意见"), required=True)
    application.site_notes = _text(site_notes, "site_notes", _("实地考察记录"), required=False)
    application.acceptance_opinion = _text(opinion, "opinion", _("验收意见"), required=True)
    state = AppState.ACCEPTED if passed else AppState.NOT_ACCEPTED
    _move(
        member,
        application,
        state,
        ["prereview_notes", "site_notes", "acceptance_opinion"],
        "accept" if passed else "not_accept",
        application.acceptance_opinion,
        request,
    )
    title = _("基地申报验收通过：%(name)s") if passed else _("基地申报验收未通过：%(name)s")
    notify(application.applicant, application, title % {"name": application.name}, bureau=False)
    return application


@transaction.atomic
def attachment_add(*, member, application: BaseApplication, uploaded, request=None) -> Attachment:
    """A file of the acceptance (site photos, minutes), kept under the data directory with its digest."""
    application = _locked(
        member, application, owner=jurisdiction.accepts, states=(AppState.RECOMMENDED, AppState.ACCEPTED)
    )
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": [_("请选择文件")]})
    if uploaded.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError({"file": [_("文件不能超过 50 MB")]})
    folder = Path(settings.DATA_DIR) / "bases" / str(application.pk)
    folder.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    data = b"".join(uploaded.chunks())
    digest.update(data)
    sha = digest.hexdigest()
    target = folder / sha
    target.write_bytes(data)
    name = Path(uploaded.name or "attachment").name[:255]
    row = Attachment.objects.create(
        application=application,
        name=name,
        path=str(target),
        size=len(data),
        sha256=sha,
        uploaded_by=member.user,
    )
    step(
        member,
        application,
        action="attach",
        state_from=application.state,
        note=name,
        request=request,
        sha256=sha,
    )
    return row


@transaction.atomic
def notice_publish(*, member, application: BaseApplication, start: date, end: date, request=None):
    """公示: the accepted application is on public notice from `start` to `end`."""
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.ACCEPTED,))
    if start is None or end is None:
        raise ValidationError({"notice_end": [_("请填写公示起止日期")]})
    if end < start:
        raise ValidationError({"notice_end": [_("公示结束日期不能早于开始日期")]})
    application.notice_start, application.notice_end = start, end
    _move(
        member,
        application,
        AppState.NOTICE,
        ["notice_start", "notice_end"],
        "notice",
        f"{start} – {end}",
        request,
    )
    notify(
        application.applicant,
        application,
        _("基地申报进入公示：%(name)s") % {"name": application.name},
        bureau=False,
    )
    return application


@transaction.atomic
def objection_add(
    *, member, application: BaseApplication, raised_by: str, content: str, received_on: date, request=None
):
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.NOTICE,))
    raised_by = _text(raised_by, "raised_by", _("异议人"), required=True)[:128]
    content = _text(content, "content", _("异议内容"), required=True)
    if received_on is None:
        raise ValidationError({"received_on": [_("请填写收到日期")]})
    row = Objection.objects.create(
        application=application, raised_by=raised_by, content=content, received_on=received_on
    )
    step(member, application, action="objection", state_from=application.state, note=content, request=request)
    return row


@transaction.atomic
def objection_resolve(*, member, objection: Objection, upheld: bool, note: str, request=None) -> Objection:
    """An upheld objection ends the application (公示异议成立); a dismissed one lets it go on."""
    application = _locked(
        member, objection.application, owner=jurisdiction.accepts, states=(AppState.NOTICE,)
    )
    objection = Objection.objects.select_for_update().get(pk=objection.pk, application=application)
    if objection.outcome != Objection.Outcome.PENDING:
        raise ValidationError(_("该异议已处理"))
    objection.outcome = Objection.Outcome.UPHELD if upheld else Objection.Outcome.DISMISSED
    objection.outcome_note = _text(note, "note", _("处理意见"), required=True)
    objection.handled_at = timezone.now()
    objection.save(update_fields=["outcome", "outcome_note", "handled_at"])
    if upheld:
        _move(member, application, AppState.REJECTED, [], "objection_upheld", objection.outcome_note, request)
        notify(
            application.applicant,
            application,
            _("公示异议成立，申报终止：%(name)s") % {"name": application.name},
            bureau=False,
        )
    else:
        step(
            member,
            application,
            action="objection_dismissed",
            state_from=application.state,
            note=objection.outcome_note,
            request=request,
        )
    return objection


@transaction.atomic
def application_recognise(
    *, member, application: BaseApplication, document_number: str, recognised_on: date, request=None
):
    """发文认定: after a notice that has ended without a pending objection."""
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.NOTICE,))
    errors: dict[str, list[str]] = {}
    number = (document_number or "").strip()
    if not number or len(number) > 64:
        errors["document_number"] = [_("请填写认定文号（最多 64 字）")]
    if recognised_on is None:
        errors["recognised_on"] = [_("请填写认定日期")]
    elif application.notice_end and recognised_on <= application.notice_end:
        errors["recognised_on"] = [
            _("公示期至 %(date)s，认定日期应在公示结束之后") % {"date": application.notice_end.isoformat()}
        ]
    if application.objections.filter(outcome=Objection.Outcome.PENDING).exists():
        errors["document_number"] = [_("尚有未处理的公示异议")]
    if errors:
        raise ValidationError(errors)
    application.document_number, application.recognised_on = number, recognised_on
    _move(
        member,
        application,
        AppState.RECOGNISED,
        ["document_number", "recognised_on"],
        "recognise",
        number,
        request,
    )
    notify(
        application.applicant,
        application,
        _("已认定为商业秘密保护基地：%(name)s") % {"name": application.name},
        bureau=False,
    )
    return application


@transaction.atomic
def annual_review_record(
    *, member, application: BaseApplication, year: int, passed: bool, notes: str, request=None
) -> AnnualReview:
    """动态管理: the yearly review of a recognised base; a failed review is the ground for revocation."""
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.RECOGNISED,))
    if (
        not year
        or (application.recognised_on and year < application.recognised_on.year)
        or year > timezone.localdate().year
    ):
        raise ValidationError({"year": [_("复核年度应在认定年度与今年之间")]})
    if application.reviews.filter(year=year).exists():
        raise ValidationError({"year": [_("%(year)d 年度已复核") % {"year": year}]})
    notes = _text(notes, "notes", _("复核意见"), required=not passed)
    row = AnnualReview.objects.create(
        application=application, year=year, passed=passed, notes=notes, reviewed_by=member.user
    )
    title = _("基地年度复核通过：%(name)s") if passed else _("基地年度复核未通过：%(name)s")
    notify(application.applicant, application, title % {"name": application.name}, bureau=False)
    step(
        member,
        application,
        action="annual_review",
        state_from=application.state,
        note=f"{year}: {notes}",
        request=request,
        passed=passed,
    )
    return row


@transaction.atomic
def application_revoke(
    *,
    member,
    application: BaseApplication,
    reason: str,
    document_number: str,
    revoked_on: date,
    notes: str = "",
    request=None,
):
    """撤销认定 (art. 15): the applicant may not apply again for two years."""
    application = _locked(member, application, owner=jurisdiction.accepts, states=(AppState.RECOGNISED,))
    errors: dict[str, list[str]] = {}
    if reason not in RevokeReason.values:
        errors["reason"] = [_("请选择指南第十五条规定的撤销理由")]
    number = (document_number or "").strip()
    if not number or len(number) > 64:
        errors["document_number"] = [_("请填写撤销文号（最多 64 字）")]
    if revoked_on is None:
        errors["revoked_on"] = [_("请填写撤销日期")]
    if errors:
        raise ValidationError(errors)
    notes = _text(notes, "notes", _("说明"), required=reason == RevokeReason.OTHER)
    application.revoke_reason, application.revoke_number, application.revoked_on = reason, number, revoked_on
    _move(
        member,
        application,
        AppState.REVOKED,
        ["revoke_reason", "revoke_number", "revoked_on"],
        "revoke",
        notes or application.get_revoke_reason_display(),
        request,
        reason=reason,
    )
    notify(
        application.applicant,
        application,
        _("基地认定已撤销：%(name)s") % {"name": application.name},
        bureau=False,
    )
    return application
