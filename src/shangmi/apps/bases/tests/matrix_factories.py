"""Objects of the programme for the authorisation matrix: a submitted application of organisation A with
an attachment and an objection, the canary in their text."""

from __future__ import annotations

import hashlib

CANARY = "金丝雀-7f3a9c"


def application(org, user) -> dict:
    from shangmi.apps.bases.models import BaseApplication

    row = BaseApplication.objects.create(
        applicant=org,
        kind="point",
        level="city",
        year=2026,
        district=org.region,
        state="submitted",
        name=CANARY,
        work_summary=CANARY,
        created_by=user,
    )
    return {"application_id": row.pk}


def attachment(org, user) -> dict:
    from django.conf import settings

    from shangmi.apps.bases.models import Attachment

    app_id = application(org, user)["application_id"]
    path = settings.DATA_DIR / "bases" / str(app_id) / "canary"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(CANARY, encoding="utf-8")
    row = Attachment.objects.create(
        application_id=app_id,
        name=CANARY,
        path=str(path),
        size=path.stat().st_size,
        sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
    )
    return {"attachment_id": row.pk}


def objection(org, user) -> dict:
    from datetime import date

    from shangmi.apps.bases.models import Objection

    app_id = application(org, user)["application_id"]
    row = Objection.objects.create(
        application_id=app_id, raised_by=CANARY, content=CANARY, received_on=date(2026, 10, 1)
    )
    return {"objection_id": row.pk}


BASES_PARAM_FACTORIES = {
    "application_id": application,
    "attachment_id": attachment,
    "objection_id": objection,
}
