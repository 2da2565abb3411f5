"""Background work of forensics, run by `shangmi worker`: build an index, run a scan."""

from __future__ import annotations

from django.tasks import task


@task()
def build_index(index_id: int) -> dict:
    from shangmi.apps.forensics.pipeline import build_index as run

    return run(index_id)


@task()
def run_scan(scan_id: int) -> dict:
    from shangmi.apps.forensics.pipeline import run_scan as run

    return run(scan_id)
