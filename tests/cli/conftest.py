"""Fixtures for the CLI tests: one migrated data directory with the demo loaded, built once per run
through the real commands and copied for each test that changes it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .support import ok, shangmi


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("demo-template") / "data"
    ok(shangmi("migrate", data_dir=data))
    ok(shangmi("demo", data_dir=data))
    return data


@pytest.fixture
def demo_dir(demo_template, tmp_path) -> Path:
    """A private copy of the migrated + demo data directory (SQLite)."""
    target = tmp_path / "data"
    shutil.copytree(demo_template, target)
    return target
