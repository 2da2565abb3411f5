"""Fixtures of the self-check tests: the small framework `mini` beside the shipped one, and the demo
enterprise's secrecy officer as a membership."""

from __future__ import annotations

import pytest

from shangmi.apps.assessment.tests.support import member_of, write_mini


@pytest.fixture
def mini(settings, tmp_path):
    settings.ASSESSMENT_FRAMEWORK_DIRS = [tmp_path / "frameworks"]
    write_mini(tmp_path / "frameworks")


@pytest.fixture
def officer(enterprise):
    org, people = enterprise
    return member_of(people["officer"], org)
