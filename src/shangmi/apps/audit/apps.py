from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "shangmi.apps.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import ORG_ADMIN_ROLES

        register(NavEntry("audit:list", _("审计日志"), "journal-text", roles=ORG_ADMIN_ROLES, order=85))
