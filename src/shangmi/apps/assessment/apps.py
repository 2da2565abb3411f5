from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "shangmi.apps.assessment"
    label = "assessment"
    verbose_name = _("自我体检")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind, Role

        readers = frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER})
        register(
            NavEntry(
                "assessment:list",
                _("自我体检"),
                "clipboard2-check",
                kinds=frozenset({OrgKind.ENTERPRISE}),
                roles=readers,
                order=30,
            )
        )
        register(
            NavEntry(
                "assessment:reviews",
                _("体检评审"),
                "clipboard2-check",
                kinds=frozenset({OrgKind.PROVIDER, OrgKind.REGULATOR}),
                order=30,
            )
        )
        register(
            NavEntry(
                "assessment:jurisdiction",
                _("辖区体检概况"),
                "bar-chart",
                kinds=frozenset({OrgKind.REGULATOR}),
                order=31,
            )
        )
