from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "shangmi.apps.accounts"
    label = "accounts"
    verbose_name = _("账户与组织")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES, Role

        register(NavEntry("dashboard", _("工作台"), "speedometer2", order=0))
        register(
            NavEntry(
                "accounts:members", _("成员"), "people", roles=ORG_ADMIN_ROLES | {Role.MANAGER}, order=80
            )
        )
        register(NavEntry("accounts:inbox", _("通知"), "bell", order=90))
        register(
            NavEntry("accounts:organisations", _("组织管理"), "diagram-3", platform_admin_only=True, order=98)
        )
        register(NavEntry("accounts:security", _("安全设置"), "shield-lock", order=95))
