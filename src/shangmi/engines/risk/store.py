"""The event store: normalised events as Parquet files partitioned by day, ingested incrementally.

Layout of a store folder::

    manifest.json                              what is in the store (the commit point, see below)
    events/day=YYYY-MM-DD/part-<uuid>.parquet  events of one day from one source file (zstd 1); all
                                               SCHEMA columns, ``day`` included (hive-style folder
                                               names for people and other tools; we do not parse
                                               paths, so a store may live under any folder name),
                                               then keys.KEY_COLUMNS (hashes of user, object,
                                               destination)
    keys/<uuid>.parquet                        the dictionary of one source file's keys
                                               (keys.DICTIONARY_SCHEMA): what the feature pass
                                               classifies instead of every event's strings
    ldap.parquet                               staff snapshots (presets.LDAP_SCHEMA), one row per
                                               (month, user)
    .lock                                      flock'ed by every writer, so ingests never interleave
    .staging/                                  a writer's work in progress; removed on the next write

``manifest.json`` (``{"format": FORMAT, "engine": …, "sources": {absolute path: entry}}``) records each
ingested source file: its fingerprint (size, mtime in ns, SHA-256 of its first and last MiB), the preset
mapping name, rows read / kept / dropped by reason, when, the part files holding its rows and its key
dictionary (``keys``; absent for sources ingested before keys were kept, whose keys are then computed
when scoring). A part file
belongs to exactly one source file, so re-ingesting a changed file with ``replace=True`` deletes precisely
its earlier rows. Every source file is committed on its own: its parts are written to ``.staging``,
renamed into ``events/`` and then the manifest is atomically replaced (temp file, fsync, rename). Part
files not named by the manifest (left by a crash) are never read — :meth:`EventStore.scan` lists the
manifest's files — and are deleted by the next writer. Readers take no lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

import polars as pl

from shangmi.engines.risk import features, keys
from shangmi.engines.risk.loaders import DROP_REASONS, LoadError, LoadResult
from shangmi.engines.risk.presets import LDAP_SCHEMA
from shangmi.engines.risk.schema import COLUMNS, ENGINE_VERSION, SCHEMA, empty

FORMAT = "shangmi-risk-store/1"
EDGE = 1 << 20  # bytes hashed at each end of a source file
# zstd level 1: ~20 % less CPU than the default level 3 on event data, files ~15 % larger.
ZSTD_LEVEL = 1
# The partitioned writer keeps every day of a source file open and buffers up to one row group per
# day, so peak memory ~ days spanned by one file x ROW_GROUP rows x ~150 B (~1.8 GB for a year of
# days, whatever the file's size). Smaller groups cost ~10 % more CPU when reading.
ROW_GROUP = 32_768


class StoreError(Exception):
    """The store cannot do what was asked; nothing was changed by the failing step."""


class ChangedSourceError(StoreError):
    """A source file differs from the version ingested before (and ``replace`` was not given)."""

    def __init__(self, paths: list[str], message: str) -> None:
        super().__init__(message)
        self.paths = paths


@dataclass(frozen=True)
class Fingerprint:
    size: int
    mtime_ns: int
    head: str
    tail: str


def fingerprint(path: Path) -> Fingerprint:
    """Size, mtime and SHA-256 of the first and last MiB of ``path``. Reads at most 2 MiB."""
    with path.open("rb") as handle:
        stat = os.fstat(handle.fileno())
        head = hashlib.sha256(handle.read(EDGE)).hexdigest()
        handle.seek(max(0, stat.st_size - EDGE))
        tail = hashlib.sha256(handle.read(EDGE)).hexdigest()
    return Fingerprint(stat.st_size, stat.st_mtime_ns, head, tail)


@dataclass
class SourceReport:
    """What happened to one source file."""

    path: str
    source: str
    status: Literal["ingested", "replaced", "skipped"]
    rows_read: int = 0
    rows_kept: int = 0
    dropped: dict[str, int] = field(default_factory=lambda: dict.fromkeys(DROP_REASONS, 0))
    days: list[date] = field(default_factory=list)
    size: int = 0
    seconds: float = 0.0


@dataclass
class IngestReport:
    sources: list[SourceReport]

    def _done(self) -> list[SourceReport]:
        return [s for s in self.sources if s.status != "skipped"]

    @property
    def files_ingested(self) -> int:
        return len(self._done())

    @property
    def files_skipped(self) -> int:
        return len(self.sources) - self.files_ingested

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sources)

    @property
    def rows_kept(self) -> int:
        return sum(s.rows_kept for s in self.sources)

    @property
    def dropped(self) -> dict[str, int]:
        return {reason: sum(s.dropped[reason] for s in self.sources) for reason in DROP_REASONS}

    @property
    def days(self) -> list[date]:
        return sorted({day for s in self.sources for day in s.days})


class EventStore:
    """A store folder (created on the first write). ``durable`` fsyncs part files, folders and the
    manifest before a source counts as ingested (the default; turn off only for throw-away stores)."""

    def __init__(self, path: Path | str, *, durable: bool = True) -> None:
        self.path = Path(path)
        self.durable = durable
        self.manifest_path = self.path / "manifest.json"
        self.ldap_path = self.path / "ldap.parquet"

    # --- reading (no lock) -------------------------------------------------------------------------

    def manifest(self) -> dict[str, Any]:
        """The committed manifest (an empty one for a new store)."""
        try:
            data = json.loads(self.manifest_path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"format": FORMAT, "engine": ENGINE_VERSION, "sources": {}}
        except (OSError, ValueError) as error:
            raise StoreError(f"{self.manifest_path}: unreadable manifest ({error})") from None
        if data.get("format") != FORMAT:
            raise StoreError(f"{self.manifest_path}: unknown store format {data.get('format')!r}")
        return data

    def parts(self) -> list[Path]:
        """The committed part files (absolute paths), from the manifest."""
        return [self.path / part for entry in self.manifest()["sources"].values() for part in entry["parts"]]

    def scan(self, start: date | None = None, end: date | None = None) -> pl.LazyFrame:
        """All committed events (SCHEMA columns in order), or those of the days ``start`` … ``end``
        (inclusive; either may be None). The day range picks files from the manifest, so no other file
        is opened; a ``day`` filter on the frame also skips files, after reading their footers (each
        file holds one day); ``time`` filters use row-group statistics."""
        files = [
            path
            for path in self.parts()
            if (start is None or _day_of(path) >= start) and (end is None or _day_of(path) <= end)
        ]
        if not files:
            return empty().lazy()
        return pl.scan_parquet(files, hive_partitioning=False, schema=SCHEMA, extra_columns="ignore").select(
            COLUMNS
        )

    def encoded(self) -> features.Encoded:
        """The events per day with their keys, and the keys' dictionary, for the feature pass
        (features.Encoded). Sources ingested before keys were kept are read and keyed here."""
        days: dict[date, list[Path]] = {}
        dictionaries, unkeyed = [], []
        for entry in self.manifest()["sources"].values():
            if entry.get("keys"):
                dictionaries.append(pl.read_parquet(self.path / entry["keys"]))
                for part in entry["parts"]:
                    days.setdefault(_day_of(part), []).append(self.path / part)
            else:
                unkeyed += [self.path / part for part in entry["parts"]]
        schema = {**SCHEMA, **keys.KEY_COLUMNS}
        frames = {
            day: pl.scan_parquet(files, hive_partitioning=False, schema=schema) for day, files in days.items()
        }
        if unkeyed:
            late = features.encode(pl.scan_parquet(unkeyed, hive_partitioning=False, schema=SCHEMA))
            dictionaries.append(late.dictionary)
            for day, frame in late.days.items():
                frames[day] = pl.concat([frames[day], frame]) if day in frames else frame
        return features.Encoded(frames, keys.merge(dictionaries))

    def days(self) -> list[date]:
        """The days that hold events, from the manifest (no data read)."""
        return sorted({_day_of(part) for part in self.parts()})

    def users(self) -> list[str]:
        """The distinct users, sorted. Reads the ``user`` column of every part file."""
        return self.scan().select(pl.col("user").unique().sort()).collect()["user"].to_list()

    def count(self) -> int:
        """Events in the store, from the manifest (no data read)."""
        return sum(entry["rows_kept"] for entry in self.manifest()["sources"].values())

    def ldap(self) -> pl.DataFrame:
        """The merged staff snapshots (empty with LDAP_SCHEMA when none were ingested)."""
        if not self.ldap_path.exists():
            return pl.DataFrame(schema=LDAP_SCHEMA)
        return pl.read_parquet(self.ldap_path)

    # --- writing (under the lock) ------------------------------------------------------------------

    def ingest(
        self,
        results: Iterable[LoadResult],
        *,
        replace: bool = False,
        on_start: Callable[[LoadResult, int], None] | None = None,
        on_done: Callable[[SourceReport], None] | None = None,
    ) -> IngestReport:
        """Ingest each result's source file that is not in the store yet. An unchanged file is skipped.
        A file that changed since it was ingested raises ChangedSourceError before anything is written,
        unless ``replace``: then (and for unchanged files too) its earlier rows are replaced. Each file
        is committed on its own; a LoadError stops the ingest with the earlier files committed and the
        failing one left out. ``on_start(result, size)`` / ``on_done(report)`` report progress.
        Cost: one streaming pass per file; memory bounded by polars' streaming engine."""
        todo: dict[str, LoadResult] = {}
        for result in results:
            todo.setdefault(str(result.path.resolve()), result)
        with self.lock():
            manifest = self._recover()
            sources = manifest["sources"]
            prints = {key: _fingerprint(result.path) for key, result in todo.items()}
            changed = [
                key for key in todo if key in sources and _fp(sources[key]) != prints[key] and not replace
            ]
            if changed:
                raise ChangedSourceError(changed, _changed_message(changed, sources, prints))
            reports = []
            for key, result in todo.items():
                if key in sources and _fp(sources[key]) == prints[key] and not replace:
                    report = SourceReport(key, sources[key]["source"], "skipped", size=prints[key].size)
                else:
                    if on_start:
                        on_start(result, prints[key].size)
                    report = self._ingest_one(key, result, prints[key], manifest)
                reports.append(report)
                if on_done:
                    on_done(report)
        return IngestReport(reports)

    def ingest_ldap(self, frame: pl.DataFrame) -> int:
        """Merge staff snapshots (LDAP_SCHEMA columns) into ``ldap.parquet``; a (month, user) already
        stored is replaced by the new row. Returns the number of stored rows."""
        new = frame.select([pl.col(name).cast(dtype) for name, dtype in LDAP_SCHEMA.items()])
        with self.lock():
            merged = (
                pl.concat([self.ldap(), new])
                .unique(subset=["month", "user"], keep="last", maintain_order=True)
                .sort("month", "user")
            )
            temp = self.path / f".ldap-{uuid.uuid4().hex}.tmp"
            merged.write_parquet(temp, compression="zstd")
            self._commit_file(temp, self.ldap_path)
        return merged.height

    @contextmanager
    def lock(self) -> Iterator[None]:
        """Hold the store's writer lock (blocks while another writer holds it)."""
        if self.path.exists() and not self.path.is_dir():
            raise StoreError(f"{self.path}: not a folder")
        foreign = not (self.path / ".lock").exists() and not self.manifest_path.exists()
        if foreign and self.path.is_dir() and any(self.path.iterdir()):
            raise StoreError(f"{self.path}: not an event store (no manifest.json) and not empty")
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / ".lock", "a+b") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    # --- internals ---------------------------------------------------------------------------------

    def _ingest_one(self, key: str, result: LoadResult, before: Fingerprint, manifest: dict) -> SourceReport:
        started = time.perf_counter()
        staging = self.path / ".staging" / uuid.uuid4().hex
        failed = True
        try:
            keyed = keys.with_keys(result.events())
            sink = keyed.sink_parquet(
                pl.PartitionBy(staging, key="day", include_key=True),  # polars marks this API unstable
                compression="zstd",
                compression_level=ZSTD_LEVEL,
                row_group_size=ROW_GROUP,
                mkdir=True,
                lazy=True,
            )
            result.run(sink)
            if _fingerprint(result.path) != before:
                raise StoreError(f"{result.path}: the file changed while it was being read; try again")
            # the key dictionary from the written parts: a second sink on the source would derive its
            # columns again (about 40 % more ingest time), reading the parts back costs a few percent
            staged_keys = staging / "keys.parquet"
            written = sorted(staging.glob("day=*/*.parquet"))
            stored = {**SCHEMA, **keys.KEY_COLUMNS}
            dictionary = (
                keys.dictionary(pl.scan_parquet(written, hive_partitioning=False, schema=stored))
                if written
                else pl.LazyFrame(schema=keys.DICTIONARY_SCHEMA)
            )
            dictionary.sink_parquet(staged_keys, compression="zstd", compression_level=ZSTD_LEVEL, mkdir=True)
            if self.durable:
                _fsync_all([*staging.glob("day=*/*.parquet"), staged_keys])
            key_file = self._move_keys(staged_keys)
            parts = self._move_in(staging)
            failed = False
        finally:
            _remove(staging, failed=failed)
            with contextlib.suppress(OSError):
                staging.parent.rmdir()  # .staging, unless another writer's leftovers are in it
        counts = result.count()
        old = manifest["sources"].get(key)
        manifest["sources"][key] = {
            "source": result.source,
            **asdict(before),
            "rows_read": counts.rows_read,
            "rows_kept": counts.rows_kept,
            "dropped": counts.dropped,
            "parts": parts,
            "keys": key_file,
            "ingested_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        self._write_manifest(manifest)
        if old:
            self._delete([*old["parts"], *([old["keys"]] if old.get("keys") else [])])
        return SourceReport(
            key,
            result.source,
            "replaced" if old else "ingested",
            counts.rows_read,
            counts.rows_kept,
            counts.dropped,
            sorted({_day_of(part) for part in parts}),
            before.size,
            time.perf_counter() - started,
        )

    def _move_keys(self, staged: Path) -> str:
        """Rename a staged key dictionary into keys/ under a unique name."""
        folder = self.path / "keys"
        folder.mkdir(exist_ok=True)
        target = folder / f"{uuid.uuid4().hex}.parquet"
        os.replace(staged, target)
        if self.durable:
            _fsync_dir(folder)
        return target.relative_to(self.path).as_posix()

    def _move_in(self, staging: Path) -> list[str]:
        """Rename the staged ``day=…/*.parquet`` files into events/ under unique names."""
        parts: list[str] = []
        folders: set[Path] = set()
        if not staging.exists():
            return parts  # nothing kept
        for day_dir in sorted(staging.glob("day=*")):
            target_dir = self.path / "events" / day_dir.name
            target_dir.mkdir(parents=True, exist_ok=True)
            folders.add(target_dir)
            for file in sorted(day_dir.glob("*.parquet")):
                target = target_dir / f"part-{uuid.uuid4().hex}.parquet"
                os.replace(file, target)
                parts.append(target.relative_to(self.path).as_posix())
        if self.durable:
            _fsync_all([*folders, self.path / "events"])
        return parts

    def _write_manifest(self, manifest: dict) -> None:
        temp = self.path / f".manifest-{uuid.uuid4().hex}.tmp"
        with temp.open("w", encoding="utf-8") as handle:
            json.dump(manifest, handle, ensure_ascii=False, indent=1, sort_keys=True)
        self._commit_file(temp, self.manifest_path)

    def _commit_file(self, temp: Path, target: Path) -> None:
        if self.durable:
            with temp.open("rb") as handle:
                os.fsync(handle.fileno())
        os.replace(temp, target)
        if self.durable:
            _fsync_dir(self.path)

    def _delete(self, parts: Iterable[str]) -> None:
        for part in parts:
            file = self.path / part
            file.unlink(missing_ok=True)
            with contextlib.suppress(OSError):
                file.parent.rmdir()  # only when the day folder became empty

    def _recover(self) -> dict:
        """Under the lock: drop what a crashed writer left behind; return the manifest."""
        manifest = self.manifest()
        shutil.rmtree(self.path / ".staging", ignore_errors=True)
        for temp in self.path.glob(".*.tmp"):
            temp.unlink(missing_ok=True)
        known = {part for entry in manifest["sources"].values() for part in entry["parts"]}
        known |= {entry["keys"] for entry in manifest["sources"].values() if entry.get("keys")}
        files = [*self.path.glob("events/day=*/*.parquet"), *self.path.glob("keys/*.parquet")]
        stray = [p.relative_to(self.path).as_posix() for p in files]
        self._delete([p for p in stray if p not in known])
        return manifest


def _fingerprint(path: Path) -> Fingerprint:
    try:
        return fingerprint(path)
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror}") from None


def _head(path: Path, size: int) -> str:
    with path.open("rb") as handle:
        return hashlib.sha256(handle.read(size)).hexdigest()


def _fp(entry: dict) -> Fingerprint:
    return Fingerprint(entry["size"], entry["mtime_ns"], entry["head"], entry["tail"])


def _changed_message(changed: list[str], sources: dict, prints: dict[str, Fingerprint]) -> str:
    key = changed[0]
    old, new = sources[key], prints[key]
    grown = new.size > old["size"] and _head(Path(key), min(old["size"], EDGE)) == old["head"]
    what = "has grown" if grown else "has changed"
    more = f" (and {len(changed) - 1} more)" if len(changed) > 1 else ""
    return (
        f"{key} {what} since it was ingested on {old['ingested_at'][:10]} "
        f"({old['size']} → {new.size} bytes){more}; nothing was ingested. "
        "Re-ingest with --replace (replace=True) to replace its earlier rows."
    )


def _day_of(part: str | Path) -> date:
    name = Path(part).parent.name  # day=YYYY-MM-DD
    return date.fromisoformat(name.removeprefix("day="))


def _remove(folder: Path, *, failed: bool) -> None:
    """Remove a staging folder. When a sink failed, polars may still be closing other partitions'
    files as the error surfaces, so files can appear after a removal: keep removing until the folder
    has stayed absent for a while (bounded; the next writer removes anything left in any case)."""
    shutil.rmtree(folder, ignore_errors=True)
    absent = 0
    for _ in range(40 if failed else 0):
        time.sleep(0.025)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)
            absent = 0
        else:
            absent += 1
            if absent == 4:
                return


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_all(paths: list[Path]) -> None:
    """fsync files or folders concurrently: a source file becomes hundreds of day files, and parallel
    fsyncs cost about as much as one, where one after another cost seconds."""
    with ThreadPoolExecutor(max_workers=min(32, len(paths) or 1)) as pool:
        list(pool.map(_fsync_dir, paths))
