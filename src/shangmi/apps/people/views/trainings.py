"""Trainings pages: the list with the coverage figure and who is untrained, a session's form, its page
with the attendance table and bulk attendance entry, and the material download."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.people import permissions
from shangmi.apps.people.actions import trainings as actions
from shangmi.apps.people.forms.trainings import AttendanceForm, AttendanceRemoveForm, TrainingForm
from shangmi.apps.people.queries import access_attendance, access_training, employee_of, trainings_visible_to
from shangmi.apps.people.storage import document_kind, read_document
from shangmi.apps.registry.views.flow import form_page

ENTERPRISE = [OrgKind.ENTERPRISE]
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "zip": "application/octet-stream",
    "text": "text/plain; charset=utf-8",
}


def _require_manage(member) -> None:
    if not permissions.can_manage(member):
        raise PermissionDenied


def detail_url(training) -> str:
    return reverse("people:training", args=[training.pk])


@require_safe
@member_required(kinds=ENTERPRISE)
def training_list(request):
    member = request.membership
    rows = list(
        trainings_visible_to(member).annotate(attended=Count("attendances")).order_by("-held_on", "-id")
    )
    context = {"trainings": rows, "manage": permissions.can_manage(member)}
    if permissions.reads_everyone(member):
        context["coverage"] = actions.coverage(member.organisation_id, timezone.localdate())
    else:
        # An employee sees the sessions they attended, with their own result.
        me = employee_of(member)
        mine = {a.training_id: a for a in me.attendances.select_related("training")} if me else {}
        for t in rows:
            t.mine = mine.get(t.pk)
        context["show_mine"] = True
    return render(request, "people/trainings/list.html", context)


@require_http_methods(["GET", "POST"])
@member_required(kinds=ENTERPRISE)
def training_add(request):
    member = request.membership
    _require_manage(member)
    return form_page(
        request,
        form=TrainingForm(request.POST or None, request.FILES or None),
        perform=lambda f: actions.training_add(member=member, request=request, **f.action_fields()),
        template="people/trainings/form.html",
        context={"title": _("登记培训"), "submit": _("登记")},
        success=lambda t: _("已登记培训“%(topic)s”") % {"topic": t.topic},
        target=detail_url,
    )


@require_http_methods(["GET", "POST"])
@member_required(kinds=ENTERPRISE)
def training_edit(request, training_id: int):
    member = request.membership
    training = access_training(member, training_id)
    _require_manage(member)
    initial = {
        k: getattr(training, k) for k in ("topic", "held_on", "trainer", "hours", "pass_mark", "materials")
    }
    return form_page(
        request,
        form=TrainingForm(request.POST or None, request.FILES or None, initial=initial),
        perform=lambda f: actions.training_update(
            member=member, training=training, request=request, **f.action_fields()
        ),
        template="people/trainings/form.html",
        context={"title": _("修改培训"), "submit": _("保存"), "training": training},
        success=lambda t: _("已保存培训“%(topic)s”") % {"topic": t.topic},
        target=detail_url,
    )


@require_safe
@member_required(kinds=ENTERPRISE)
def training_detail(request, training_id: int):
    member = request.membership
    training = access_training(member, training_id)
    attendances = training.attendances.select_related("employee__department", "training")
    if not permissions.reads_everyone(member):
        attendances = attendances.filter(employee__user_id=member.user_id)
    manage = permissions.can_manage(member)
    context = {
        "training": training,
        "attendances": list(attendances),
        "manage": manage,
        "form": AttendanceForm(organisation_id=member.organisation_id) if manage else None,
    }
    return render(request, "people/trainings/detail.html", context)


@require_http_methods(["POST"])
@member_required(kinds=ENTERPRISE)
def attendance_add(request, training_id: int):
    member = request.membership
    training = access_training(member, training_id)
    _require_manage(member)
    form = AttendanceForm(request.POST, organisation_id=member.organisation_id)
    if form.is_valid():
        try:
            done = actions.attendance_record_many(
                member=member,
                training=training,
                employees=list(form.cleaned_data["employees"]),
                score=form.cleaned_data["score"],
                request=request,
            )
        except ValidationError as error:
            form.show_action_error(error)
        else:
            messages.success(request, _("已登记 %(n)s 人参加培训") % {"n": len(done)})
            return redirect(detail_url(training) + "#attendance")
    attendances = training.attendances.select_related("employee__department", "training")
    context = {"training": training, "attendances": list(attendances), "manage": True, "form": form}
    return render(request, "people/trainings/detail.html", context, status=422)


@require_http_methods(["GET", "POST"])
@member_required(kinds=ENTERPRISE)
def attendance_delete(request, attendance_id: int):
    member = request.membership
    attendance = access_attendance(member, attendance_id)
    _require_manage(member)
    training = attendance.training
    return form_page(
        request,
        form=AttendanceRemoveForm(request.POST or None),
        perform=lambda f: actions.attendance_remove(
            member=member, attendance=attendance, request=request, **f.cleaned_data
        ),
        template="people/trainings/remove.html",
        context={"training": training, "attendance": attendance},
        success=lambda _r: _("已撤销 %(who)s 的签到") % {"who": attendance.employee.name},
        target=lambda _r: detail_url(training) + "#attendance",
    )


@require_safe
@member_required(kinds=ENTERPRISE)
def training_material(request, training_id: int):
    member = request.membership
    training = access_training(member, training_id)
    if not training.material_sha256:
        raise Http404
    try:
        data = read_document(member.organisation_id, training.material_sha256)
    except FileNotFoundError:
        raise Http404 from None
    try:
        kind = document_kind(training.material_name, data)
    except ValidationError:
        kind = "zip"
    response = HttpResponse(data, content_type=CONTENT_TYPES[kind])
    response["Content-Disposition"] = content_disposition_header(True, training.material_name or "material")
    response["X-Content-Type-Options"] = "nosniff"
    return response
