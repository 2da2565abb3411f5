"""Background work of the evidence log."""

from __future__ import annotations

from django.tasks import task

from shangmi.apps.evidence.log_service import include_pending


@task()
def include_pending_deposits() -> dict:
    """Drain pending deposits into the log (a no-op when another worker holds the log)."""
    result = include_pending()
    return {"included": result.included, "size": result.checkpoint.size if result.checkpoint else None}


@task()
def anchor_audit_heads() -> dict:
    """Deposit every audit chain head that grew since its last anchor."""
    from shangmi.apps.evidence.anchors import anchor_heads

    return {"anchored": anchor_heads()}
