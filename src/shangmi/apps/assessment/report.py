"""What the report says of a self-check: scores per domain, the previous self-check beside it, the trend
and the gaps. Shared by the report page and its Word document."""

from __future__ import annotations

from dataclasses import dataclass

from shangmi.apps.assessment.labels import domain_name
from shangmi.apps.assessment.models import Assessment
from shangmi.apps.assessment.queries import answers_of, finished_of, framework_of, previous_of
from shangmi.apps.assessment.scoring import DomainScore, Gap, domain_scores, gaps, overall_score


@dataclass
class DomainRow:
    score: DomainScore
    previous: float | None

    @property
    def name(self) -> str:
        return domain_name(self.score.domain)

    @property
    def delta(self) -> float | None:
        if self.score.score is None or self.previous is None:
            return None
        return round(self.score.score - self.previous, 1)


@dataclass
class Report:
    assessment: Assessment
    overall: float | None
    rows: list[DomainRow]
    gaps: list[Gap]
    previous: Assessment | None
    trend: list[Assessment]
    unanswered: int

    @property
    def overall_delta(self) -> float | None:
        if self.overall is None or self.previous is None or self.previous.score is None:
            return None
        return round(self.overall - self.previous.score, 1)


def build_report(assessment: Assessment) -> Report:
    framework = framework_of(assessment)
    answers = answers_of(assessment)
    previous = previous_of(assessment)
    before = previous.domain_scores if previous is not None else {}
    scores = domain_scores(framework, answers)
    trend = list(finished_of(assessment.organisation_id))
    if assessment.submitted_at is not None:
        trend = [a for a in trend if a.submitted_at <= assessment.submitted_at]
    return Report(
        assessment=assessment,
        overall=assessment.score if assessment.score is not None else overall_score(framework, answers),
        rows=[DomainRow(score=s, previous=before.get(s.domain.key)) for s in scores],
        gaps=gaps(framework, answers),
        previous=previous,
        trend=trend,
        unanswered=len(framework.questions) - len(answers),
    )
