"""The forensics home page: the organisation's fingerprint indexes and scans with their progress, and the
forms to build an index from a server folder, upload one built elsewhere, and start a scan."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.forensics import actions, permissions, storage
from shangmi.apps.forensics.forms import FolderIndexForm, ScanForm, UploadIndexForm
from shangmi.apps.forensics.models import JobState
from shangmi.apps.forensics.queries import access_index, indexes_of, scans_of

ENTERPRISE = [OrgKind.ENTERPRISE]
RECENT = 50


def _reader(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    return member


def _jobs(member) -> dict:
    indexes = list(indexes_of(member)[:RECENT])
    scans = list(scans_of(member).select_related("index")[:RECENT])
    active = any(row.state in (JobState.QUEUED, JobState.RUNNING) for row in [*indexes, *scans])
    return {"indexes": indexes, "scans": scans, "active": active}


def _page(request, member, **forms):
    ready = indexes_of(member).filter(state=JobState.DONE)
    context = {
        **_jobs(member),
        "manage": permissions.can_manage(member),
        "incoming": storage.incoming_dir(member.organisation_id),
        "folder_form": forms.get("folder_form") or FolderIndexForm(),
        "upload_form": forms.get("upload_form") or UploadIndexForm(),
        "scan_form": forms.get("scan_form") or ScanForm(indexes=ready),
    }
    return render(request, "forensics/home.html", context)


@require_safe
@member_required(kinds=ENTERPRISE)
def home(request):
    return _page(request, _reader(request))


@require_safe
@member_required(kinds=ENTERPRISE)
def jobs(request):
    """The two job tables alone, polled by the page while anything runs."""
    return render(request, "forensics/_jobs.html", _jobs(_reader(request)))


def _submit(request, form, perform, success: str, form_key: str):
    member = _reader(request)
    if form.is_valid():
        try:
            row = perform(member, form.cleaned_data)
        except ValidationError as error:
            form.show_action_error(error)
        else:
            messages.success(request, success % {"name": row.name})
            return redirect("forensics:home")
    return _page(request, member, **{form_key: form})


@require_POST
@member_required(kinds=ENTERPRISE)
def index_folder(request):
    return _submit(
        request,
        FolderIndexForm(request.POST),
        lambda member, data: actions.index_from_folder(member=member, request=request, **data),
        _("已提交建立指纹库“%(name)s”，后台正在处理"),
        "folder_form",
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def index_upload(request):
    return _submit(
        request,
        UploadIndexForm(request.POST, request.FILES),
        lambda member, data: actions.index_upload(
            member=member,
            name=data["name"],
            uploaded=data["file"],
            case_key=data["case_key"],
            request=request,
        ),
        _("已上传指纹库“%(name)s”，后台正在校验"),
        "upload_form",
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def scan_start(request):
    member = _reader(request)
    form = ScanForm(request.POST, indexes=indexes_of(member))
    return _submit(
        request,
        form,
        lambda member, data: actions.scan_create(member=member, request=request, **data),
        _("已提交比对“%(name)s”，后台正在处理"),
        "scan_form",
    )


@require_safe
@member_required(kinds=ENTERPRISE)
def index_download(request, index_id: int):
    """The index file, e.g. to hand a keyed index to an appraiser (its fingerprints reveal no content)."""
    row = access_index(request.membership, index_id)
    if not permissions.can_manage(request.membership):
        raise PermissionDenied
    path = storage.index_path(row.organisation_id, row.pk)
    if row.state != JobState.DONE or not path.is_file():
        raise Http404("index not ready")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"index-{row.pk}.fpindex")
