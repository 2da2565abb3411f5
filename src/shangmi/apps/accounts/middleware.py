"""Per-request tenant context and the two-factor gate."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from shangmi.apps.accounts.queries import memberships_with_unread, requires_two_factor
from shangmi.apps.accounts.two_factor import had_confirmed_device

SESSION_ORG_KEY = "shangmi_org_id"

# Pages an authenticated but not yet second-factor-verified user may reach.
UNVERIFIED_ALLOWED = {
    "accounts:login",
    "accounts:logout",
    "accounts:2fa_verify",
    "accounts:2fa_enrol",
    "set_language",
}


class ActiveOrganisationMiddleware:
    """Sets request.membership and request.organisation from the organisation chosen in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.membership = None
        request.organisation = None
        # The user's active memberships, read once: the shell, navigation and the two-factor gate use them.
        request.memberships = None
        user = request.user
        if user.is_authenticated:
            request.memberships = memberships = list(memberships_with_unread(user))
            chosen = request.session.get(SESSION_ORG_KEY)
            membership = next((m for m in memberships if m.organisation_id == chosen), None)
            if membership is None and memberships:
                membership = memberships[0]
                request.session[SESSION_ORG_KEY] = membership.organisation_id
            request.membership = membership
            request.organisation = membership.organisation if membership else None
        return self.get_response(request)


class TwoFactorMiddleware:
    """Sends users who have a device, or whose role requires one, through verification or enrolment,
    then anyone still holding an administrator-set initial password to change it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # public page
        try:
            name = resolve(request.path_info).view_name
        except Resolver404:
            return None
        if name in UNVERIFIED_ALLOWED:
            return None
        if user.is_verified():
            return self._password_gate(request, user, name)
        if had_confirmed_device(user):
            target = "accounts:2fa_verify"
        elif requires_two_factor(user, getattr(request, "memberships", None)):
            target = "accounts:2fa_enrol"
        else:
            return self._password_gate(request, user, name)
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("需要完成双因素认证")}, status=403)
        url = reverse(target)
        if request.method == "GET" and request.path_info != reverse("dashboard"):
            # Come back to the page asked for once the second factor is done (a POST is not replayed).
            url = f"{url}?{urlencode({'next': request.get_full_path()})}"
        return _redirect(request, url)

    def _password_gate(self, request, user, name):
        """After the second factor: an initial password set by an administrator must be changed first."""
        if not user.password_change_required or name == "accounts:password_change":
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": _("请先修改初始密码")}, status=403)
        return _redirect(request, reverse("accounts:password_change"))


def _redirect(request, url: str):
    response = redirect(url)
    if getattr(request, "htmx", False):
        response["HX-Redirect"] = response["Location"]
    return response
