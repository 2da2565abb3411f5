"""What a regulator sees of self-checks: score distributions of the enterprises in its region that chose
to share, by district and by industry. Only each enterprise's latest shared self-check counts; an
enterprise that did not opt in contributes nothing, not even to a count of self-checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from statistics import median

from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Organisation
from shangmi.apps.accounts.queries import organisations_in_jurisdiction
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.assessment.models import Assessment
from shangmi.apps.assessment.queries import FINISHED

BANDS = ((0, 60, "<60"), (60, 70, "60–69"), (70, 80, "70–79"), (80, 90, "80–89"), (90, 101, "90–100"))


@dataclass
class Group:
    name: str
    scores: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.scores)

    @property
    def mean(self) -> float | None:
        return round(sum(self.scores) / len(self.scores), 1) if self.scores else None

    @property
    def median(self) -> float | None:
        return round(median(self.scores), 1) if self.scores else None

    @property
    def bands(self) -> list[int]:
        return [sum(1 for s in self.scores if low <= s < high) for low, high, _label in BANDS]


@dataclass
class Overview:
    enterprises: int  # enterprises of the region on the platform
    sharing: int
    by_district: list[Group]
    by_industry: list[Group]
    domains: list[tuple[str, float]]  # mean score per domain key over sharing enterprises


def _district(organisation: Organisation) -> str:
    region = organisation.region
    return region.name if region is not None else _("未填写")


def shared_latest(regulator: Organisation) -> list[Assessment]:
    """Each sharing enterprise's latest shared, finished self-check."""
    enterprises = organisations_in_jurisdiction(regulator, kind=OrgKind.ENTERPRISE)
    rows = (
        Assessment.objects.filter(
            organisation__in=enterprises, state__in=FINISHED, shared_with_regulator=True, score__isnull=False
        )
        .select_related("organisation__region")
        .order_by("organisation_id", "-submitted_at", "-pk")
    )
    latest: dict[int, Assessment] = {}
    for a in rows:
        latest.setdefault(a.organisation_id, a)
    return list(latest.values())


def _grouped(assessments: list[Assessment], key) -> list[Group]:
    groups: dict[str, Group] = {}
    for a in assessments:
        name = key(a.organisation)
        groups.setdefault(name, Group(name)).scores.append(a.score)
    return sorted(groups.values(), key=lambda g: (-g.count, g.name))


def overview(regulator: Organisation) -> Overview:
    shared = shared_latest(regulator)
    sums: dict[str, list[float]] = {}
    for a in shared:
        for key, score in (a.domain_scores or {}).items():
            if score is not None:
                sums.setdefault(key, []).append(score)
    return Overview(
        enterprises=organisations_in_jurisdiction(regulator, kind=OrgKind.ENTERPRISE).count(),
        sharing=len(shared),
        by_district=_grouped(shared, _district),
        by_industry=_grouped(shared, lambda o: o.industry or _("未填写")),
        domains=[(k, round(sum(v) / len(v), 1)) for k, v in sums.items()],
    )
