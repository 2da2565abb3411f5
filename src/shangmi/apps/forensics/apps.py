from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForensicsConfig(AppConfig):
    name = "shangmi.apps.forensics"
    label = "forensics"
    verbose_name = _("鉴定辅助")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind, Role

        register(
            NavEntry(
                "forensics:home",
                _("鉴定辅助"),
                "search",
                kinds=frozenset({OrgKind.ENTERPRISE}),
                roles=frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER}),
                order=27,
            )
        )
