"""Objects of monitoring for the authorisation matrix: an alert and a log source of organisation A, the
canary in their names."""

from __future__ import annotations

from datetime import date

CANARY = "金丝雀-7f3a9c"


def alert(org, user) -> dict:
    from shangmi.apps.monitoring.models import Alert

    row = Alert.objects.create(
        organisation=org,
        user_key=CANARY,
        person_label=CANARY,
        score=88.0,
        severity="high",
        window_start=date(2026, 10, 1),
        window_end=date(2026, 10, 31),
        explanation={"indicators": [{"key": "x", "label_zh": CANARY, "label_en": CANARY}]},
    )
    return {"alert_id": row.pk}


def source(org, user) -> dict:
    from shangmi.apps.monitoring.models import LogSource

    return {
        "source_id": LogSource.objects.create(organisation=org, name=CANARY, kind="upload", preset="dlp").pk
    }


MONITORING_PARAM_FACTORIES = {"alert_id": alert, "source_id": source}
