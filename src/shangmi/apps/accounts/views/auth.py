"""Log in (password, then second factor), log out, and the lock-out page."""

from __future__ import annotations

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
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    cool_off = get_cool_off(request) or timedelta(minutes=15)
    last = AccessAttempt.objects.filter(username=username).order_by("-attempt_time").first()
    started = last.attempt_time if last else timezone.now()
    retry_at = started + cool_off
    minutes = max(1, int((retry_at - timezone.now()).total_seconds() // 60) + 1)
    message = _("登录失败次数过多，账户已暂时锁定。请在 %(time)s 之后（约 %(minutes)s 分钟后）重试。") % {
        "time": timezone.localtime(retry_at).strftime("%H:%M"),
        "minutes": minutes,
    }
    form = LoginForm(request, initial={"username": username})
    return render(request, "accounts/login.html", {"form": form, "lockout_message": message}, status=429)
