"""Objects of forensics for the authorisation matrix: an index and a finished scan of organisation A,
the canary in their names and in the scan's result file and report."""

from __future__ import annotations

import json

CANARY = "金丝雀-7f3a9c"


def index(org, user) -> dict:
    from shangmi.apps.forensics.models import FingerprintIndex

    row = FingerprintIndex.objects.create(
        organisation=org, name=CANARY, kind="folder", folder=f"/srv/{CANARY}", state="done", created_by=user
    )
    return {"index_id": row.pk}


def scan(org, user) -> dict:
    from shangmi.apps.forensics import storage
    from shangmi.apps.forensics.models import FingerprintIndex, ForensicScan
    from shangmi.apps.forensics.pipeline import REPORT_DIR, RESULT_NAME

    row = ForensicScan.objects.create(
        organisation=org,
        index=FingerprintIndex.objects.get(pk=index(org, user)["index_id"]),
        name=CANARY,
        suspect=f"/srv/{CANARY}",
        state="done",
        summary={"files": 1, "matches": 1, "top_score": 0.9, "threshold": 0.5},
        requested_by=user,
    )
    folder = storage.scan_dir(org.pk, row.pk)
    (folder / REPORT_DIR).mkdir(parents=True)
    pair = {"suspect": CANARY, "item": CANARY, "score": 0.9, "above_threshold": True}
    (folder / RESULT_NAME).write_text(json.dumps({"pairs": [pair], "skipped": []}), encoding="utf-8")
    (folder / REPORT_DIR / "index.html").write_text(f"<p>{CANARY}</p>", encoding="utf-8")
    return {"scan_id": row.pk}


def report_page(org, user) -> dict:
    return {**scan(org, user), "page": "index.html"}


FORENSICS_PARAM_FACTORIES = {"index_id": index, "scan_id": scan}
FORENSICS_OBJECT_ROUTES = {"forensics:scan_report": report_page}
