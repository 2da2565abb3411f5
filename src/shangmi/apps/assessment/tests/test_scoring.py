"""Scores, gaps and unanswered questions on a small framework with known weights."""

from __future__ import annotations

import pytest

from shangmi.apps.assessment.framework import load_framework_file
from shangmi.apps.assessment.scoring import domain_scores, gaps, overall_score, unanswered
from shangmi.apps.assessment.tests.support import write_mini


@pytest.fixture
def mini(tmp_path):
    return load_framework_file(write_mini(tmp_path))


def test_weighted_overall_and_domain_scores(mini):
    answers = {"a-one": "partial", "a-two": "yes", "b-one": "no"}
    # a: (4 × 0.5 + 1 × 1) / 5 = 60; b: 0; overall: (2 + 1 + 0) / 7 = 42.857…
    scores = {d.domain.key: d.score for d in domain_scores(mini, answers)}
    assert scores == {"a": 60.0, "b": 0.0}
    assert overall_score(mini, answers) == 42.9


def test_not_applicable_and_unanswered_are_left_out(mini):
    answers = {"a-one": "yes", "a-two": "na"}
    rows = {d.domain.key: d for d in domain_scores(mini, answers)}
    assert rows["a"].score == 100.0 and rows["a"].answered == 2 and rows["a"].total == 2
    assert rows["b"].score is None and rows["b"].answered == 0
    assert overall_score(mini, answers) == 100.0
    assert [q.id for q in unanswered(mini, answers)] == ["b-one"]
    assert overall_score(mini, {}) is None


def test_gaps_are_ordered_by_weight_times_shortfall(mini):
    answers = {"a-one": "partial", "a-two": "no", "b-one": "no"}
    found = gaps(mini, answers)
    # b-one 2 × 1 = 2.0, a-one 4 × 0.5 = 2.0 (tie: both mandatory, framework order), a-two 1 × 1 = 1.0
    assert [(g.question.id, g.priority) for g in found] == [("a-one", 2.0), ("b-one", 2.0), ("a-two", 1.0)]
    assert found[0].choice.key == "partial" and found[0].shortfall == 0.5


def test_no_gaps_when_every_answer_is_best(mini):
    assert gaps(mini, {"a-one": "yes", "a-two": "na", "b-one": "yes"}) == []
