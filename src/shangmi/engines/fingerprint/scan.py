"""Scanning suspect material against an index, streamed, in two processes, without all-pairs comparison.

`run(index_path, suspects, key=None, workers=2, progress=cb)` enumerates files, folders and ZIPs, and in
each worker fingerprints a file, intersects its fingerprints with the in-memory set of live index
fingerprints (one C-level set intersection), fetches postings only for the hits and scores only the items
that share fingerprints (`match.score_pair`). Files of no normalisable kind are also compared by TLSH with
registered files of that kind (near-exact triage). Nothing is compared pairwise otherwise, so the cost is
linear in the suspect bytes plus the number of hits.

The returned `ScanResult` serialises to the JSON of issue 7 (`to_json`), and reports every skipped file
with its reason. Memory: the loaded index (about 100 bytes per distinct fingerprint, shared copy-on-write by
the forked workers) plus one file per worker.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from .index import Loaded, load
from .match import Posting, score_pair
from .params import ENGINE_VERSION, Params
from .pipeline import Outcome, outcomes, parallel_map
from .result import FileReport, ScanResult
from .sources import Source, enumerate_inputs, file_sha256
from .suspect import SuspectCache
from .winnow import Hasher

Progress = Callable[[int, int, int, int], None]  # files done, files total, bytes done, bytes total
_STATE: dict = {}


def match_document(out: Outcome, index: Loaded, params: Params) -> list[dict]:
    """Pairs (as JSON dicts) of one fingerprinted suspect against the index."""
    doc = out.doc
    if doc is None:
        return []
    fps = {fp for ch in doc.channels.values() for fp in ch.fps}
    hits, suppressed, shared = index.tables().for_file(fps)
    pairs = []
    if hits:
        suspect = SuspectCache()
        make = Posting._make
        for item_id, channels in index.postings(sorted(hits)).items():
            item = index.items.get(item_id)
            if item is None:
                continue
            postings = {name: list(map(make, rows)) for name, rows in channels.items()}
            pm = score_pair(
                doc,
                item.name,
                item.kind,
                item.unit,
                postings,
                item.totals,
                suppressed,
                params,
                shared,
                item.weighted,
                suspect,
            )
            if pm is not None:
                pairs.append(pm.to_json() | {"item_unit": item.unit, "item_kind": item.kind})
    if doc.tlsh and doc.kind == "other" and not any(p["method"] == "identical" for p in pairs):
        import tlsh

        for item_id, digest in index.tlsh_items:
            distance = tlsh.diff(doc.tlsh, digest)
            if distance <= params.tlsh_max_distance:
                item = index.items[item_id]
                score = max(0.0, 1 - distance / (2 * params.tlsh_max_distance))
                pairs.append(
                    {
                        "item": item.name,
                        "score": round(score, 4),
                        "containment_suspect_in_item": None,
                        "containment_item_in_suspect": None,
                        "longest_run": None,
                        "longest_run_unit": "",
                        "method": "tlsh",
                        "tlsh_distance": distance,
                        "channels": {},
                        "regions": [],
                        "item_unit": item.unit,
                        "item_kind": item.kind,
                    }
                )
    pairs.sort(key=lambda p: (-p["score"], p["item"]))
    return pairs


def _work(src: Source) -> list[FileReport]:
    index: Loaded = _STATE["index"]
    params: Params = _STATE["params"]
    hasher: Hasher = _STATE["hasher"]
    reports = []
    for out in outcomes(src, params, hasher):
        pairs = match_document(out, index, params)
        reports.append(
            FileReport(
                path=out.name,
                size=out.size,
                sha256=out.sha256,
                kind=out.kind,
                status=out.status,
                reason=out.reason,
                message=out.message,
                unit=out.doc.unit if out.doc else "",
                fingerprints=out.doc.fingerprint_count() if out.doc else 0,
                pairs=pairs,
            )
        )
    return reports


def run(
    index_path: Path,
    suspects: list[Path],
    *,
    key: bytes | None = None,
    workers: int = 2,
    threshold: float | None = None,
    progress: Progress | None = None,
) -> ScanResult:
    """Scan `suspects` (files, folders, ZIPs) against the index. Raises IndexError_ / KeyMismatch."""
    started = datetime.now(UTC)
    t0 = time.monotonic()
    index = load(index_path, key=key)
    params = index.params
    sources = list(enumerate_inputs([Path(p) for p in suspects], params, relative=False))
    archives = sorted({s.path for s in sources if s.member})
    total_bytes = sum(s.size for s in sources)
    _STATE.update(index=index, params=params, hasher=Hasher(key))
    files: list[FileReport] = []
    done_bytes = 0
    try:
        for n, reports in enumerate(parallel_map(_work, sources, workers), start=1):
            files.extend(reports)
            done_bytes += sum(r.size for r in reports)
            if progress:
                progress(n, len(sources), done_bytes, total_bytes)
    finally:
        index.close()
        _STATE.clear()
    files.sort(key=lambda f: f.path)
    archive_manifest = []
    for path in archives:
        try:
            archive_manifest.append(
                {
                    "path": path,
                    "size": os.path.getsize(path),
                    "sha256": file_sha256(path),
                    "kind": "zip",
                    "status": "archive",
                }
            )
        except OSError:
            archive_manifest.append(
                {"path": path, "size": 0, "sha256": "", "kind": "zip", "status": "unreadable"}
            )
    seconds = time.monotonic() - t0
    return ScanResult(
        threshold=params.threshold if threshold is None else threshold,
        params=params.to_json(),
        engine_version=ENGINE_VERSION,
        index={
            "path": str(index_path),
            "sha256": file_sha256(str(index_path)),
            "items": len(index.items),
            "fingerprints": len(index.hashes),
            "suppressed": len(index.suppressed),
            "engine_version": index.engine_version,
        },
        key_id=index.key_id,
        started_at=started.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        seconds=seconds,
        files=files,
        archives=archive_manifest,
        item_roots={i.name: i.root for i in index.items.values()},
    )
