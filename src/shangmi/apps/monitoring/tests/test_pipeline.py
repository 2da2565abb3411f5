"""Monitoring end to end on a small generated organisation: a CERT r6 folder uploaded as a ZIP, ingested
by the worker's step, scored with the platform's context, alerts kept and explained, re-scoring idempotent,
and a leaver's alerts handed to their departure audit."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.apps.accounts.models import Membership
from shangmi.apps.monitoring import actions, pipeline
from shangmi.apps.monitoring.models import Alert, LogUpload, ScoringRun
from shangmi.engines.risk.generator import generate

pytestmark = pytest.mark.django_db

START = date(2026, 3, 2)


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("org") / "cert"
    generate(
        out, users=40, days=60, start=START, seed=11, scenarios=["last_day_upload"], lookalikes=["own_cloud"]
    )
    return out


def _zip(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, Path("cert") / path.relative_to(folder))
    return buffer.getvalue()


@pytest.fixture
def officer(enterprise, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    org, people = enterprise
    return Membership.objects.select_related("organisation", "user").get(
        user=people["officer"], organisation=org
    )


def _configure(officer, generated: Path) -> None:
    register = (generated / "register.csv").read_text(encoding="utf-8").splitlines()[1:]
    actions.settings_update(
        member=officer,
        own_domains="lanxi.example",
        competitor_domains=(generated / "competitors.txt").read_text(encoding="utf-8"),
        watchlist="",
        weights="",
        extra_register="\n".join(register),
    )


def test_upload_ingest_score_and_explain(officer, generated):
    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))
    [leaver] = [s["user"] for s in truth["scenarios"] if s["kind"] == "last_day_upload"]
    source = actions.source_create(member=officer, name="终端日志", kind="upload", preset="cert-r6")
    upload = actions.upload_add(
        member=officer, source=source, uploaded=SimpleUploadedFile("cert.zip", _zip(generated))
    )
    result = pipeline.ingest_upload(upload.pk)
    upload.refresh_from_db()
    assert upload.state == LogUpload.State.INGESTED, upload.error
    assert result["files"] == 5 and result["kept"] > 10_000 and result["ldap_rows"] > 0
    # The same file again: nothing new.
    again = actions.upload_add(
        member=officer, source=source, uploaded=SimpleUploadedFile("cert.zip", _zip(generated))
    )
    pipeline.ingest_upload(again.pk)
    again.refresh_from_db()
    assert again.state == LogUpload.State.SKIPPED

    _configure(officer, generated)
    run = actions.scoring_request(member=officer)
    outcome = pipeline.run_scoring(run.pk)
    run.refresh_from_db()
    assert run.state == ScoringRun.State.DONE, run.error
    assert run.users == 40 and run.events == result["kept"]
    alert = Alert.objects.get(organisation=officer.organisation, user_key=leaver)
    assert alert.severity in ("high", "critical"), alert.explanation
    keys = {i["key"] for i in alert.explanation["indicators"] if i["contribution"] > 0}
    assert "personal_cloud_upload" in keys
    assert any("pan.baidu.com" in (e.get("destination") or "") for e in alert.explanation["top_events"])
    assert alert.last_day is not None  # inferred from the LDAP snapshots
    high = Alert.objects.filter(organisation=officer.organisation, severity__in=("high", "critical"))
    assert set(high.values_list("user_key", flat=True)) == {leaver}
    # Scoring again keeps one alert per person and window.
    count = Alert.objects.count()
    pipeline.run_scoring(actions.scoring_request(member=officer).pk)
    assert Alert.objects.count() == count
    assert outcome["alerts"] == count


def test_a_broken_upload_fails_with_its_reason(officer):
    source = actions.source_create(member=officer, name="DLP", kind="upload", preset="dlp")
    upload = actions.upload_add(
        member=officer, source=source, uploaded=SimpleUploadedFile("dlp.csv", b"when,who\n1,2\n")
    )
    pipeline.ingest_upload(upload.pk)
    upload.refresh_from_db()
    assert upload.state == LogUpload.State.FAILED
    assert "missing required column 'timestamp'" in upload.error and "when, who" in upload.error


def test_a_leavers_alerts_reach_their_departure_audit(officer, generated, login):
    from shangmi.apps.people.actions.departures import employee_resign
    from shangmi.apps.people.actions.staff import employee_add

    truth = json.loads((generated / "truth.json").read_text(encoding="utf-8"))
    [scenario] = [s for s in truth["scenarios"] if s["kind"] == "last_day_upload"]
    employee = employee_add(
        officer, number=scenario["user"], name="林设计", hired_on=date(2024, 1, 8), state="employed"
    )
    departure = employee_resign(
        member=officer, employee=employee, resignation_on=date(2026, 4, 1), last_day=date(2026, 4, 30)
    )
    source = actions.source_create(member=officer, name="终端日志", kind="upload", preset="cert-r6")
    upload = actions.upload_add(
        member=officer, source=source, uploaded=SimpleUploadedFile("c.zip", _zip(generated))
    )
    pipeline.ingest_upload(upload.pk)
    _configure(officer, generated)
    pipeline.run_scoring(actions.scoring_request(member=officer).pk)
    alert = Alert.objects.get(user_key=scenario["user"])
    assert alert.employee == employee and alert.person_label == f"林设计（{scenario['user']}）"
    review = departure.items.get(kind="access_review")
    assert review.findings["source"] == "monitoring"
    [finding] = [f for f in review.findings["alerts"] if f["url"] == f"/monitoring/alerts/{alert.pk}/"]
    assert finding["severity"] == alert.severity
    # The audit page shows the review with a link to the alert; the item completes without a log excerpt.
    page = login(officer.user).get(f"/people/departures/{departure.pk}/").content.decode()
    assert "风险监测审查" in page and f'href="/monitoring/alerts/{alert.pk}/"' in page
    from shangmi.apps.people.actions.departures import item_complete

    done = item_complete(member=officer, item=review, outcome="done", note="已核查监测告警，移交法务")
    assert done.done_at is not None and not done.file_sha256


def test_a_watched_file_that_grew_is_read_again(officer, tmp_path):
    folder = tmp_path / "dlp"
    folder.mkdir()
    log = folder / "export.csv"
    header = "timestamp,user,host,action,object,destination,bytes,count\n"
    row = "2026-10-0{d}T10:00:00+08:00,u1,pc1,upload,a.txt,pan.baidu.com,10,1\n"
    log.write_text(header + row.format(d=1), encoding="utf-8")
    actions.source_create(member=officer, name="DLP 目录", kind="folder", preset="dlp", folder=str(folder))
    assert pipeline.watch_folders() == 1
    assert pipeline.watch_folders() == 0  # unchanged: skipped
    log.write_text(header + row.format(d=1) + row.format(d=2), encoding="utf-8")
    assert pipeline.watch_folders() == 1
    assert pipeline.store_of(officer.organisation_id).count() == 2  # replaced, not added twice
    assert LogUpload.objects.filter(source__kind="folder").count() == 2
