"""Project-level pages: the dashboard (composed across apps) and the error pages."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponseServerError
from django.shortcuts import render
from django.template import loader

from shangmi.dashboard import figures_for


def dashboard(request):
    context = figures_for(request.organisation) if request.organisation else {}
    return render(request, "dashboard.html", context)


@login_not_required
def error_403(request, exception=None):
    return render(request, "errors/403.html", status=403)


@login_not_required
def error_404(request, exception=None):
    return render(request, "errors/404.html", status=404)


@login_not_required
def error_500(request):
    # No context processors that touch the database: the error may be the database itself.
    return HttpResponseServerError(loader.get_template("errors/500.html").render({}))
