from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

from shangmi.apps.accounts.decorators import platform_admin_required
from shangmi.apps.ops.health import all_checks
from shangmi.apps.ops.models import WorkerHeartbeat


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
    return render(request, template, {"checks": checks, "ok": all(c.ok for c in checks), "workers": workers})
