"""Scores of a self-check, from the framework and the chosen answers (pure functions, no database).

A question's score is its chosen choice's score as a fraction of the question's best score; "not
applicable" choices (score None) and unanswered questions are left out. A domain's score, and the overall
score, is the weighted mean over the questions they contain: sum(weight × fraction) ÷ sum(weight) × 100,
so heavy questions count for more and the overall score is not a plain mean of the domains'."""

from __future__ import annotations

from dataclasses import dataclass

from shangmi.apps.assessment.framework import Choice, Domain, Framework, Question


@dataclass(frozen=True)
class DomainScore:
    domain: Domain
    score: float | None  # 0–100, None when nothing applicable is answered
    answered: int
    total: int


@dataclass(frozen=True)
class Gap:
    question: Question
    choice: Choice
    shortfall: float  # 0–1: how far the answer falls short of the best choice
    priority: float  # weight × shortfall, the order gaps are shown in


def fraction(question: Question, choice_key: str) -> float | None:
    """0–1, or None for unanswered, unknown and not-applicable answers."""
    choice = question.choice(choice_key) if choice_key else None
    if choice is None or choice.score is None or not question.max_score:
        return None
    return choice.score / question.max_score


def _weighted(questions, answers: dict[str, str]) -> float | None:
    total_weight = earned = 0.0
    for q in questions:
        f = fraction(q, answers.get(q.id, ""))
        if f is not None:
            total_weight += q.weight
            earned += q.weight * f
    return round(earned / total_weight * 100, 1) if total_weight else None


def overall_score(framework: Framework, answers: dict[str, str]) -> float | None:
    return _weighted(framework.questions, answers)


def domain_scores(framework: Framework, answers: dict[str, str]) -> list[DomainScore]:
    result = []
    for domain in framework.domains:
        questions = framework.questions_of(domain.key)
        result.append(
            DomainScore(
                domain=domain,
                score=_weighted(questions, answers),
                answered=sum(1 for q in questions if answers.get(q.id)),
                total=len(questions),
            )
        )
    return result


def gaps(framework: Framework, answers: dict[str, str]) -> list[Gap]:
    """Answered questions short of their best choice, the largest weight × shortfall first; among
    equals, mandatory questions before recommended ones, then in framework order."""
    found = []
    for order, q in enumerate(framework.questions):
        f = fraction(q, answers.get(q.id, ""))
        if f is None or f >= 1:
            continue
        shortfall = 1 - f
        found.append((-(q.weight * shortfall), not q.mandatory, order, q, shortfall))
    found.sort(key=lambda item: item[:3])
    return [
        Gap(
            question=q, choice=q.choice(answers[q.id]), shortfall=round(s, 3), priority=round(q.weight * s, 3)
        )
        for _p, _m, _o, q, s in found
    ]


def unanswered(framework: Framework, answers: dict[str, str]) -> list[Question]:
    return [q for q in framework.questions if not answers.get(q.id)]
