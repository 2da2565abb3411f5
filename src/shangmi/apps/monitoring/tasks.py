"""Background work of monitoring, run by `shangmi worker`: ingest a log file into the organisation's
event store, read the watched folders for new files, and score an organisation."""

from __future__ import annotations

from django.tasks import task


@task()
def ingest_upload(upload_id: int) -> dict:
    from shangmi.apps.monitoring.pipeline import ingest_upload as run

    return run(upload_id)


@task()
def watch_log_folders() -> dict:
    from shangmi.apps.monitoring.pipeline import watch_folders

    return {"queued": watch_folders()}


@task()
def score_organisation(run_id: int) -> dict:
    from shangmi.apps.monitoring.pipeline import run_scoring

    return run_scoring(run_id)
