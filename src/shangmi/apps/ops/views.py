from __future__ import annotations

import uuid

from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shangmi.apps.accounts.decorators import platform_admin_required
from shangmi.apps.ops.actions import ping_enqueue
from shangmi.apps.ops.health import all_checks
from shangmi.apps.ops.models import WorkerHeartbeat
from shangmi.apps.ops.queries import ping_outcome


@platform_admin_required
def health(request):
    checks = all_checks()
    if request.GET.get("format") == "json":
        return JsonResponse(
            {
                "ok": all(c.ok for c in checks),
                "checks": [{"name": str(c.name), "ok": c.ok, "detail": str(c.detail)} for c in checks],
            }
        )
    workers = WorkerHeartbeat.objects.all()[:20]
    template = "ops/health.html#checks" if request.htmx else "ops/health.html"
    ping = ping_outcome(request.GET["ping"]) if _is_uuid(request.GET.get("ping")) else None
    context = {"checks": checks, "ok": all(c.ok for c in checks), "workers": workers, "ping": ping}
    return render(request, template, context)


@require_POST
@platform_admin_required
def ping_start(request):
    """Queue a ping task; the page then polls its status until a worker has run it."""
    result = ping_enqueue()
    if request.htmx:
        return render(request, "ops/health.html#ping", {"ping": ping_outcome(result.id)})
    return redirect(f"{reverse('ops:health')}?ping={result.id}")


@platform_admin_required
def ping_status(request, result_id):
    outcome = ping_outcome(str(result_id))
    if outcome is None:
        raise Http404
    if request.GET.get("format") == "json":
        return JsonResponse(outcome.as_json())
    return render(request, "ops/health.html#ping", {"ping": outcome})


def _is_uuid(value: str | None) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
