"""People named in a workbook: by name, or by e-mail when two members share a name.

Exports write the name (it survives a move to another enterprise, where e-mail addresses differ) unless
another member of the organisation has the same name; then the e-mail, so the import finds the right one.
"""

from __future__ import annotations

from collections import defaultdict

from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Membership


class People:
    """The active members of one organisation, found by exact name or e-mail (any case)."""

    def __init__(self, users):
        self.by_email = {u.email.casefold(): u for u in users if u.email}
        self.by_name: dict[str, list] = defaultdict(list)
        for user in users:
            self.by_name[user.name.strip()].append(user)

    @classmethod
    def of(cls, organisation) -> People:
        memberships = Membership.objects.filter(organisation=organisation, is_active=True).select_related(
            "user"
        )
        return cls([m.user for m in memberships])

    def find(self, text: str):
        """(user, None) or (None, a message saying why nobody was found)."""
        text = text.strip()
        if "@" in text:
            user = self.by_email.get(text.casefold())
            if user is not None:
                return user, None
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0], None
        if len(found) > 1:
            return None, _("本单位有 %(n)s 名成员叫“%(name)s”，请改填其电子邮箱以区分") % {
                "n": len(found),
                "name": text,
            }
        return None, _("“%(name)s”不是本单位的在职成员（按姓名或电子邮箱查找）") % {"name": text}


def person_labels(organisation_id: int) -> dict[int, str]:
    """user id → how exports name the person: the name, or the e-mail when the name is not unique among
    the organisation's members."""
    rows = list(
        Membership.objects.filter(organisation_id=organisation_id).values_list(
            "user_id", "user__name", "user__email", "is_active"
        )
    )
    active_names = defaultdict(int)
    for _user_id, name, _email, active in rows:
        if active:
            active_names[name.strip()] += 1
    return {
        user_id: (email if active_names[name.strip()] > 1 and email else name)
        for user_id, name, email, _active in rows
    }
