"""The applications: the list (an applicant's own, a bureau's region), drafting and editing the table and
checklist, submitting and withdrawing, and the detail page with the timeline and the step the viewer may
take next."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.bases import actions, checklist, jurisdiction, permissions
from shangmi.apps.bases.forms import (
    AcceptForm,
    AnnualReviewForm,
    ApplicationForm,
    AttachmentForm,
    FilterForm,
    NewApplicationForm,
    NoticeForm,
    ObjectionForm,
    RecogniseForm,
    ResolveForm,
    ReviewForm,
    RevokeForm,
)
from shangmi.apps.bases.models import AppState
from shangmi.apps.bases.queries import access_application, applications_of

KINDS = [OrgKind.ENTERPRISE, OrgKind.REGULATOR]
PER_PAGE = 30


def _member(request):
    member = request.membership
    if not (permissions.is_applicant(member) or permissions.is_bureau(member)):
        raise PermissionDenied
    return member


@require_safe
@member_required(kinds=KINDS)
def application_list(request):
    member = _member(request)
    rows = applications_of(member)
    filters = FilterForm(request.GET or None)
    if filters.is_valid():
        data = filters.cleaned_data
        if data["q"]:
            rows = rows.filter(name__icontains=data["q"])
        for field in ("state", "kind", "level", "year"):
            if data[field]:
                rows = rows.filter(**{field: data[field]})
    counts = dict(applications_of(member).values_list("state").annotate(n=Count("id")))
    page = Paginator(rows.order_by("-updated_at", "-id"), PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "query": query.urlencode(),
        "filters": filters,
        "counts": [
            (label, counts.get(value, 0), value) for value, label in AppState.choices if counts.get(value)
        ],
        "applicant": permissions.is_applicant(member),
        "bureau": permissions.is_bureau(member),
        "new_form": NewApplicationForm(),
        "ban_until": actions.ban_until(member.organisation_id) if permissions.is_applicant(member) else None,
        "deadline": actions.deadline(_this_year()),
    }
    return render(request, "bases/list.html", context)


def _this_year() -> int:
    return timezone.localdate().year


@require_POST
@member_required(kinds=[OrgKind.ENTERPRISE])
def application_new(request):
    form = NewApplicationForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择基地类型和级别"))
        return redirect("bases:list")
    try:
        application = actions.application_create(
            member=request.membership, request=request, **form.cleaned_data
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
        return redirect("bases:list")
    messages.success(request, _("已创建申报草稿，表格已按本单位信息预填"))
    return redirect("bases:edit", application_id=application.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(kinds=[OrgKind.ENTERPRISE])
def application_edit(request, application_id: int):
    member = request.membership
    application = access_application(member, application_id)
    if not permissions.is_applicant(member):
        raise PermissionDenied
    if not application.editable:
        messages.info(request, _("申报已提交，不能修改"))
        return redirect("bases:detail", application_id=application.pk)
    form = ApplicationForm(request.POST or None, instance=application)
    if request.method == "POST":
        try:
            actions.application_update(
                member=member,
                application=application,
                data=form.table_input(),
                checklist_input=form.checklist_input(),
                request=request,
            )
        except ValidationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        else:
            if "submit" in request.POST:
                return application_submit(request, application_id)
            messages.success(request, _("已保存"))
            return redirect("bases:detail", application_id=application.pk)
    prefilled = bool((application.checklist or {}).get("_evidence"))
    context = {"application": application, "form": form, "prefilled": prefilled}
    return render(request, "bases/form.html", context)


@require_POST
@member_required(kinds=[OrgKind.ENTERPRISE])
def application_submit(request, application_id: int):
    application = access_application(request.membership, application_id)
    try:
        actions.application_submit(member=request.membership, application=application, request=request)
    except ValidationError as error:
        messages.error(request, _("未能提交：") + "；".join(error.messages))
        return redirect(
            "bases:edit" if application.editable else "bases:detail", application_id=application.pk
        )
    messages.success(request, _("已提交，等待县市场监管局审核推荐"))
    return redirect("bases:detail", application_id=application.pk)


@require_POST
@member_required(kinds=[OrgKind.ENTERPRISE])
def application_withdraw(request, application_id: int):
    application = access_application(request.membership, application_id)
    try:
        actions.application_withdraw(member=request.membership, application=application, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已撤回申报"))
    return redirect("bases:detail", application_id=application.pk)


def _steps(member, application) -> dict:
    """The step forms the viewer may use now, by name."""
    if not permissions.is_bureau(member):
        return {}
    bureau = member.organisation
    state = application.state
    forms: dict = {}
    if state == AppState.SUBMITTED and jurisdiction.reviews(bureau, application):
        forms["review"] = ReviewForm()
    if jurisdiction.accepts(bureau, application):
        if state == AppState.RECOMMENDED:
            forms["accept"] = AcceptForm()
        if state in (AppState.RECOMMENDED, AppState.ACCEPTED):
            forms["attach"] = AttachmentForm()
        if state == AppState.ACCEPTED:
            forms["notice"] = NoticeForm()
        if state == AppState.NOTICE:
            forms["objection"] = ObjectionForm()
            forms["resolve"] = ResolveForm()
            forms["recognise"] = RecogniseForm()
        if state == AppState.RECOGNISED:
            forms["annual_review"] = AnnualReviewForm(initial={"year": _this_year()})
            forms["revoke"] = RevokeForm()
    return forms


@require_safe
@member_required(kinds=KINDS)
def application_detail(request, application_id: int):
    member = _member(request)
    application = access_application(member, application_id)
    outcomes = checklist.evaluate(application)
    context = {
        "application": application,
        "outcomes": outcomes,
        "all_met": checklist.all_met(outcomes),
        "events": application.events.select_related("actor"),
        "attachments": application.attachments.all(),
        "objections": application.objections.all(),
        "reviews": application.reviews.all(),
        "steps": _steps(member, application),
        "owner": permissions.is_applicant(member),
        "reviewer": actions.reviewing_bureau(application),
        "acceptor": actions.accepting_bureau(application),
    }
    return render(request, "bases/detail.html", context)
