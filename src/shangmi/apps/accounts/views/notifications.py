"""The notifications inbox."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.queries import access_notification, notifications_for


def inbox(request):
    qs = notifications_for(request.user, request.organisation)
    show = request.GET.get("show", "all")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    template = "accounts/inbox.html#rows" if request.htmx else "accounts/inbox.html"
    return render(request, template, {"page": page, "show": show})


@require_POST
def open_notification(request, notification_id: int):
    notification = access_notification(request.user, notification_id)
    actions.notifications_mark_read(user=request.user, ids=[notification.pk])
    if notification.link and url_has_allowed_host_and_scheme(
        notification.link, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.link)
    return redirect("accounts:inbox")


@require_POST
def mark_all_read(request):
    actions.notifications_mark_read(user=request.user, organisation=request.organisation)
    return redirect("accounts:inbox")
