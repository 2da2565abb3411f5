from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MonitoringConfig(AppConfig):
    name = "shangmi.apps.monitoring"
    label = "monitoring"
    verbose_name = _("监测")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind, Role

        register(
            NavEntry(
                "monitoring:dashboard",
                _("风险监测"),
                "activity",
                kinds=frozenset({OrgKind.ENTERPRISE}),
                roles=frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER}),
                order=25,
            )
        )
