"""The worker's side of monitoring: ingest log files into the organisation's event store (engines.risk),
read watched folders, and score an organisation with the context the platform knows — carriers of the
register and who is entrusted with them, HR dates of the people side, and the organisation's settings —
then keep the alerts and hand the leavers' ones to their departure audits."""

from __future__ import annotations

import dataclasses
import json
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from shangmi.apps.monitoring import storage
from shangmi.apps.monitoring.models import Alert, AlertNote, AlertState, LogSource, LogUpload, ScoringRun
from shangmi.apps.monitoring.platform_context import employees_by_key, platform_context
from shangmi.apps.monitoring.queries import settings_of
from shangmi.engines.risk.context import infer_hr_from_ldap
from shangmi.engines.risk.loaders import LoadError
from shangmi.engines.risk.presets import PresetError, ldap_folders, load_ldap, load_preset
from shangmi.engines.risk.scoring import SEVERITY_LABELS, Weights, WeightsError, score
from shangmi.engines.risk.store import ChangedSourceError, EventStore, IngestReport, StoreError

# The departure audit's access review looks back this far (people's policy says 90 days by default).
REVIEW_DAYS = 90


def store_of(organisation_id: int) -> EventStore:
    return EventStore(storage.store_dir(organisation_id))


def default_weights() -> str:
    return json.dumps(Weights().to_dict(), indent=2)


def unknown_weights(parsed: dict) -> list[str]:
    known = {f.name for f in dataclasses.fields(Weights)}
    return sorted(set(parsed) - known)


# ---- ingestion ------------------------------------------------------------------------------------


def _inputs(upload: LogUpload) -> list[Path]:
    """The paths to load: the file itself, or what its ZIP unpacks to (once, beside it)."""
    path = Path(upload.path)
    if path.suffix.lower() != ".zip":
        return [path]
    target = path.with_suffix(".d")
    if not target.exists():
        staging = path.with_suffix(".unpacking")
        staging.mkdir(parents=True, exist_ok=True)
        folder = storage.unpack(path, staging)
        relative = folder.relative_to(staging)
        staging.rename(target)
        return [target / relative]
    entries = [p for p in target.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    return [entries[0] if len(entries) == 1 and entries[0].is_dir() else target]


def _ingest(store: EventStore, preset: str, paths: list[Path]) -> dict:
    """Ingest, re-reading files that grew since (logs are appended to); LDAP snapshots for CERT r6."""
    tz = settings.TIME_ZONE
    try:
        report = store.ingest(load_preset(preset, paths, tz=tz))
    except ChangedSourceError as changed:
        grown = [Path(p) for p in changed.paths]
        reread = store.ingest(load_preset(preset, grown, tz=tz), replace=True)
        rest = store.ingest(load_preset(preset, paths, tz=tz))
        # The re-read files count as ingested; the second pass only skips them.
        report = IngestReport(reread.sources + [s for s in rest.sources if s.path not in set(changed.paths)])
    ldap_rows = 0
    if preset == "cert-r6":
        for folder in ldap_folders(paths):
            ldap_rows = store.ingest_ldap(load_ldap(folder))
    return {
        "files": report.files_ingested,
        "skipped": report.files_skipped,
        "read": report.rows_read,
        "kept": report.rows_kept,
        "dropped": sum(report.dropped.values()),
        "dropped_by_reason": report.dropped,
        "days": len(report.days),
        "ldap_rows": ldap_rows,
    }


def ingest_upload(upload_id: int) -> dict:
    upload = LogUpload.objects.select_related("source").get(pk=upload_id)
    store = store_of(upload.source.organisation_id)
    try:
        result = _ingest(store, upload.source.preset, _inputs(upload))
    except (LoadError, PresetError, StoreError, storage.UploadError) as error:
        upload.state, upload.error = LogUpload.State.FAILED, str(error)[:500]
        upload.save(update_fields=["state", "error"])
        return {"error": upload.error}
    upload.state = LogUpload.State.INGESTED if result["files"] else LogUpload.State.SKIPPED
    upload.report, upload.error, upload.ingested_at = result, "", timezone.now()
    upload.save(update_fields=["state", "report", "error", "ingested_at"])
    return result


def watch_folders() -> int:
    """Read every enabled watched folder; each folder's new or grown files are ingested and listed as a
    LogUpload of the source. Returns how many files were ingested."""
    ingested = 0
    for source in LogSource.objects.filter(kind=LogSource.Kind.FOLDER, enabled=True):
        store = store_of(source.organisation_id)
        source.last_checked_at = timezone.now()
        try:
            result = _ingest(store, source.preset, [Path(source.folder)])
        except (LoadError, PresetError, StoreError) as error:
            source.last_error = str(error)[:500]
        else:
            source.last_error = ""
            if result["files"]:
                ingested += result["files"]
                LogUpload.objects.create(
                    source=source,
                    name=source.folder[-255:],
                    sha256="",
                    size=0,
                    path=source.folder,
                    state=LogUpload.State.INGESTED,
                    report=result,
                    ingested_at=timezone.now(),
                )
        source.save(update_fields=["last_checked_at", "last_error"])
    return ingested


# ---- scoring --------------------------------------------------------------------------------------


def _summary(indicators: list[dict], language: str = "zh") -> str:
    """The three indicators that weigh most, in Chinese or English."""
    top = sorted(indicators, key=lambda i: -i["contribution"])[:3]
    return ("；" if language == "zh" else "; ").join(
        i[f"label_{language}"] for i in top if i["contribution"] > 0
    )


@transaction.atomic
def _keep(run: ScoringRun, alerts) -> list[Alert]:
    """Upsert one alert per (person, window start); a dismissed alert stays dismissed unless its
    severity rose, in which case it is reopened."""
    org = run.organisation
    people = employees_by_key(org.pk, [a.user for a in alerts])
    kept = []
    now = timezone.now()
    for a in alerts:
        employee = people.get(a.user.lower())
        values = {
            "run": run,
            "employee": employee,
            "person_label": f"{employee.name}（{employee.number}）" if employee else "",
            "score": a.score,
            "severity": a.severity,
            "window_end": a.window[1],
            "last_day": a.last_day,
            "explanation": a.to_dict(),
            "updated_at": now,
        }
        row = (
            Alert.objects.select_for_update()
            .filter(organisation=org, user_key=a.user, window_start=a.window[0])
            .first()
        )
        if row is None:
            row = Alert.objects.create(organisation=org, user_key=a.user, window_start=a.window[0], **values)
            AlertNote.objects.create(alert=row, action=AlertNote.Action.RAISED, text=_summary(a.indicators))
        else:
            rose = Weights().severity(row.score) != a.severity and a.score > row.score
            for field, value in values.items():
                setattr(row, field, value)
            fields = list(values)
            if row.state == AlertState.DISMISSED and rose:
                row.state = AlertState.OPEN
                fields.append("state")
                AlertNote.objects.create(
                    alert=row, action=AlertNote.Action.REOPEN, text=_summary(a.indicators)
                )
            row.save(update_fields=fields)
        kept.append(row)
    return kept


def _attach_to_departures(organisation, kept: list[Alert], today: date) -> int:
    """Hand each open departure audit the review of its leaver: the alerts whose window reaches into the
    REVIEW_DAYS before the last working day (or before today, if that comes first)."""
    from shangmi.apps.people.actions.findings import access_review_findings_attach
    from shangmi.apps.people.queries import open_departures_of

    by_employee: dict[int, list[Alert]] = {}
    for alert in kept:
        if alert.employee_id:
            by_employee.setdefault(alert.employee_id, []).append(alert)
    attached = 0
    for departure in open_departures_of(organisation.pk):
        start = min(departure.last_day, today) - timedelta(days=REVIEW_DAYS)
        alerts = [a for a in by_employee.get(departure.employee_id, []) if a.window_end >= start]
        findings = {
            "source": "monitoring",
            "reviewed_at": timezone.now().isoformat(timespec="seconds"),
            "window": [start.isoformat(), today.isoformat()],
            "alerts": [
                {
                    "severity": a.severity,
                    "severity_zh": SEVERITY_LABELS[a.severity][0],
                    "severity_en": SEVERITY_LABELS[a.severity][1],
                    "score": a.score,
                    "summary_zh": _summary(a.explanation.get("indicators", [])),
                    "summary_en": _summary(a.explanation.get("indicators", []), "en"),
                    "url": reverse("monitoring:alert", args=[a.pk]),
                }
                for a in sorted(alerts, key=lambda x: -x.score)
            ],
        }
        attached += access_review_findings_attach(
            organisation=organisation, employee_id=departure.employee_id, findings=findings
        )
    return attached


def run_scoring(run_id: int) -> dict:
    run = ScoringRun.objects.select_related("organisation").get(pk=run_id)
    run.state = ScoringRun.State.RUNNING
    run.save(update_fields=["state"])
    org = run.organisation
    try:
        store = store_of(org.pk)
        config = settings_of(org.pk)
        weights = Weights.from_json(config.weights or {})
        context = platform_context(org.pk, config, inferred_hr=infer_hr_from_ldap(store.ldap()))
        alerts = score(store, context, weights)
        kept = _keep(run, alerts)
        attached = _attach_to_departures(org, kept, timezone.localdate())
    except (StoreError, WeightsError, LoadError) as error:
        run.state, run.error, run.finished_at = ScoringRun.State.FAILED, str(error)[:500], timezone.now()
        run.save(update_fields=["state", "error", "finished_at"])
        return {"error": run.error}
    run.state, run.finished_at = ScoringRun.State.DONE, timezone.now()
    run.users, run.events, run.alerts = alerts.users_scored, store.count(), len(kept)
    run.parameters = {"weights": weights.to_dict(), "notes": _plain(alerts.notes), "departures": attached}
    run.save(update_fields=["state", "finished_at", "users", "events", "alerts", "parameters"])
    return {"alerts": len(kept), "users": alerts.users_scored, "departures": attached}


def _plain(value):
    return json.loads(json.dumps(value, default=str))
