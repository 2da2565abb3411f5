"""Objects of the self-check side for the authorisation matrix: a submitted self-check of organisation A,
its title the canary, invited for review by nobody."""

from __future__ import annotations

from django.utils import timezone

CANARY = "金丝雀-7f3a9c"


def assessment(org, user) -> dict:
    from shangmi.apps.assessment.framework import get_framework
    from shangmi.apps.assessment.models import Answer, Assessment

    framework = get_framework("shangmi")
    row = Assessment.objects.create(
        organisation=org,
        title=CANARY,
        framework_key=framework.key,
        framework_version=framework.version,
        framework_name=framework.name,
        framework_sha256=framework.sha256,
        framework_data=framework.to_json(),
        created_by=user,
        state="submitted",
        submitted_at=timezone.now(),
        score=55.0,
        domain_scores={d.key: 55.0 for d in framework.domains},
        shared_with_regulator=True,
    )
    Answer.objects.create(assessment=row, question_id=framework.questions[0].id, choice="no", note=CANARY)
    return {"assessment_id": row.pk}


ASSESSMENT_PARAM_FACTORIES = {"assessment_id": assessment}
