"""Audit chain heads anchored in the evidence log catch rewritten and truncated history."""

import pytest

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.anchors import anchor_heads, verify_anchors
from shangmi.apps.evidence.log_service import include_pending
from shangmi.apps.evidence.models import Deposit

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchored(enterprise):
    org, _people = enterprise
    assert anchor_heads() >= 1
    include_pending()
    return org


def test_every_chain_is_anchored_once_until_it_grows(anchored, make_member):
    before = Deposit.objects.filter(kind="audit-head").count()
    assert anchor_heads() == 0
    make_member(anchored, "employee")
    # two chains grew: the organisation's (membership.add) and the platform's (user.create)
    assert anchor_heads() == 2
    assert Deposit.objects.filter(kind="audit-head").count() == before + 2


def test_intact_history_verifies(anchored):
    checked, problems = verify_anchors()
    assert checked >= 1 and problems == []


def test_deleting_the_newest_events_is_caught_by_the_anchor(anchored):
    last = AuditEvent.objects.filter(organisation=anchored).order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk).delete()  # the chain alone cannot see a truncated tail
    _checked, problems = verify_anchors(anchored.pk)
    assert [p.seq for p in problems] == [last.seq]
    assert "missing" in problems[0].reason


def test_rewriting_an_anchored_event_is_caught(anchored):
    last = AuditEvent.objects.filter(organisation=anchored).order_by("-seq").first()
    AuditEvent.objects.filter(pk=last.pk).update(hash="0" * 64)
    _checked, problems = verify_anchors(anchored.pk)
    assert problems and "no longer has the hash" in problems[0].reason


def test_an_altered_anchor_row_is_caught(anchored):
    anchor = Deposit.objects.filter(kind="audit-head", organisation=anchored).first()
    Deposit.objects.filter(pk=anchor.pk).update(meta={**anchor.meta, "hash": "1" * 64})
    AuditEvent.objects.filter(organisation=anchored, seq=anchor.meta["seq"]).update(hash="1" * 64)
    _checked, problems = verify_anchors(anchored.pk)
    assert problems and "altered" in problems[0].reason
