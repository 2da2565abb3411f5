from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shangmi.apps.people"
    label = "people"
    verbose_name = _("人员")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind

        register(
            NavEntry(
                "people:employees",
                _("人员与协议"),
                "people",
                kinds=frozenset({OrgKind.ENTERPRISE}),
                order=20,
            )
        )
