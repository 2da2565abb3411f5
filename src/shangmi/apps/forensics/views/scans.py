"""One scan: its progress while it runs, then the pairs of suspect file and registered item that share
fingerprints (best first, filterable, paginated), the skipped files with their reasons, the result JSON,
the offline HTML report, and the deposit of the result in the evidence log."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.csp import csp_override
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.forensics import actions, permissions, storage
from shangmi.apps.forensics.pipeline import REPORT_DIR, load_pairs, result_path
from shangmi.apps.forensics.queries import access_scan

ENTERPRISE = [OrgKind.ENTERPRISE]
PER_PAGE = 50
# The engine's report is self-contained HTML with inline styles and no scripts: it may style itself and
# nothing else, and is never framed.
REPORT_CSP = {
    "default-src": [CSP.NONE],
    "style-src": [CSP.UNSAFE_INLINE],
    "img-src": ["data:"],
    "frame-ancestors": [CSP.NONE],
}


def _scan(request, scan_id: int):
    scan = access_scan(request.membership, scan_id)
    if not permissions.can_read(request.membership):
        raise PermissionDenied
    return scan


@require_safe
@member_required(kinds=ENTERPRISE)
def scan_detail(request, scan_id: int):
    scan = _scan(request, scan_id)
    pairs, skipped = load_pairs(scan)
    only_matches = request.GET.get("all") != "1"
    q = (request.GET.get("q") or "").strip()
    shown = [p for p in pairs if p["above_threshold"]] if only_matches else pairs
    if q:
        shown = [p for p in shown if q in p["suspect"] or q in p["item"]]
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("page"))
    root = scan.suspect.rstrip("/") + "/"
    for (
        pair
    ) in page.object_list:  # shown relative to the scanned folder, as the report's manifest has it whole
        pair["suspect_short"] = pair["suspect"].removeprefix(root)
    query = "&".join(part for part in ("" if only_matches else "all=1", f"q={q}" if q else "") if part)
    context = {
        "scan": scan,
        "page": page,
        "query": query,
        "only_matches": only_matches,
        "q": q,
        "skipped": skipped,
        "manage": permissions.can_manage(request.membership),
    }
    return render(request, "forensics/scan.html", context)


@require_safe
@member_required(kinds=ENTERPRISE)
def scan_progress(request, scan_id: int):
    """The progress block alone, polled while the scan runs; the page reloads itself when it ends."""
    scan = _scan(request, scan_id)
    response = render(request, "forensics/_progress.html", {"scan": scan})
    if not scan.active and request.headers.get("HX-Request"):
        response["HX-Refresh"] = "true"
    return response


@require_safe
@member_required(kinds=ENTERPRISE)
def scan_result(request, scan_id: int):
    scan = _scan(request, scan_id)
    path = result_path(scan)
    if not path.is_file():
        raise Http404("no result yet")
    return FileResponse(path.open("rb"), as_attachment=True, filename=f"scan-{scan.pk}-result.json")


@require_safe
@csp_override(REPORT_CSP)
@member_required(kinds=ENTERPRISE)
def scan_report(request, scan_id: int, page: str = "index.html"):
    """A page of the scan's HTML report, only from its own report folder."""
    scan = _scan(request, scan_id)
    folder = (storage.scan_dir(scan.organisation_id, scan.pk) / REPORT_DIR).resolve()
    target = (folder / page).resolve()
    if target.parent != folder or target.suffix != ".html" or not target.is_file():
        raise Http404("no such report page")
    response = FileResponse(target.open("rb"), content_type="text/html; charset=utf-8")
    response["X-Frame-Options"] = "DENY"
    return response


@require_POST
@member_required(kinds=ENTERPRISE)
def scan_deposit(request, scan_id: int):
    scan = _scan(request, scan_id)
    try:
        deposit = actions.scan_deposit(member=request.membership, scan=scan, request=request)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("结果摘要已提交存证（SHA-256 %(d)s）") % {"d": deposit.sha256[:16]})
    return redirect("forensics:scan", scan_id=scan.pk)
