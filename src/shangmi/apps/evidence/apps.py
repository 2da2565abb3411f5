from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvidenceConfig(AppConfig):
    name = "shangmi.apps.evidence"
    label = "evidence"
    verbose_name = _("存证")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register

        register(NavEntry("evidence:list", _("存证"), "patch-check", order=20))
        register(NavEntry("verify", _("核验回执"), "check2-circle", order=21))
