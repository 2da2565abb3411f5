"""DESIGN §3: the layers hold. Engines never import Django; apps only import downwards."""

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "shangmi"

# Lower apps may be imported by higher ones, never the reverse (DESIGN §3).
APP_ORDER = [
    "accounts",
    "audit",
    "evidence",
    "registry",
    "people",
    "assessment",
    "monitoring",
    "forensics",
    "bases",
    "ops",
]
BASE_APPS = {"accounts", "audit", "evidence"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def _python_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "migrations" not in p.parts and p.parent != folder)


@pytest.mark.parametrize("path", _python_files(SRC / "engines"), ids=lambda p: str(p.relative_to(SRC)))
def test_engines_never_import_django_or_apps(path):
    bad = {m for m in _imports(path) if m.split(".")[0] == "django" or m.startswith("shangmi.apps")}
    assert not bad, f"{path} imports {sorted(bad)}"


def _app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[2] if len(parts) > 2 and parts[:2] == ["shangmi", "apps"] else None


@pytest.mark.parametrize("path", _python_files(SRC / "apps"), ids=lambda p: str(p.relative_to(SRC)))
def test_domain_apps_import_only_downwards(path):
    own = path.relative_to(SRC / "apps").parts[0]
    if own not in APP_ORDER:
        pytest.fail(f"app {own} is not placed in APP_ORDER; add it where DESIGN §3 puts it")
    for module in _imports(path):
        other = _app_of(module)
        if other is None or other == own or other in BASE_APPS or own in BASE_APPS and other in BASE_APPS:
            continue
        assert APP_ORDER.index(other) < APP_ORDER.index(own), f"{path.name} in {own} imports {module}"


def test_base_apps_do_not_import_domain_apps():
    for own in BASE_APPS & {p.name for p in (SRC / "apps").iterdir()}:
        for path in _python_files(SRC / "apps" / own):
            for module in _imports(path):
                other = _app_of(module)
                assert other is None or other in BASE_APPS, f"{path} imports domain app module {module}"
