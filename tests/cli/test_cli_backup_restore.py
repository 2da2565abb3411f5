"""`shangmi backup` / `shangmi restore` through the real commands: a round trip that finds every record
and file intact, and the refusals (non-empty directory, database holding data, damaged archives).

On SQLite the databases are the data directories' own files. When the suite runs on PostgreSQL
(DATABASE_URL=postgres://…), the round trip creates its own fresh PostgreSQL databases and drops them.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import tarfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from .support import (
    DEMO_PASSWORD,
    SQLITE_NAME,
    django_python,
    fresh_postgres_databases,
    listing,
    manifest_of,
    ok,
    on_postgres,
    sha256,
    shangmi,
    snapshot,
    sql,
    tree,
)

PHONE_PASSWORD = "Phone-Login-Pass-2026"
PHONE_USERS = (("王小二", "13905740001"), ("李小三", "13905740002"))
MEDIA = {
    "media/carriers/图纸-v3.dwg": os.urandom(200_000),
    # An uploaded file that happens to be an SQLite database must be backed up like any other file.
    "media/uploads/evidence.sqlite3": b"SQLite format 3\x00" + os.urandom(4096),
    "media/empty.txt": b"",
    "media/深/层/目录/说明.txt": "保密协议 第 3 条\n".encode(),
}
SQLITE_FILES = {SQLITE_NAME, SQLITE_NAME + "-wal", SQLITE_NAME + "-shm", SQLITE_NAME + "-journal"}


@dataclass
class Site:
    dir: Path
    url: str | None  # DATABASE_URL for PostgreSQL, None for the SQLite file in `dir`
    token: str = ""

    def snapshot(self):
        return snapshot(self.dir, self.url)

    def run(self, *args: str, **env: str):
        return shangmi(*args, data_dir=self.dir, database_url=self.url, **env)


def files_of(directory: Path) -> dict[str, str]:
    """The data directory's files, without the live SQLite database."""
    return {rel: digest for rel, digest in tree(directory).items() if rel not in SQLITE_FILES}


@pytest.fixture(scope="module")
def postgres():
    if not on_postgres():
        yield {}
        return
    with fresh_postgres_databases("a", "b", "c") as urls:
        yield urls


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("backup")


@pytest.fixture(scope="module")
def source(demo_template, root, postgres) -> Site:
    """Data directory A: migrated with the demo, plus two phone-only logins, a token and media files."""
    site = Site(root / "A", postgres.get("a"))
    if site.url:
        site.dir.mkdir()
        ok(site.run("migrate"))
        ok(site.run("demo"))
    else:
        shutil.copytree(demo_template, site.dir)
    for name, phone in PHONE_USERS:
        ok(
            site.run(
                "createuser", "--name", name, "--org", "LXWY", "--role", "employee", "--phone", phone,
                SHANGMI_NEW_PASSWORD=PHONE_PASSWORD,
            )
        )  # fmt: skip
    site.token = ok(
        site.run("token", "create", "--user", "officer@lanxi.example", "--org", "LXWY")
    ).stdout.strip()
    for rel, content in MEDIA.items():
        path = site.dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return site


@pytest.fixture(scope="module")
def archive(source, root) -> Path:
    out = root / "out" / "shangmi-backup.tar.gz"
    out.parent.mkdir()
    result = ok(source.run("backup", str(out)))
    assert result.stdout.startswith(f"backup written {out} (")
    assert sorted(p.name for p in out.parent.iterdir()) == ["shangmi-backup.tar.gz"]  # no .partial left
    return out


@pytest.fixture(scope="module")
def restored(source, archive, root, postgres) -> Site:
    site = Site(root / "B", postgres.get("b"))
    site.dir.mkdir()
    result = ok(site.run("restore", str(archive)))
    manifest = manifest_of(archive)
    assert result.stdout.strip() == (
        f"restored {manifest['records']} records and {len(manifest['files'])} files into {site.dir}"
    )
    return site


def test_manifest_lists_the_sha256_of_every_file_and_of_the_database(source, archive):
    manifest = manifest_of(archive)
    expected_files = files_of(source.dir)
    assert set(MEDIA) | {"secret_key"} <= set(expected_files)
    assert manifest["format"] == "shangmi-backup/2"
    assert manifest["database_vendor"] == ("postgresql" if source.url else "sqlite")
    assert {rel: meta["sha256"] for rel, meta in manifest["files"].items()} == expected_files
    assert {rel: meta["size"] for rel, meta in manifest["files"].items()} == {
        rel: (source.dir / rel).stat().st_size for rel in expected_files
    }
    with tarfile.open(archive, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers()}
    assert set(members) == {"manifest.json", "database.jsonl"} | {f"files/{rel}" for rel in expected_files}
    for rel, meta in manifest["files"].items():
        assert members[f"files/{rel}"] == (source.dir / rel).read_bytes()
        assert meta["sha256"] == sha256(source.dir / rel)
    dump = members["database.jsonl"]
    assert manifest["database"] == {"sha256": hashlib.sha256(dump).hexdigest(), "size": len(dump)}
    assert manifest["records"] == len([line for line in dump.splitlines() if line.strip()])


def test_restore_brings_back_every_record_of_every_table(source, restored):
    before, after = source.snapshot(), restored.snapshot()
    assert {t: len(r) for t, r in after.items()} == {t: len(r) for t, r in before.items()}
    for table in before:
        assert after[table] == before[table], f"rows of {table} differ after restore"
    # The comparison covered real data, not empty tables.
    assert len(before["accounts_user"]) == 55 + len(PHONE_USERS)
    assert len(before["audit_auditevent"]) > 100
    assert len(before["accounts_accesstoken"]) == 1


def test_restore_brings_back_every_file_byte_for_byte(source, restored):
    assert files_of(restored.dir) == files_of(source.dir)
    for rel, content in MEDIA.items():
        assert (restored.dir / rel).read_bytes() == content
    assert stat.S_IMODE((restored.dir / "secret_key").stat().st_mode) == 0o600


def test_restored_audit_chains_verify(source, restored):
    [total] = [len(source.snapshot()["audit_auditevent"])]
    result = ok(restored.run("audit", "verify"))
    assert (
        result.stdout.strip() == f"OK {total} events, every chain intact; 0 anchors in the evidence log match"
    )


CHECK_LOGINS = """
from shangmi.apps.accounts.actions import token_authenticate
from shangmi.apps.accounts.backends import find_user
logins = json.loads(sys.argv[1])
out = {}
for login, password in logins:
    user = find_user(login)
    out[login] = [user.pk, user.name, user.check_password(password), user.check_password("wrong-password")]
token = token_authenticate(sys.argv[2])
out["token"] = [token.user.email, token.organisation.short_code] if token else None
print(json.dumps(out, ensure_ascii=False))
"""


def test_restored_users_log_in_with_their_passwords_and_tokens_still_work(source, restored):
    logins = [("officer@lanxi.example", DEMO_PASSWORD), ("ops@shangmi.example", DEMO_PASSWORD)]
    logins += [(phone, PHONE_PASSWORD) for _name, phone in PHONE_USERS]
    args = (json.dumps(logins), source.token)
    before = json.loads(
        ok(django_python(CHECK_LOGINS, *args, data_dir=source.dir, database_url=source.url)).stdout
    )
    after = json.loads(
        ok(django_python(CHECK_LOGINS, *args, data_dir=restored.dir, database_url=restored.url)).stdout
    )
    assert after == before
    for login, _password in logins:
        assert after[login][2:] == [True, False], login
    # Two phone-only users (no e-mail, so no natural key) are still two distinct people.
    assert [after[phone][1] for _name, phone in PHONE_USERS] == [name for name, _phone in PHONE_USERS]
    assert after["token"] == ["officer@lanxi.example", "LXWY"]


def test_restore_into_a_non_empty_directory_is_refused_and_touches_nothing(archive, root, postgres):
    site = Site(root / "nonempty", postgres.get("c"))
    (site.dir / "sub").mkdir(parents=True)
    (site.dir / "notes.txt").write_text("keep me", encoding="utf-8")
    (site.dir / "sub" / "keep.bin").write_bytes(os.urandom(1000))
    before = (listing(site.dir), tree(site.dir))
    result = site.run("restore", str(archive))
    assert result.returncode == 1
    assert f"the data directory {site.dir} is not empty" in result.stderr
    assert "Nothing was changed" in result.stderr
    assert (listing(site.dir), tree(site.dir)) == before
    if site.url:
        assert site.snapshot() == {}  # not even migrated


def test_restore_refuses_a_database_that_already_holds_data(source, archive, root):
    target = root / "into-used-database"
    target.mkdir()
    # The source's own database: its file on SQLite, its PostgreSQL database otherwise.
    url = source.url or f"sqlite:///{source.dir / SQLITE_NAME}"
    before_rows, before_files = source.snapshot(), tree(source.dir)
    result = shangmi("restore", str(archive), data_dir=target, database_url=url)
    assert result.returncode == 1
    assert "the database already holds data; restore only into an empty database" in result.stderr
    assert listing(target) == []
    assert source.snapshot() == before_rows
    assert tree(source.dir) == before_files


def test_backup_refuses_to_write_into_the_data_directory(source):
    inside = source.dir / "media" / "backup.tar.gz"
    result = source.run("backup", str(inside))
    assert result.returncode == 1
    assert "write the archive outside the data directory" in result.stderr
    assert not inside.exists()
    assert not inside.with_name("backup.tar.gz.partial").exists()


# --- damaged or hostile archives: refused before anything is written --------------------------------


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def _write(members: dict[str, bytes], target: Path) -> None:
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def _edit_manifest(members: dict[str, bytes], change: Callable[[dict], None]) -> None:
    manifest = json.loads(members["manifest.json"])
    change(manifest)
    members["manifest.json"] = json.dumps(manifest).encode()


def _flip_database_byte(members):
    dump = bytearray(members["database.jsonl"])
    middle = len(dump) // 2
    dump[middle] = dump[middle] ^ 0x01
    members["database.jsonl"] = bytes(dump)


def _wrong_file_digest(members):
    _edit_manifest(members, lambda m: m["files"]["media/empty.txt"].update(sha256="0" * 64))


def _file_missing_from_archive(members):
    _edit_manifest(members, lambda m: m["files"].update({"media/ghost.txt": {"sha256": "0" * 64, "size": 1}}))


def _member_not_in_manifest(members):
    members["files/media/smuggled.txt"] = b"not listed"


def _absolute_path(members):
    # A file whose manifest name is absolute would be written outside the data directory.
    payload = b"pwned"
    target = "/tmp/shangmi-restore-escape-test.txt"  # noqa: S108
    members["files/" + target] = payload
    _edit_manifest(
        members,
        lambda m: m["files"].update({target: {"sha256": hashlib.sha256(payload).hexdigest(), "size": 5}}),
    )


def _parent_path(members):
    payload = b"pwned"
    members["files/../escape.txt"] = payload
    _edit_manifest(
        members,
        lambda m: m["files"].update(
            {"../escape.txt": {"sha256": hashlib.sha256(payload).hexdigest(), "size": 5}}
        ),
    )


def _no_manifest(members):
    del members["manifest.json"]


def _old_format(members):
    _edit_manifest(members, lambda m: m.update(format="shangmi-backup/1"))


DAMAGES = {
    "flipped byte in database.jsonl": (
        _flip_database_byte,
        "database.jsonl does not match its SHA-256 in the manifest; the archive is damaged",
    ),
    "edited digest in manifest": (
        _wrong_file_digest,
        "files/media/empty.txt does not match its SHA-256 in the manifest; the archive is damaged",
    ),
    "manifest lists a missing file": (
        _file_missing_from_archive,
        "archive and manifest disagree: missing ['files/media/ghost.txt'], extra []",
    ),
    "member not in manifest": (
        _member_not_in_manifest,
        "archive and manifest disagree: missing [], extra ['files/media/smuggled.txt']",
    ),
    "absolute path": (_absolute_path, "unsafe file name(s) in the manifest"),
    "parent path": (_parent_path, "unsafe file name(s) in the manifest"),
    "not a shangmi backup": (_no_manifest, "has no manifest.json; it is not a shangmi backup"),
    "older format": (
        _old_format,
        "unsupported backup format 'shangmi-backup/1' (expected shangmi-backup/2)",
    ),
}


@pytest.mark.parametrize("damage", DAMAGES, ids=list(DAMAGES))
def test_damaged_archive_is_refused_and_the_target_stays_empty(archive, tmp_path, damage):
    change, message = DAMAGES[damage]
    members = _members(archive)
    change(members)
    damaged = tmp_path / "damaged.tar.gz"
    _write(members, damaged)
    target = tmp_path / "target"
    target.mkdir()
    result = shangmi("restore", str(damaged), data_dir=target)
    assert result.returncode == 1
    assert message in result.stderr
    assert listing(target) == []
    assert not Path("/tmp/shangmi-restore-escape-test.txt").exists()  # noqa: S108
    assert not (tmp_path / "escape.txt").exists()


def test_truncated_archive_is_refused(archive, tmp_path):
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    target = tmp_path / "target"
    target.mkdir()
    result = shangmi("restore", str(truncated), data_dir=target)
    assert result.returncode == 1
    assert f"{truncated} is not a readable shangmi backup" in result.stderr
    assert listing(target) == []


def test_restore_of_a_missing_archive_is_a_clear_error(tmp_path):
    result = shangmi("restore", str(tmp_path / "nope.tar.gz"), data_dir=tmp_path / "target")
    assert result.returncode == 1
    assert f"{tmp_path / 'nope.tar.gz'} does not exist or is not a file" in result.stderr
    assert not (tmp_path / "target").exists()


def test_sqlite_companion_files_are_not_archived_but_the_snapshot_is(demo_dir, tmp_path):
    """The live database file is not copied raw (it could be mid-write); its rows are in database.jsonl."""
    assert (demo_dir / SQLITE_NAME).exists()
    out = tmp_path / "b.tar.gz"
    ok(shangmi("backup", str(out), data_dir=demo_dir))
    manifest = manifest_of(out)
    assert SQLITE_NAME not in manifest["files"]
    [(users,)] = sql(demo_dir, "SELECT COUNT(*) FROM accounts_user")
    with tarfile.open(out, "r:gz") as tar:
        dump = tar.extractfile("database.jsonl").read().decode()
    assert dump.count('"model": "accounts.user"') == users


@pytest.mark.skipif(not on_postgres(), reason="needs the PostgreSQL server of the DATABASE_URL run")
def test_a_sqlite_trial_restores_into_postgresql(demo_dir, tmp_path):
    """docs/operations.md §6.3: the snapshot is database-neutral, so the trial moves to PostgreSQL."""
    out = tmp_path / "trial.tar.gz"
    ok(shangmi("backup", str(out), data_dir=demo_dir))
    with fresh_postgres_databases("trial") as urls:
        target = Site(tmp_path / "pg", urls["trial"])
        ok(target.run("restore", str(out)))
        source_rows, target_rows = snapshot(demo_dir), target.snapshot()
        assert {t: len(r) for t, r in target_rows.items()} == {t: len(r) for t, r in source_rows.items()}
        [total] = [len(source_rows["audit_auditevent"])]
        assert (
            ok(target.run("audit", "verify")).stdout.strip()
            == f"OK {total} events, every chain intact; 0 anchors in the evidence log match"
        )
        assert files_of(target.dir) == files_of(demo_dir)
