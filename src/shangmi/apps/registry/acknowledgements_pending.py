"""Who has not yet acknowledged a grant (待确认知悉): the secrecy officer's follow-up list. A personal grant
waits for its person; a position grant waits for every active member holding that position."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q
from django.utils import timezone

from shangmi.apps.accounts.models import Membership
from shangmi.apps.registry.models import GrantAcknowledgement
from shangmi.apps.registry.queries import active_grants


@dataclass(frozen=True)
class Pending:
    grant_id: int
    secret_id: int
    code: str
    name: str
    level: str
    person: str
    position: str
    granted_at: datetime

    @property
    def days_waiting(self) -> int:
        return (timezone.now() - self.granted_at).days


def pending_acknowledgements(organisation_id: int, *, search: str = "") -> list[Pending]:
    """Every (grant, person) still to be acknowledged, the longest waiting first."""
    grants = active_grants(organisation_id).select_related("secret", "user").order_by("granted_at", "pk")
    if search:
        grants = grants.filter(Q(secret__code__icontains=search) | Q(secret__name__icontains=search))
    grants = list(grants)
    positions = {g.position for g in grants if not g.user_id}
    holders: dict[str, list[tuple[int, str]]] = {}
    for user_id, name, title in (
        Membership.objects.filter(organisation_id=organisation_id, is_active=True, title__in=positions)
        .order_by("user__name")
        .values_list("user_id", "user__name", "title")
    ):
        holders.setdefault(title, []).append((user_id, name))
    done = set(
        GrantAcknowledgement.objects.filter(grant__in=[g for g in grants if not g.user_id]).values_list(
            "grant_id", "user_id"
        )
    )
    rows: list[Pending] = []
    for g in grants:
        if g.user_id:
            waiting = [] if g.acknowledged_at else [(g.user_id, g.user.name)]
        else:
            waiting = [(uid, name) for uid, name in holders.get(g.position, []) if (g.pk, uid) not in done]
        rows.extend(
            Pending(
                g.pk,
                g.secret_id,
                g.secret.code,
                g.secret.name,
                g.secret.level,
                name,
                g.position,
                g.granted_at,
            )
            for _uid, name in waiting
        )
    return rows


def position_progress(grants) -> dict[int, tuple[int, int]]:
    """For position grants: (acknowledged, holders) per grant id, for the secret's detail page."""
    position_grants = [g for g in grants if not g.user_id]
    if not position_grants:
        return {}
    organisation_id = position_grants[0].organisation_id
    titles = {g.position for g in position_grants}
    holders: dict[str, set[int]] = {}
    for user_id, title in Membership.objects.filter(
        organisation_id=organisation_id, is_active=True, title__in=titles
    ).values_list("user_id", "title"):
        holders.setdefault(title, set()).add(user_id)
    acked: dict[int, set[int]] = {}
    for grant_id, user_id in GrantAcknowledgement.objects.filter(grant__in=position_grants).values_list(
        "grant_id", "user_id"
    ):
        acked.setdefault(grant_id, set()).add(user_id)
    return {
        g.pk: (
            len(acked.get(g.pk, set()) & holders.get(g.position, set())),
            len(holders.get(g.position, set())),
        )
        for g in position_grants
    }
