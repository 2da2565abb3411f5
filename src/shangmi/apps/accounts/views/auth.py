"""Log in (password, then second factor), log out, and the lock-out page."""

from __future__ import annotations

import math
from datetime import timedelta

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _

from shangmi.apps.accounts.forms import LoginForm
from shangmi.apps.accounts.identifiers import canonical_login


@method_decorator(login_not_required, name="dispatch")
class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


@method_decorator(login_not_required, name="dispatch")
class LogoutView(auth_views.LogoutView):
    pass


def lockout_response(request, original_response=None, credentials=None):
    """Shown instead of the login form while an account is locked: says when to retry."""
    username = (credentials or {}).get("username") or canonical_login(request.POST.get("username", ""))
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    # The lock is per account and address (AXES_LOCKOUT_PARAMETERS); another address's later failure
    # must not move this one's retry time.
    attempts = AccessAttempt.objects.filter(username=username)
    ip = getattr(request, "axes_ip_address", None)
    if ip:
        attempts = attempts.filter(ip_address=ip)
    last = attempts.order_by("-attempt_time").first()
    started = last.attempt_time if last else timezone.now()
    retry_at = started + cool_off
    # Round up to the whole minute, so that trying again at the time shown always works.
    if retry_at.second or retry_at.microsecond:
        retry_at = retry_at.replace(second=0, microsecond=0) + timedelta(minutes=1)
    minutes = max(1, math.ceil((retry_at - timezone.now()).total_seconds() / 60))
    message = _("登录失败次数过多，账户已暂时锁定。请在 %(time)s 之后（约 %(minutes)s 分钟后）重试。") % {
        "time": timezone.localtime(retry_at).strftime("%H:%M"),
        "minutes": minutes,
    }
    form = LoginForm(request, initial={"username": username})
    return render(request, "accounts/login.html", {"form": form, "lockout_message": message}, status=429)
