from django.urls import path

from shangmi.apps.accounts.views import (
    auth,
    members,
    notifications,
    organisation,
    password,
    platform,
    tokens,
    two_factor,
)

app_name = "accounts"

urlpatterns = [
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("2fa/enrol/", two_factor.enrol, name="2fa_enrol"),
    path("2fa/verify/", two_factor.verify, name="2fa_verify"),
    path("2fa/recovery-codes/", two_factor.recovery_regenerate, name="2fa_recovery"),
    path("security/", tokens.security, name="security"),
    path("tokens/", tokens.token_create, name="token_create"),
    path("tokens/<int:token_id>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("switch/", organisation.switch, name="switch"),
    path("members/", organisation.members, name="members"),
    path("members/add/", members.member_add, name="member_add"),
    path("members/<int:member_id>/role/", members.member_role, name="member_role"),
    path("members/<int:member_id>/deactivate/", members.member_deactivate, name="member_deactivate"),
    path("password/", password.password_change, name="password_change"),
    path("organisations/", platform.organisation_list, name="organisations"),
    path("organisations/add/", platform.organisation_add, name="organisation_add"),
    path("inbox/", notifications.inbox, name="inbox"),
    path("inbox/<int:notification_id>/open/", notifications.open_notification, name="inbox_open"),
    path("inbox/read-all/", notifications.mark_all_read, name="inbox_read_all"),
]
