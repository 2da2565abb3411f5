"""Findings other parts of the platform hand to a departure audit: monitoring's review of the leaver's
activity in the look-back window goes onto the open audit's access-review item (DESIGN §3: the higher
app hands its results to the lower one through the lower one's action)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.people.models import DepartureItem
from shangmi.apps.people.models.choices import DepartureState, ItemKind


@transaction.atomic
def access_review_findings_attach(*, organisation, employee_id: int, findings: dict[str, Any]) -> int:
    """Put `findings` on the access-review items of the employee's open departure audits (replacing an
    earlier review); items already completed keep what they were completed with. Returns how many
    items changed. Writes one audit event when anything changed."""
    items = list(
        DepartureItem.objects.select_for_update(of=("self",))
        .filter(
            departure__organisation_id=organisation.pk,
            departure__employee_id=employee_id,
            departure__state=DepartureState.OPEN,
            kind=ItemKind.ACCESS_REVIEW,
            done_at__isnull=True,
        )
        .select_related("departure__employee")
    )
    changed = [i for i in items if i.findings != findings]
    for item in changed:
        item.findings = findings
        item.save(update_fields=["findings"])
    if changed:
        employee = changed[0].departure.employee
        audit_record(
            organisation=organisation,
            actor=None,
            verb="people.access_review_findings",
            obj=changed[0].departure,
            changes={
                "employee": f"{employee.name}（{employee.number}）",
                "source": findings.get("source", ""),
                "alerts": len(findings.get("alerts", [])),
            },
        )
    return len(changed)
