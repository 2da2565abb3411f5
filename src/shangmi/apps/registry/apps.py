from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistryConfig(AppConfig):
    name = "shangmi.apps.registry"
    label = "registry"
    verbose_name = _("台账")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind

        register(
            NavEntry(
                "registry:list",
                _("商业秘密台账"),
                "journal-bookmark",
                kinds=frozenset({OrgKind.ENTERPRISE}),
                order=10,
            )
        )
