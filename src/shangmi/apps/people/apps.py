from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PeopleConfig(AppConfig):
    name = "shangmi.apps.people"
    label = "people"
    verbose_name = _("人员")

    def ready(self) -> None:
        from shangmi.apps.accounts.navigation import NavEntry, register
        from shangmi.apps.accounts.roles import OrgKind, Role

        enterprise = frozenset({OrgKind.ENTERPRISE})
        readers = frozenset({Role.ADMIN, Role.OFFICER, Role.MANAGER})
        for url_name, label, icon, roles, order in (
            ("people:employees", _("人员名册"), "person-vcard", None, 20),
            ("people:agreements", _("保密协议"), "file-earmark-text", None, 21),
            ("people:trainings", _("保密培训"), "mortarboard", None, 22),
            ("people:departures", _("离职审计"), "box-arrow-right", readers, 23),
        ):
            register(NavEntry(url_name, label, icon, kinds=enterprise, roles=roles, order=order))
