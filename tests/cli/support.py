"""Helpers for tests that run the real `shangmi` command in subprocesses against throw-away data
directories (SQLite) or throw-away PostgreSQL databases."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BIN = Path(sys.executable).parent
SHANGMI = BIN / "shangmi"
DEMO_PASSWORD = "Shangmi-Demo-2026"
SQLITE_NAME = "shangmi.sqlite3"
# Variables of the outer test run that must not leak into the commands under test.
_SCRUBBED = (
    "DATABASE_URL",
    "SHANGMI_DATA_DIR",
    "SHANGMI_SECRET_KEY",
    "SHANGMI_SECRET_KEY_FILE",
    "COLUMNS",
    "LINES",
)


def outer_database_url() -> str:
    return os.environ.get("DATABASE_URL", "")


def on_postgres() -> bool:
    return outer_database_url().startswith(("postgres://", "postgresql://"))


def cli_env(data_dir: Path, database_url: str | None = None, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _SCRUBBED}
    env.update(
        SHANGMI_DATA_DIR=str(data_dir),
        DJANGO_SETTINGS_MODULE="shangmi.settings",
        SHANGMI_DEMO_PASSWORD=DEMO_PASSWORD,
        PYTHONUNBUFFERED="1",
    )
    env.pop("SHANGMI_NEW_PASSWORD", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    env.update(extra)
    return env


def shangmi(
    *args: str, data_dir: Path, database_url: str | None = None, timeout: float = 180, **extra: str
) -> subprocess.CompletedProcess:
    """Run `shangmi ARGS…` and return the finished process (stdout and stderr as text)."""
    return subprocess.run(
        [str(SHANGMI), *args],
        env=cli_env(data_dir, database_url, **extra),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def django_python(
    code: str, *args: str, data_dir: Path, database_url: str | None = None, timeout: float = 60
) -> subprocess.CompletedProcess:
    """Run a Python snippet with Django set up against the given data directory / database."""
    prelude = "import django, json, sys\ndjango.setup()\n"
    return subprocess.run(
        [sys.executable, "-c", prelude + code, *args],
        env=cli_env(data_dir, database_url),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def ok(process: subprocess.CompletedProcess) -> subprocess.CompletedProcess:
    assert process.returncode == 0, (
        f"exit {process.returncode}\nstdout:\n{process.stdout}\nstderr:\n{process.stderr}"
    )
    return process


def sql(data_dir: Path, query: str, params: tuple = ()) -> list[tuple]:
    """Query (or change) a data directory's SQLite database directly, bypassing the application."""
    with sqlite3.connect(data_dir / SQLITE_NAME) as db:
        rows = db.execute(query, params).fetchall()
    db.close()
    return rows


def wait_for(probe: Callable[[], object], timeout: float, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = probe()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree(directory: Path) -> dict[str, str]:
    """Every file below `directory` (relative POSIX path) with its SHA-256."""
    return {
        p.relative_to(directory).as_posix(): sha256(p) for p in sorted(directory.rglob("*")) if p.is_file()
    }


def listing(directory: Path) -> list[str]:
    return sorted(
        p.relative_to(directory).as_posix() + ("/" if p.is_dir() else "") for p in directory.rglob("*")
    )


# --- whole-database snapshots, to compare "every record" between two databases ---------------------

_IGNORED_TABLES = {"django_migrations"}  # applied-at times differ by design


def snapshot(data_dir: Path | None = None, database_url: str | None = None) -> dict[str, list[tuple]]:
    """table -> all rows (sorted), for the SQLite database of `data_dir` or the PostgreSQL `database_url`."""
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as db:
            tables = [
                row[0]
                for row in db.execute(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            return {
                table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608
                for table in sorted(tables)
                if table not in _IGNORED_TABLES
            }
    assert data_dir is not None
    with sqlite3.connect(data_dir / SQLITE_NAME) as db:
        tables = [
            row[0]
            for row in db.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        result = {
            table: sorted(db.execute(f'SELECT * FROM "{table}"').fetchall(), key=repr)  # noqa: S608
            for table in sorted(tables)
            if table not in _IGNORED_TABLES
        }
    db.close()
    return result


def counts(snap: dict[str, list[tuple]]) -> dict[str, int]:
    return {table: len(rows) for table, rows in snap.items()}


# --- throw-away PostgreSQL databases --------------------------------------------------------------


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


@contextmanager
def fresh_postgres_databases(*labels: str) -> Iterator[dict[str, str]]:
    """Create one empty database per label on the server named by DATABASE_URL; drop them afterwards."""
    import psycopg

    admin_url = _with_database(outer_database_url(), "postgres")
    stem = f"shangmi_bk_{secrets.token_hex(4)}"
    names = {label: f"{stem}_{label}" for label in labels}
    with psycopg.connect(admin_url, autocommit=True) as admin:
        for name in names.values():
            admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield {label: _with_database(outer_database_url(), name) for label, name in names.items()}
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            for name in names.values():
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manifest_of(archive: Path) -> dict:
    import tarfile

    with tarfile.open(archive, "r:gz") as tar:
        return json.loads(tar.extractfile("manifest.json").read())
