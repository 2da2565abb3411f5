"""Backup and restore: one .tar.gz holding a consistent database snapshot, the data directory's files
and a manifest of SHA-256 digests.

The database is written as Django JSON Lines inside one REPEATABLE READ (PostgreSQL) or IMMEDIATE
(SQLite) transaction, so the snapshot is consistent and portable: a SQLite trial can be restored
into PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tarfile
import tempfile
from collections.abc import Callable
from pathlib import Path, PurePosixPath

from django.utils import timezone

FORMAT = "shangmi-backup/1"
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
FILES = "files/"
# Regenerable or live files that never go into an archive.
SKIP_TOP_LEVEL = {"static", "tmp"}
SKIP_SUFFIXES = (".sqlite3", ".sqlite3-wal", ".sqlite3-shm", ".sqlite3-journal")
MAX_MEMBER_BYTES = 20 * 1024**3  # refuse absurd members (zip-bomb style) before extracting

Progress = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why and what was left untouched."""


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _data_files(data_dir: Path) -> list[Path]:
    found = []
    for root, dirs, files in os.walk(data_dir):
        rel_root = Path(root).relative_to(data_dir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in SKIP_TOP_LEVEL]
        for name in files:
            if name.endswith(SKIP_SUFFIXES):
                continue
            found.append(Path(root) / name)
    return sorted(found)


def _migration_state() -> dict[str, list[str]]:
    from django.db import connection
    from django.db.migrations.recorder import MigrationRecorder

    applied = MigrationRecorder(connection).applied_migrations()
    state: dict[str, list[str]] = {}
    for app_label, name in sorted(applied):
        state.setdefault(app_label, []).append(name)
    return state


def _dump_database(path: Path) -> int:
    from django.core.management import call_command
    from django.db import connection, transaction

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            format="jsonl",
            output=str(path),
            natural_foreign=True,
            natural_primary=True,
            exclude=["contenttypes", "auth.permission"],
            verbosity=0,
        )
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


def create_backup(output: Path, progress: Progress | None = None) -> dict:
    from django.conf import settings
    from django.db import connection

    say = progress or (lambda _m: None)
    data_dir: Path = settings.DATA_DIR
    output = output.resolve()
    if output.is_relative_to(data_dir):
        raise BackupError(f"write the archive outside the data directory {data_dir}")
    with tempfile.TemporaryDirectory(prefix="shangmi-backup-") as tmp:
        dump = Path(tmp) / DATABASE
        say("database snapshot…")
        records = _dump_database(dump)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": _migration_state(),
            "records": records,
            "database": {"sha256": _sha256_file(dump), "size": dump.stat().st_size},
            "files": {},
        }
        files = _data_files(data_dir)
        say(f"{len(files)} files from {data_dir}…")
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as archive:
            archive.add(dump, arcname=DATABASE)
            for path in files:
                rel = path.relative_to(data_dir).as_posix()
                manifest["files"][rel] = {"sha256": _sha256_file(path), "size": path.stat().st_size}
                archive.add(path, arcname=FILES + rel)
            body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(body)
            info.mtime = int(timezone.now().timestamp())
            archive.addfile(info, io.BytesIO(body))
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        partial.replace(output)
    return manifest


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts


def check_archive(archive: Path) -> dict:
    """Read the manifest and check every member's digest and size. Touches nothing on disk."""
    if not archive.is_file():
        raise BackupError(f"{archive} does not exist or is not a file")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members:
                raise BackupError(f"{archive} has no {MANIFEST}; it is not a shangmi backup")
            manifest = json.loads(tar.extractfile(members[MANIFEST]).read())
            if manifest.get("format") != FORMAT:
                raise BackupError(f"unsupported backup format {manifest.get('format')!r} (expected {FORMAT})")
            expected = {DATABASE: manifest["database"]}
            expected.update({FILES + rel: meta for rel, meta in manifest["files"].items()})
            extra = set(members) - set(expected) - {MANIFEST}
            missing = set(expected) - set(members)
            if extra or missing:
                raise BackupError(
                    f"archive and manifest disagree: missing {sorted(missing)}, extra {sorted(extra)}"
                )
            for name, meta in expected.items():
                member = members[name]
                if not member.isfile() or not _safe_member_name(name) or member.size > MAX_MEMBER_BYTES:
                    raise BackupError(f"unsafe archive member {name!r}")
                digest = hashlib.sha256()
                with tar.extractfile(member) as handle:
                    for block in iter(lambda: handle.read(1 << 20), b""):
                        digest.update(block)
                if digest.hexdigest() != meta["sha256"] or member.size != meta["size"]:
                    raise BackupError(
                        f"{name} does not match its SHA-256 in the manifest; the archive is damaged"
                    )
    except (tarfile.TarError, OSError, EOFError, json.JSONDecodeError, KeyError) as error:
        raise BackupError(f"{archive} is not a readable shangmi backup: {error}") from error
    return manifest


def _database_is_empty() -> bool:
    from django.db import connection

    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            if table == "django_migrations":
                continue
            cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
            if cursor.fetchone() is not None and not _seeded_by_migrations(table):
                return False
    return True


def _seeded_by_migrations(table: str) -> bool:
    # Migrations themselves seed regions, the platform organisation, content types and permissions.
    return table in {
        "accounts_region",
        "accounts_organisation",
        "django_content_type",
        "auth_permission",
    } and _only_seed_rows(table)


def _only_seed_rows(table: str) -> bool:
    from shangmi.apps.accounts.models import Organisation

    if table == "accounts_organisation":
        return not Organisation.objects.exclude(short_code="PLATFORM").exists()
    return True


def restore_backup(archive: Path, manifest: dict, progress: Progress | None = None) -> None:
    """Extract files into the (empty) data directory, migrate the (empty) database, load the snapshot.

    On any failure the files written are removed again and the load is rolled back.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import transaction

    say = progress or (lambda _m: None)
    data_dir: Path = settings.DATA_DIR
    generated = {data_dir / "secret_key"}  # settings may create this before restore runs
    before = {p for p in data_dir.rglob("*")} - generated if data_dir.exists() else set()
    if before:
        raise BackupError(f"the data directory {data_dir} is not empty; nothing was changed")
    try:
        with (
            tempfile.TemporaryDirectory(prefix="shangmi-restore-") as tmp,
            tarfile.open(archive, "r:gz") as tar,
        ):
            say("files…")
            for rel in manifest["files"]:
                target = data_dir / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(FILES + rel) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
                if rel == "secret_key":
                    target.chmod(0o600)
            dump = Path(tmp) / DATABASE
            with tar.extractfile(DATABASE) as source, open(dump, "wb") as sink:
                shutil.copyfileobj(source, sink)
            say("database schema…")
            call_command("migrate", interactive=False, verbosity=0)
            if not _database_is_empty():
                raise BackupError("the database already holds data; restore only into an empty database")
            current = _migration_state()
            if current != manifest["migrations"]:
                raise BackupError(
                    "this backup was made by a different schema version; restore it with the "
                    "shangmi version that wrote it, then upgrade"
                )
            say(f"{manifest['records']} records…")
            with transaction.atomic():
                call_command("loaddata", str(dump), verbosity=0)
    except BaseException:
        for path in sorted(data_dir.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        raise
