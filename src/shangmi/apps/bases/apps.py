from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BasesConfig(AppConfig):
    name = "shangmi.apps.bases"
    label = "bases"
    verbose_name = _("示范基地")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind, Role

        register(
            NavEntry(
                "bases:list",
                _("示范基地"),
                "award",
                kinds=frozenset({OrgKind.ENTERPRISE, OrgKind.REGULATOR}),
                roles=frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER, Role.STAFF}),
                order=40,
            )
        )
        register(
            NavEntry(
                "bases:targets",
                _("基地建设目标"),
                "bullseye",
                kinds=frozenset({OrgKind.REGULATOR}),
                roles=frozenset({Role.ADMIN, Role.STAFF}),
                order=41,
            )
        )
