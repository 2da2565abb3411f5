"""The on-disk index of registered material: a single SQLite file, built incrementally.

Schema (format version 2; version 1 held literals below the `lit` noise threshold, see code.py):

* ``meta(key, value)``: format, engine version, parameters (JSON), key id (empty without a case key);
* ``items(id, name, root, size, mtime_ns, sha256, kind, unit, language, tlsh, totals, status, reason)``: one
  row per registered file; `name` is the path relative to the root given to `build` (the item id);
  `totals` holds distinct fingerprints per channel (rows for ``rec``);
* ``fps(hash, item, channel, pos, first, last)``: the inverted index, ``hash`` indexed;
* ``public(hash)``: fingerprints of the public reference corpus, never reported as matches.

`build` re-fingerprints only files whose size or mtime changed, and drops items of a root that no longer
exist there. `load` reads what a scan needs into memory: the set of live fingerprints (minus public ones
and those in more than `max_item_share` items), per-item totals, and the item frequency of every live
fingerprint held by two or more items with the items' weighted totals (`weights.py`). Postings are fetched
per hit from SQLite by `Loaded.postings`.
Cost: build O(total tokens); load O(fingerprints) time and about 100 bytes per distinct fingerprint.
"""

from __future__ import annotations

import json
import sqlite3
import time
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import live, weights
from .errors import IndexError_, KeyMismatch
from .params import CHANNEL_ID, CHANNEL_NAME, ENGINE_VERSION, FORMAT_VERSION, Params
from .pipeline import Outcome, outcomes, parallel_map
from .sources import Source, enumerate_inputs
from .winnow import Hasher

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS items (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, root TEXT NOT NULL, size INTEGER NOT NULL,
  mtime_ns INTEGER NOT NULL, sha256 TEXT NOT NULL, kind TEXT NOT NULL, unit TEXT NOT NULL,
  language TEXT NOT NULL, tlsh TEXT NOT NULL, totals TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS fps (
  hash INTEGER NOT NULL, item INTEGER NOT NULL, channel INTEGER NOT NULL,
  pos INTEGER NOT NULL, first INTEGER NOT NULL, last INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS public (hash INTEGER PRIMARY KEY) WITHOUT ROWID;
"""
Progress = Callable[[int, int, int, int], None]  # files done, files total, bytes done, bytes total


@dataclass
class BuildStats:
    files: int = 0
    indexed: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[dict] = field(default_factory=list)
    bytes: int = 0
    public_files: int = 0
    seconds: float = 0.0


def _connect(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(str(path))
    try:
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("PRAGMA synchronous=NORMAL")
    except sqlite3.DatabaseError as exc:
        con.close()
        raise IndexError_(f"not a shangmi index: {exc}") from None
    return con


def _check_meta(con: sqlite3.Connection, params: Params | None, hasher: Hasher) -> Params:
    meta = dict(con.execute("SELECT key, value FROM meta"))
    if not meta:
        params = params or Params()
        con.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [
                ("format", str(FORMAT_VERSION)),
                ("engine_version", ENGINE_VERSION),
                ("params", json.dumps(params.to_json(), sort_keys=True)),
                ("key_id", hasher.key_id),
            ],
        )
        return params
    if meta.get("format") != str(FORMAT_VERSION):
        raise IndexError_(
            f"index format {meta.get('format')!r}, this engine reads {FORMAT_VERSION}: rebuild the index"
        )
    stored = Params.from_json(json.loads(meta["params"]))
    if params is not None and params.matching_fields() != stored.matching_fields():
        raise IndexError_("the index was built with other winnowing parameters")
    if meta.get("key_id", "") != hasher.key_id:
        raise KeyMismatch("the case key does not match the key this index was built with")
    return stored


def _insert(con: sqlite3.Connection, out: Outcome, root: str, mtime_ns: int) -> None:
    doc = out.doc
    totals: dict[str, int] = {}
    rows = []
    if doc is not None:
        for name, ch in doc.channels.items():
            totals[name] = len(set(ch.first)) if name == "rec" else len(set(ch.fps))
    cur = con.execute(
        "INSERT INTO items (name, root, size, mtime_ns, sha256, kind, unit, language, tlsh, totals, status, reason)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            out.name,
            root,
            out.size,
            mtime_ns,
            out.sha256,
            doc.kind if doc else "",
            doc.unit if doc else "",
            doc.language if doc else "",
            doc.tlsh if doc else "",
            json.dumps(totals, sort_keys=True),
            out.status,
            out.reason,
        ),
    )
    item = cur.lastrowid
    if doc is not None:
        for name, ch in doc.channels.items():
            cid = CHANNEL_ID[name]
            rows.extend(
                zip(ch.fps, [item] * len(ch.fps), [cid] * len(ch.fps), ch.pos, ch.first, ch.last, strict=True)
            )
        con.executemany("INSERT INTO fps VALUES (?, ?, ?, ?, ?, ?)", rows)


def build(
    out: Path,
    roots: list[Path],
    *,
    params: Params | None = None,
    key: bytes | None = None,
    public: list[Path] | None = None,
    workers: int = 2,
    progress: Progress | None = None,
) -> BuildStats:
    """Create or update the index at `out` from files under `roots` (and the public corpus `public`).

    Raises IndexError_ for another format or other winnowing parameters, KeyMismatch for another key."""
    started = time.monotonic()
    hasher = Hasher(key)
    con = _connect(out)
    stats = BuildStats()
    try:
        con.executescript(SCHEMA)
        params = _check_meta(con, params, hasher)
        existing = {
            name: (iid, size, mtime, root)
            for iid, name, size, mtime, root in con.execute(
                "SELECT id, name, size, mtime_ns, root FROM items"
            )
        }
        todo: list[tuple[Source, str]] = []
        seen: set[str] = set()
        for root in roots:
            root_s = str(Path(root).resolve())
            for src in enumerate_inputs([Path(root)], params):
                seen.add(src.name)
                stats.files += 1
                old = existing.get(src.name)
                if old and old[1] == src.size and old[2] == src.mtime_ns and src.mtime_ns:
                    stats.unchanged += 1
                    continue
                todo.append((src, root_s))
            gone = [
                (iid,)
                for name, (iid, _s, _m, r) in existing.items()
                if r == root_s and name not in seen and not name.startswith("\0public")
            ]
            if gone:
                con.executemany("DELETE FROM fps WHERE item = ?", gone)
                con.executemany("DELETE FROM items WHERE id = ?", gone)
                stats.removed += len(gone)
        total_bytes = sum(s.size for s, _ in todo)
        roots_of = {s.name: r for s, r in todo}
        mtimes = {s.name: s.mtime_ns for s, _ in todo}

        def work(src: Source) -> list[Outcome]:
            return outcomes(src, params, hasher)

        for done, results in enumerate(parallel_map(work, [s for s, _ in todo], workers), start=1):
            for res in results:
                top = res.name if res.name in roots_of else res.name.split("!")[0]
                old = existing.get(res.name)
                if old:
                    con.execute("DELETE FROM fps WHERE item = ?", (old[0],))
                    con.execute("DELETE FROM items WHERE id = ?", (old[0],))
                _insert(con, res, roots_of.get(top, ""), mtimes.get(res.name, 0))
                if res.status == "skipped":
                    stats.skipped.append({"path": res.name, "reason": res.reason, "message": res.message})
                else:
                    stats.indexed += 1
                stats.bytes += res.size
            if progress:
                progress(done, len(todo), stats.bytes, total_bytes)
        for path in public or []:
            for src in enumerate_inputs([Path(path)], params):
                for res in outcomes(src, params, hasher):
                    if res.doc is not None:
                        stats.public_files += 1
                        con.executemany(
                            "INSERT OR IGNORE INTO public VALUES (?)",
                            [(fp,) for ch in res.doc.channels.values() for fp in ch.fps],
                        )
        con.execute("CREATE INDEX IF NOT EXISTS fps_hash ON fps (hash)")
        con.commit()
    finally:
        con.close()
    stats.seconds = time.monotonic() - started
    return stats


@dataclass
class Item:
    id: int
    name: str
    kind: str
    unit: str
    size: int
    sha256: str
    tlsh: str
    root: str
    totals: dict[str, int]
    weighted: dict[str, float] = field(default_factory=dict)


_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass
class Loaded:
    """What a scan needs from an index, in memory. `hashes` excludes suppressed fingerprints."""

    path: Path
    params: Params
    key_id: str
    engine_version: str
    items: dict[int, Item]
    hashes: np.ndarray  # sorted int64 (live.py)
    suppressed: np.ndarray
    tlsh_items: list[tuple[int, str]]
    shared: live.SharedCounts | None = None
    _con: sqlite3.Connection | None = None

    def postings(self, fps: list[int]) -> dict[int, dict[str, list[tuple[int, int, int, int]]]]:
        """item id -> channel -> [(hash, pos, first, last)] for the given (live) fingerprints."""
        if self._con is None:
            self._con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        out: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
        for i in range(0, len(fps), 500):
            chunk = fps[i : i + 500]
            marks = ",".join("?" * len(chunk))
            for h, item, channel, pos, first, last in self._con.execute(
                f"SELECT hash, item, channel, pos, first, last FROM fps WHERE hash IN ({marks})", chunk
            ):
                out[item][CHANNEL_NAME[channel]].append((h, pos, first, last))
        return out

    def tables(self) -> live.LiveTables:
        return live.LiveTables(self.hashes, self.suppressed, self.shared or live.SharedCounts(_EMPTY, _EMPTY))

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


def load(path: Path, *, key: bytes | None = None) -> Loaded:
    """Open an index for scanning. Raises IndexError_ (missing/corrupt/other format) or KeyMismatch."""
    path = Path(path)
    if not path.is_file():
        raise IndexError_(f"no index at {path}")
    con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        meta = dict(con.execute("SELECT key, value FROM meta"))
    except sqlite3.DatabaseError as exc:
        con.close()
        raise IndexError_(f"not a shangmi index: {exc}") from None
    try:
        if meta.get("format") != str(FORMAT_VERSION):
            raise IndexError_(
                f"index format {meta.get('format')!r}, this engine reads {FORMAT_VERSION}: rebuild the index"
            )
        if meta.get("key_id", "") != Hasher(key).key_id:
            raise KeyMismatch("the case key does not match the key this index was built with")
        params = Params.from_json(json.loads(meta["params"]))
        items: dict[int, Item] = {}
        for iid, name, kind, unit, size, sha, tl, root, totals in con.execute(
            "SELECT id, name, kind, unit, size, sha256, tlsh, root, totals FROM items"
        ):
            items[iid] = Item(iid, name, kind, unit, size, sha, tl, root, json.loads(totals))
        public = live.sorted_unique(h for (h,) in con.execute("SELECT hash FROM public"))
        shared_keys, shared_counts, too_common = array("q"), array("q"), array("q")
        # NOT INDEXED: one sequential pass and a sort beat a walk of the hash index that fetches every
        # row's item and channel from the table at random (about 4x faster); same rows, same hash order.
        for h, n in con.execute(
            "SELECT hash, COUNT(DISTINCT item) FROM fps NOT INDEXED WHERE channel != ? GROUP BY hash"
            " HAVING COUNT(DISTINCT item) > 1 ORDER BY hash",
            (CHANNEL_ID["sha"],),
        ):
            if n > params.max_item_share:
                too_common.append(h)
            else:
                shared_keys.append(h)
                shared_counts.append(n)
        suppressed = np.union1d(public, np.frombuffer(too_common, dtype=np.int64))
        keys = np.frombuffer(shared_keys, dtype=np.int64)
        keep = ~live.member(suppressed, keys)
        shared = live.SharedCounts(keys[keep], np.frombuffer(shared_counts, dtype=np.int64)[keep])
        del shared_keys, shared_counts, too_common
        hashes = live.sorted_unique(h for (h,) in con.execute("SELECT DISTINCT hash FROM fps"))
        if len(suppressed):
            hashes = hashes[~live.member(suppressed, hashes)]
            con.execute("CREATE TEMP TABLE sup (hash INTEGER PRIMARY KEY)")
            con.executemany("INSERT INTO temp.sup VALUES (?)", ((h,) for h in map(int, suppressed)))
            for item, channel, n in con.execute(
                "SELECT item, channel, COUNT(DISTINCT fps.hash) FROM fps JOIN temp.sup ON fps.hash = sup.hash"
                " GROUP BY item, channel"
            ):
                name = CHANNEL_NAME[channel]
                if name != "rec" and item in items:
                    totals = items[item].totals
                    totals[name] = max(0, totals.get(name, 0) - n)
        weights.apply(con, items, shared)
        tlsh_items = [(i.id, i.tlsh) for i in items.values() if i.tlsh and i.kind == "other"]
    except sqlite3.DatabaseError as exc:
        raise IndexError_(f"corrupt index: {exc}") from None
    finally:
        con.close()
    return Loaded(
        path,
        params,
        meta.get("key_id", ""),
        meta.get("engine_version", ""),
        items,
        hashes,
        suppressed,
        tlsh_items,
        shared,
    )
