"""Second factor: enrolment with a QR code, verification at log-in, recovery codes."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from shangmi.apps.accounts import two_factor
from shangmi.apps.accounts.forms import OtpForm


def _next_url(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("dashboard")


def enrol(request):
    user = request.user
    if two_factor.has_confirmed_device(user) and not request.user.is_verified():
        return redirect("accounts:2fa_verify")
    device = two_factor.pending_totp_device(user)
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = two_factor.totp_confirm(
            user=user, device=device, code=form.cleaned_data["code"], request=request
        )
        if codes is None:
            form.add_error("code", _("验证码不正确或已过期，请输入身份验证器当前显示的 6 位数字。"))
        else:
            otp_login(request, device)
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _next_url(request)}
            )
    return render(
        request,
        "accounts/2fa_enrol.html",
        {
            "form": form,
            "qr_svg": two_factor.provisioning_qr_svg(device),
            "secret": two_factor.base32_secret(device),
            "next": _next_url(request),
        },
    )


def verify(request):
    if request.user.is_verified():
        return HttpResponseRedirect(_next_url(request))
    form = OtpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["code"].strip().replace(" ", ""))
        if device is None:
            form.add_error("code", _("验证码不正确。多次错误后需等待更长时间才能再试。"))
        else:
            otp_login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = two_factor.recovery_codes_left(request.user)
                messages.warning(request, _("您使用了一个恢复码，还剩 %(n)s 个。") % {"n": left})
            return HttpResponseRedirect(_next_url(request))
    return render(request, "accounts/2fa_verify.html", {"form": form, "next": _next_url(request)})


@require_POST
def recovery_regenerate(request):
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        # Recovery codes stand in for an authenticator; without one they would be the only factor.
        return redirect("accounts:2fa_enrol")
    codes = two_factor.recovery_codes_regenerate(user=request.user, request=request)
    return render(
        request, "accounts/recovery_codes.html", {"codes": codes, "next": reverse("accounts:security")}
    )
