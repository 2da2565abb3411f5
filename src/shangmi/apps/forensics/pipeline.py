"""The worker's side of forensics: build an index from a server folder, and scan suspect material
against an index, writing the result JSON and the offline HTML report beside it. Progress is saved to the
row at most once a second, so the pages can follow it without the worker writing on every file."""

from __future__ import annotations

import json
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from shangmi.apps.forensics import storage
from shangmi.apps.forensics.models import FingerprintIndex, ForensicScan, JobState
from shangmi.engines.fingerprint import index as fp_index
from shangmi.engines.fingerprint import report as fp_report
from shangmi.engines.fingerprint import scan as fp_scan
from shangmi.engines.fingerprint.errors import IndexError_, KeyMismatch
from shangmi.engines.fingerprint.sources import file_sha256

RESULT_NAME = "result.json"
REPORT_DIR = "report"
SAVE_EVERY_SECONDS = 1.0


def _workers() -> int:
    return max(1, int(getattr(settings, "FORENSICS_WORKERS", 2)))


def _saver(row):
    """A progress callback that saves (files, bytes) done and total, throttled."""
    last = [0.0]

    def save(done: int, total: int, bytes_done: int, bytes_total: int) -> None:
        now = time.monotonic()
        if now - last[0] < SAVE_EVERY_SECONDS and done < total:
            return
        last[0] = now
        row.progress = {"files": done, "files_total": total, "bytes": bytes_done, "bytes_total": bytes_total}
        row.save(update_fields=["progress"])

    return save


def _key(row) -> bytes | None:
    return bytes.fromhex(row.case_key) if row.case_key else None


def _fail(row, error: Exception, expected: bool) -> dict:
    message = str(error) if expected else f"{type(error).__name__}: {error}"
    row.state, row.error, row.finished_at = JobState.FAILED, message[:500], timezone.now()
    row.save(update_fields=["state", "error", "finished_at"])
    return {"error": row.error}


EXPECTED = (storage.FolderError, IndexError_, KeyMismatch, OSError)


def build_index(index_id: int) -> dict:
    """Fingerprint the registered folder, or check an uploaded index (format, case key) and count it."""
    row = FingerprintIndex.objects.get(pk=index_id)
    if row.state != JobState.QUEUED:
        return {"state": row.state}
    row.state = JobState.RUNNING
    row.save(update_fields=["state"])
    target = storage.index_path(row.organisation_id, row.pk)
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        if row.kind == FingerprintIndex.Kind.UPLOAD:
            loaded = fp_index.load(target, key=_key(row))
            loaded.close()
            row.items, skipped, extra = len(loaded.items), 0, {}
        else:
            folder = storage.resolve(row.organisation_id, row.folder)
            public = [storage.resolve(row.organisation_id, row.public_folder)] if row.public_folder else None
            stats = fp_index.build(
                target, [folder], key=_key(row), public=public, workers=_workers(), progress=_saver(row)
            )
            row.items, skipped = stats.indexed + stats.unchanged, len(stats.skipped)
            extra = {
                "skipped": skipped,
                "public_files": stats.public_files,
                "seconds": round(stats.seconds, 1),
            }
    except EXPECTED as error:
        return _fail(row, error, expected=True)
    except Exception as error:
        _fail(row, error, expected=False)
        raise
    row.path, row.sha256 = str(target), file_sha256(str(target))
    row.state, row.error, row.finished_at = JobState.DONE, "", timezone.now()
    row.progress = {**row.progress, **extra}
    row.save(update_fields=["path", "sha256", "items", "state", "error", "finished_at", "progress"])
    return {"items": row.items, "skipped": skipped}


def _summary(result) -> dict:
    stats = result.stats()
    pairs = result.pairs()
    return {
        "files": stats["files"],
        "bytes": stats["bytes"],
        "pairs": stats["pairs"],
        "matches": stats["matches"],
        "matched_files": len({p["suspect"] for p in pairs if p["above_threshold"]}),
        "skipped": stats["skipped"],
        "digest_only": stats["digest_only"],
        "top_score": pairs[0]["score"] if pairs else 0.0,
        "threshold": result.threshold,
        "engine_version": result.engine_version,
        "seconds": stats["seconds"],
        "mb_per_s": stats["mb_per_s"],
    }


def run_scan(scan_id: int) -> dict:
    row = ForensicScan.objects.select_related("index").get(pk=scan_id)
    if row.state != JobState.QUEUED:
        return {"state": row.state}
    row.state, row.started_at = JobState.RUNNING, timezone.now()
    row.save(update_fields=["state", "started_at"])
    out = storage.scan_dir(row.organisation_id, row.pk)
    try:
        suspect = storage.resolve(row.organisation_id, row.suspect)
        result = fp_scan.run(
            Path(row.index.path), [suspect], key=_key(row.index), workers=_workers(), progress=_saver(row)
        )
        out.mkdir(parents=True, exist_ok=True)
        staging = out / (RESULT_NAME + ".part")
        staging.write_text(json.dumps(result.to_json(), ensure_ascii=False, indent=1), encoding="utf-8")
        staging.replace(out / RESULT_NAME)
        fp_report.write_html(result, out / REPORT_DIR)
    except EXPECTED as error:
        return _fail(row, error, expected=True)
    except Exception as error:
        _fail(row, error, expected=False)
        raise
    row.summary = _summary(result)
    row.result_sha256 = file_sha256(str(out / RESULT_NAME))
    row.state, row.error, row.finished_at = JobState.DONE, "", timezone.now()
    row.save(update_fields=["summary", "result_sha256", "state", "error", "finished_at"])
    return row.summary


def result_path(scan: ForensicScan) -> Path:
    return storage.scan_dir(scan.organisation_id, scan.pk) / RESULT_NAME


def load_pairs(scan: ForensicScan) -> tuple[list[dict], list[dict]]:
    """(pairs best first, skipped files) of a finished scan, read from its result file."""
    path = result_path(scan)
    if scan.state != JobState.DONE or not path.is_file():
        return [], []
    data = json.loads(path.read_text(encoding="utf-8"))
    return data.get("pairs", []), data.get("skipped", [])
