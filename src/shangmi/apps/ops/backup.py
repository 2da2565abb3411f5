"""Backup and restore: one .tar.gz holding a consistent database snapshot, the data directory's files
and a manifest of SHA-256 digests.

The database is written as Django JSON Lines inside one REPEATABLE READ (PostgreSQL) or IMMEDIATE
(SQLite) transaction, so the snapshot is consistent and portable: a SQLite trial can be restored
into PostgreSQL. Every row keeps its primary key and every timestamp its microseconds, because audit
events hash both (organisation_id, actor_id, created_at); a restore that renumbered users or rounded
times would break every audit chain.
"""

from __future__ import annotations

import contextlib
import fcntl
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

# 2: every row with its own primary key, content types included, microsecond timestamps. Archives of
# format 1 (natural keys, millisecond timestamps) could not restore audit chains intact and are refused.
FORMAT = "shangmi-backup/2"
MANIFEST = "manifest.json"
DATABASE = "database.jsonl"
FILES = "files/"
# Regenerable files that never go into an archive. The live SQLite database (when it lives in the data
# directory) is skipped as well: it is in the archive as the consistent snapshot instead.
SKIP_TOP_LEVEL = {"static", "tmp"}
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")
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


def _live_database_files() -> set[Path]:
    """The files of the SQLite database in use (none on PostgreSQL)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return set()
    name = Path(str(connection.settings_dict["NAME"])).resolve()
    return {name.with_name(name.name + suffix) for suffix in SQLITE_COMPANIONS}


def _data_files(data_dir: Path) -> list[Path]:
    live = _live_database_files()
    found = []
    for root, dirs, files in os.walk(data_dir):
        rel_root = Path(root).relative_to(data_dir)
        if rel_root == Path("."):
            dirs[:] = [d for d in dirs if d not in SKIP_TOP_LEVEL]
        for name in files:
            path = Path(root) / name
            if path.resolve() in live:
                continue
            found.append(path)
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
    """Every row of every model with its own primary key (content types and permissions included, so
    references to them stay right without natural keys), read through the base managers."""
    from django.core.management import call_command
    from django.db import connection, transaction

    from shangmi.apps.ops.serialization import FORMAT_NAME, register

    register()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        call_command(
            "dumpdata",
            format=FORMAT_NAME,
            output=str(path),
            use_base_manager=True,
            verbosity=0,
        )
    with open(path, "rb") as handle:
        return sum(1 for line in handle if line.strip())


@contextlib.contextmanager
def _log_writer_paused(data_dir: Path):
    """Hold the evidence log's writer lock while the snapshot is taken, so the database and the log files
    in the archive describe the same moment (the writer retries once the lock is free)."""
    from shangmi.engines.tlog.sequencer import LOCK_PATH

    log_dir = data_dir / "log"
    if not log_dir.is_dir():
        yield
        return
    fd = os.open(log_dir / LOCK_PATH, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def create_backup(output: Path, progress: Progress | None = None) -> dict:
    from django.conf import settings
    from django.db import connection

    say = progress or (lambda _m: None)
    data_dir: Path = settings.DATA_DIR
    output = output.resolve()
    if output.is_relative_to(data_dir):
        raise BackupError(f"write the archive outside the data directory {data_dir}")
    with tempfile.TemporaryDirectory(prefix="shangmi-backup-") as tmp, _log_writer_paused(data_dir):
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
    """A relative path with no empty, "." or ".." parts: nothing in it can leave the target directory."""
    if not name or "\\" in name or "\x00" in name:
        return False
    path = PurePosixPath(name)
    parts = name.split("/")
    return not path.is_absolute() and all(part not in ("", ".", "..") for part in parts)


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
            unsafe = [rel for rel in manifest["files"] if not _safe_member_name(rel)]
            if unsafe:
                raise BackupError(f"unsafe file name(s) in the manifest: {unsafe[:5]}")
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


def _replace_database_contents(dump: Path) -> None:
    """Make the (freshly migrated, otherwise empty) database hold exactly the snapshot.

    The rows migrations seed (content types, permissions, regions, the platform organisation) are
    flushed first, so every row comes back with the primary key it had. Runs in the caller's transaction.
    """
    from django.contrib.contenttypes.models import ContentType
    from django.core.management import call_command
    from django.core.management.color import no_style
    from django.core.management.sql import sql_flush
    from django.db import connection

    connection.ops.execute_sql_flush(sql_flush(no_style(), connection, reset_sequences=True))
    ContentType.objects.clear_cache()
    call_command("loaddata", str(dump), verbosity=0)
    ContentType.objects.clear_cache()


def restore_backup(archive: Path, manifest: dict, progress: Progress | None = None) -> None:
    """Check the database is empty, extract the files into the (empty) data directory, migrate, and load
    the snapshot.

    A database that holds data is refused before anything is written or migrated. On any failure the
    files written are removed again and the load is rolled back.
    """
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections, transaction

    say = progress or (lambda _m: None)
    data_dir: Path = settings.DATA_DIR
    generated = {data_dir / "secret_key"}  # settings may create this before restore runs
    before = {p for p in data_dir.rglob("*")} - generated if data_dir.exists() else set()
    if before:
        raise BackupError(f"the data directory {data_dir} is not empty; nothing was changed")
    live = _live_database_files()
    try:
        say("database…")
        if not _database_is_empty():
            raise BackupError(
                "the database already holds data; restore only into an empty database. Nothing was changed."
            )
        with (
            tempfile.TemporaryDirectory(prefix="shangmi-restore-") as tmp,
            tarfile.open(archive, "r:gz") as tar,
        ):
            say("files…")
            for rel in manifest["files"]:
                if not _safe_member_name(rel):
                    raise BackupError(f"unsafe file name {rel!r} in the manifest")
                target = data_dir / rel
                if target.resolve() in live or not target.resolve().is_relative_to(data_dir):
                    raise BackupError(
                        f"the archive's file {rel!r} would overwrite the database or leave {data_dir}"
                    )
                target.parent.mkdir(parents=True, exist_ok=True)
                with tar.extractfile(FILES + rel) as source, open(target, "wb") as sink:
                    shutil.copyfileobj(source, sink)
                if rel == "secret_key" or rel.startswith("keys/"):
                    target.chmod(0o600)
            dump = Path(tmp) / DATABASE
            with tar.extractfile(DATABASE) as source, open(dump, "wb") as sink:
                shutil.copyfileobj(source, sink)
            say("database schema…")
            call_command("migrate", interactive=False, verbosity=0)
            current = _migration_state()
            if current != manifest["migrations"]:
                raise BackupError(
                    "this backup was made by a different schema version; restore it with the "
                    "shangmi version that wrote it, then upgrade"
                )
            say(f"{manifest['records']} records…")
            with transaction.atomic():
                _replace_database_contents(dump)
    except BaseException:
        connections.close_all()
        for path in sorted(data_dir.rglob("*"), reverse=True):
            if path.is_file() or path.is_symlink():
                path.unlink()
            elif path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        raise
