"""`shangmi risk generate`, run as a real command: CERT r6 files with injected scenarios, no database."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

from shangmi.engines.risk.generator import generate

from .support import cli_env, ok, shangmi, tree

SMALL = ("--users", "20", "--days", "30")
NO_DJANGO = """
import sys
from shangmi.cli import app
app(["risk", "generate", "--users", "20", "--days", "30", "--out", sys.argv[1]], standalone_mode=False)
assert not any(name == "django" or name.startswith("django.") for name in sys.modules), "django was imported"
"""


def test_writes_the_same_files_as_the_engine_and_summarises_them(tmp_path):
    out = tmp_path / "logs"
    result = ok(
        shangmi(
            "risk", "generate", *SMALL, "--seed", "11", "--start", "2026-03-02", "--scenarios", "4",
            "--lookalikes", "3", "--out", str(out), data_dir=tmp_path / "unused",
        )
    )  # fmt: skip
    generate(
        tmp_path / "engine", users=20, days=30, seed=11, start=date(2026, 3, 2), scenarios=4, lookalikes=3
    )
    assert tree(out) == tree(tmp_path / "engine")
    assert not (tmp_path / "unused").exists()  # no data directory, no database
    for name in (
        "logon.csv",
        "device.csv",
        "file.csv",
        "email.csv",
        "http.csv",
        "LDAP/2026-03.csv",
        "truth.json",
    ):
        assert name in result.stdout
    truth = json.loads((out / "truth.json").read_text(encoding="utf-8"))
    for item in truth["scenarios"] + truth["lookalikes"]:
        assert item["kind"] in result.stdout and item["user"] in result.stdout
    rows = sum(len((out / n).read_text(encoding="utf-8").splitlines()) - 1 for n in ("logon.csv", "file.csv"))
    assert rows > 0
    assert "20 users × 30 days" in result.stdout and "events/s" in result.stdout
    assert "30/30 days" in result.stderr  # the progress bar goes to stderr


def test_refuses_a_non_empty_folder_unless_forced(tmp_path):
    out = tmp_path / "logs"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    refused = shangmi("risk", "generate", *SMALL, "--out", str(out), data_dir=tmp_path / "unused")
    assert refused.returncode == 2
    assert "output folder is not empty" in refused.stderr and "--force" in refused.stderr
    assert sorted(p.name for p in out.iterdir()) == ["notes.txt"]
    ok(shangmi("risk", "generate", *SMALL, "--out", str(out), "--force", data_dir=tmp_path / "unused"))
    assert (out / "truth.json").is_file() and (out / "notes.txt").read_text(encoding="utf-8") == "keep me"


def test_bad_arguments_exit_2_with_a_message(tmp_path):
    bad_start = shangmi(
        "risk",
        "generate",
        *SMALL,
        "--start",
        "2026-02-30",
        "--out",
        str(tmp_path / "a"),
        data_dir=tmp_path / "u",
    )
    assert bad_start.returncode == 2 and "--start" in bad_start.stderr and "YYYY-MM-DD" in bad_start.stderr
    too_few = shangmi(
        "risk",
        "generate",
        "--users",
        "5",
        "--days",
        "30",
        "--out",
        str(tmp_path / "b"),
        data_dir=tmp_path / "u",
    )
    assert too_few.returncode == 2 and "users must be at least 10" in too_few.stderr
    assert not (tmp_path / "a").exists() and not (tmp_path / "b").exists()


def test_does_not_import_django(tmp_path):
    out = tmp_path / "logs"
    process = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, str(out)],
        env=cli_env(tmp_path / "unused"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert (out / "file.csv").is_file()
