from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    name = "shangmi.apps.ops"
    label = "ops"
    verbose_name = _("平台运维")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register

        register(NavEntry("ops:health", _("运行状态"), "activity", platform_admin_only=True, order=99))
