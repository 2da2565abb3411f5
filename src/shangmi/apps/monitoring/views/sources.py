"""Log sources: the list with each source's recent files and their ingestion, a new source (an upload
or a watched server folder), uploading a file, and the monitoring settings."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.monitoring import actions, permissions
from shangmi.apps.monitoring.forms import SettingsForm, SourceForm, UploadForm
from shangmi.apps.monitoring.queries import access_source, settings_of, sources_of, uploads_of

ENTERPRISE = [OrgKind.ENTERPRISE]
RECENT_UPLOADS = 20


def _show_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(kinds=ENTERPRISE)
def source_list(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    form = SourceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            source = actions.source_create(member=member, request=request, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("已添加日志来源“%(name)s”") % {"name": source.name})
            return redirect("monitoring:sources")
    sources = list(sources_of(member).order_by("name"))
    uploads = list(uploads_of(member).select_related("source")[:RECENT_UPLOADS])
    context = {
        "form": form,
        "sources": sources,
        "uploads": uploads,
        "upload_form": UploadForm(),
        "manage": permissions.can_manage(member),
    }
    return render(request, "monitoring/sources.html", context)


@require_POST
@member_required(kinds=ENTERPRISE)
def upload(request, source_id: int):
    source = access_source(request.membership, source_id)
    try:
        added = actions.upload_add(
            member=request.membership, source=source, uploaded=request.FILES.get("file"), request=request
        )
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已上传 %(name)s，后台正在导入") % {"name": added.name})
    return redirect("monitoring:sources")


@require_http_methods(["GET", "HEAD", "POST"])
@member_required(kinds=ENTERPRISE)
def settings_page(request):
    member = request.membership
    if not permissions.can_manage(member):
        raise PermissionDenied
    current = settings_of(member.organisation_id)
    initial = {
        "own_domains": current.own_domains,
        "competitor_domains": current.competitor_domains,
        "watchlist": current.watchlist,
        "extra_register": current.extra_register,
        "weights": json.dumps(current.weights, ensure_ascii=False, indent=2) if current.weights else "",
    }
    form = SettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.settings_update(member=member, request=request, **form.cleaned_data)
        except ValidationError as error:
            _show_errors(form, error)
        else:
            messages.success(request, _("监测设置已保存，下次评分生效"))
            return redirect("monitoring:settings")
    from shangmi.apps.monitoring.pipeline import default_weights

    return render(request, "monitoring/settings.html", {"form": form, "defaults": default_weights()})
