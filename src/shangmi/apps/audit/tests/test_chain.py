"""The audit trail's hash chain: every action writes one linked event; chain.verify finds the first
broken link after rows are changed behind the application's back."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test import RequestFactory

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.accounts.queries import platform_organisation
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.audit.chain import GENESIS, BrokenLink, canonical_bytes, event_hash, verify, walk
from shangmi.apps.audit.models import AuditEvent

PASSWORD = "Correct-Horse-Battery-42"


def chain_of(org) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organisation=org).order_by("seq"))


def assert_linked(events: list[AuditEvent]) -> None:
    assert [e.seq for e in events] == list(range(1, len(events) + 1))
    previous = GENESIS
    for event in events:
        assert event.prev_hash == previous
        assert event.hash == hashlib.sha256(canonical_bytes(event)).hexdigest() == event_hash(event)
        previous = event.hash


@pytest.mark.django_db
class TestEveryActionIsRecorded:
    def test_each_action_appends_one_linked_event_to_its_organisations_chain(self):
        org = accounts.organisation_create(
            actor=None, kind="enterprise", name="链测试公司", short_code="CHAIN1"
        )
        other = accounts.organisation_create(
            actor=None, kind="enterprise", name="另一公司", short_code="CHAIN2"
        )
        admin = accounts.user_create(
            actor=None, name="管理员甲", email="admin@chain.example", password=PASSWORD
        )
        accounts.membership_add(actor=None, user=admin, organisation=org, role="admin")
        user = accounts.user_create(actor=admin, name="员工乙", email="b@chain.example", password=PASSWORD)
        membership = accounts.membership_add(actor=admin, user=user, organisation=org, role="employee")
        accounts.membership_add(actor=None, user=admin, organisation=other, role="admin")  # interleaved
        accounts.membership_change_role(actor=admin, membership=membership, role="officer")
        token, _secret = accounts.token_create(actor=admin, organisation=org, name="cli")
        accounts.token_revoke(actor=admin, token=token)
        accounts.membership_deactivate(actor=admin, membership=membership)

        events = chain_of(org)
        assert [e.verb for e in events] == [
            "organisation.create",
            "membership.add",
            "membership.add",
            "membership.role_change",
            "token.create",
            "token.revoke",
            "membership.deactivate",
        ]
        assert_linked(events)
        assert events[0].prev_hash == GENESIS
        role_change = events[3]
        assert (role_change.actor_id, role_change.actor_label) == (admin.pk, "管理员甲")
        assert (role_change.object_type, role_change.object_id) == ("accounts.membership", str(membership.pk))
        assert role_change.changes == {"role": ["employee", "officer"]}

        # The other organisation's chain is numbered on its own.
        assert [(e.seq, e.verb) for e in chain_of(other)] == [
            (1, "organisation.create"),
            (2, "membership.add"),
        ]
        assert_linked(chain_of(other))
        # Users are not tenants: their creation is on the platform organisation's chain.
        platform = chain_of(platform_organisation())
        assert [(e.verb, e.object_id) for e in platform] == [
            ("user.create", str(admin.pk)),
            ("user.create", str(user.pk)),
        ]
        assert_linked(platform)
        assert verify() == (len(events) + 2 + 2, [])

    def test_event_and_change_commit_or_roll_back_together(self):
        with pytest.raises(RuntimeError, match="later failure"), transaction.atomic():
            accounts.organisation_create(actor=None, kind="enterprise", name="回滚公司", short_code="ROLLBK")
            raise RuntimeError("later failure")
        assert not AuditEvent.objects.filter(object_repr="回滚公司").exists()

    def test_refused_action_records_nothing(self, make_org):
        org = make_org()
        before = AuditEvent.objects.count()
        user = accounts.user_create(actor=None, name="丙", email="c@chain.example", password=PASSWORD)
        with pytest.raises(ValidationError):
            accounts.membership_add(actor=None, user=user, organisation=org, role="boss")
        assert AuditEvent.objects.count() == before + 1  # only user.create

    def test_values_survive_the_database_round_trip_and_still_verify(self, make_org):
        """What is hashed before saving is exactly what is read back: odd JSON, unicode, IPv6 spellings."""
        org = make_org()
        request = RequestFactory().get("/", REMOTE_ADDR="2001:DB8:0:0:0:0:0:7")
        with transaction.atomic():
            audit_record(
                organisation=org,
                actor=None,
                verb="test.values",
                changes={
                    "名称": "核心配方 “A”",
                    "nested": {"b": [1, 2.5, None, True], "a": {"z": "", "y": -0.0}},
                    "when": date(2026, 3, 1),
                    "amount": Decimal("12.30"),
                    "delta": timedelta(hours=3),
                    "emoji": "🔒\u2028",
                    # Numbers PostgreSQL's jsonb would spell differently from Python's json module.
                    "floats": [-0.0, 1e20, 1.5e-07, 2.5, 1.0, 123456789012345678.0],
                    "not_numbers": [float("nan"), float("inf")],
                },
                request=request,
            )
            audit_record(organisation=org, actor=None, verb="test.ipv4", ip="192.0.2.10")
            audit_record(organisation=org, actor=None, verb="test.mapped", ip="::FFFF:192.0.2.10")
        events = chain_of(org)
        assert [e.ip for e in events[-3:]] == ["2001:db8::7", "192.0.2.10", "::ffff:192.0.2.10"]
        assert events[-3].changes["when"] == "2026-03-01"
        assert events[-3].changes["floats"] == [0.0, 10**20, 1.5e-07, 2.5, 1.0, 123456789012345680]
        assert events[-3].changes["not_numbers"] == ["nan", "inf"]
        assert verify(org.pk) == (len(events), [])

    def test_bad_verb_or_ip_is_refused_before_anything_is_written(self, make_org):
        org = make_org()
        before = AuditEvent.objects.count()
        with transaction.atomic():
            with pytest.raises(ValueError, match="verb"):
                audit_record(organisation=org, actor=None, verb="x" * 65)
            with pytest.raises(ValueError, match="not an IP address"):
                audit_record(organisation=org, actor=None, verb="ok", ip="999.1.1.1")
        assert AuditEvent.objects.count() == before

    def test_unparseable_remote_addr_is_dropped_not_fatal(self, make_org):
        org = make_org()
        with transaction.atomic():
            event = audit_record(
                organisation=org,
                actor=None,
                verb="test.ip",
                request=RequestFactory().get("/", REMOTE_ADDR="unix:"),
            )
        assert AuditEvent.objects.get(pk=event.pk).ip is None


@pytest.mark.django_db
class TestClientAddress:
    def _ip(self, **meta):
        from shangmi.apps.audit.actions import client_ip

        return client_ip(RequestFactory().get("/", **meta))

    def test_without_proxies_the_forwarded_header_is_ignored(self, settings):
        settings.PROXY_COUNT = 0
        assert self._ip(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="1.2.3.4") == "203.0.113.5"

    def test_behind_one_proxy_the_client_is_the_address_it_appended(self, settings):
        settings.PROXY_COUNT = 1
        # The client made up "1.2.3.4"; the proxy appended the real peer 198.51.100.9.
        assert (
            self._ip(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9") == "198.51.100.9"
        )
        assert self._ip(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9") == "198.51.100.9"
        assert self._ip(REMOTE_ADDR="10.0.0.1") is None  # the proxy did not say

    def test_behind_two_proxies(self, settings):
        settings.PROXY_COUNT = 2
        assert self._ip(REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="1.2.3.4, 198.51.100.9, 10.0.0.1") == (
            "198.51.100.9"
        )


# serialized_rollback: a transactional test ends with a flush; this restores the rows migrations seed
# (regions, the platform organisation) for the tests that follow.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_audit_record_outside_a_transaction_raises_and_writes_nothing(make_org):
    org = make_org()
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError, match="inside the action's transaction"):
        audit_record(organisation=org, actor=None, verb="loose.write")
    assert AuditEvent.objects.count() == before


@pytest.fixture
def trail(db, make_org):
    """An organisation with ten events and a second organisation with three."""
    org = make_org(name="被篡改公司")
    other = make_org(name="旁观公司")
    with transaction.atomic():
        for n in range(9):
            audit_record(organisation=org, actor=None, verb=f"test.step{n}", changes={"n": n})
        for n in range(2):
            audit_record(organisation=other, actor=None, verb="test.other", changes={"n": n})
    assert verify() == (10 + 3, [])
    return org, other


def _row(org, seq):
    return AuditEvent.objects.filter(organisation=org, seq=seq)


FIELD_EDITS = {
    "verb": {"verb": "test.harmless"},
    "changes": {"changes": {"n": 99}},
    "actor_label": {"actor_label": "someone else"},
    "object_repr": {"object_repr": "forged"},
    "object_id": {"object_id": "42"},
    "ip": {"ip": "192.0.2.99"},
    "created_at": {"created_at": datetime(2020, 1, 1, tzinfo=UTC)},
}


@pytest.mark.parametrize("field", FIELD_EDITS)
def test_editing_any_field_breaks_exactly_that_event(trail, field):
    org, other = trail
    edit = FIELD_EDITS[field]
    event_id = _row(org, 4).get().pk
    assert _row(org, 4).update(**edit) == 1  # behind the application's back: no hashing
    checked, broken = verify(org.pk)
    assert broken == [
        BrokenLink(org.pk, 4, event_id, "content does not match its hash (the row was altered)")
    ]
    assert checked == 4  # the walk stops at the first broken link
    assert verify(other.pk) == (3, [])


def test_moving_the_actor_breaks_the_event(trail, make_org, make_member):
    org, _other = trail
    someone = make_member(make_org())
    event_id = _row(org, 2).get().pk
    _row(org, 2).update(actor=someone)
    assert verify(org.pk)[1] == [
        BrokenLink(org.pk, 2, event_id, "content does not match its hash (the row was altered)")
    ]


def test_deleting_a_middle_event_is_a_sequence_gap(trail):
    org, _other = trail
    _row(org, 5).delete()
    after = _row(org, 6).get().pk
    assert verify(org.pk)[1] == [
        BrokenLink(org.pk, 6, after, "sequence jumps from 4 to 6 (an event is missing)")
    ]


def test_changing_a_hash_breaks_that_event_and_the_next_link(trail):
    org, _other = trail
    _row(org, 3).update(hash="f" * 64)
    reasons = {event.seq: reason for event, reason in walk(org.pk)}
    assert reasons[3] == "content does not match its hash (the row was altered)"
    assert reasons[4] == "prev_hash does not match the hash of the previous event"
    assert [seq for seq, reason in reasons.items() if reason] == [3, 4]
    assert [link.seq for link in verify(org.pk)[1]] == [3]


def test_rewriting_an_event_with_a_fresh_hash_is_caught_at_the_next_link(trail):
    """A forger who recomputes the altered event's own hash still breaks its successor's prev_hash."""
    org, _other = trail
    event = _row(org, 6).get()
    event.verb = "test.forged"
    event.hash = event_hash(event)
    _row(org, 6).update(verb=event.verb, hash=event.hash)
    nxt = _row(org, 7).get().pk
    assert verify(org.pk)[1] == [
        BrokenLink(org.pk, 7, nxt, "prev_hash does not match the hash of the previous event")
    ]


def test_verify_all_reports_the_first_break_of_each_broken_chain_only(trail):
    org, other = trail
    _row(org, 8).update(verb="x")
    _row(org, 2).update(verb="y")
    _row(other, 1).update(changes={"n": -1})
    _checked, broken = verify()
    assert sorted((link.organisation_id, link.seq) for link in broken) == sorted([(org.pk, 2), (other.pk, 1)])


def test_verify_counts_progress_per_event(trail):
    org, _other = trail
    ticks = []
    assert verify(org.pk, progress=ticks.append) == (10, [])
    assert ticks == [1] * 10


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_appends_to_one_chain_stay_gapless_and_linked(make_org):
    """Two writers appending to one organisation at once: the chain tail lock keeps seq and links right."""
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises whole transactions; the row lock under test is PostgreSQL's")
    org = make_org()
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for n in range(15):
                with transaction.atomic():
                    audit_record(organisation=org, actor=None, verb=f"test.{name}", changes={"n": n})
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    events = chain_of(org)
    assert len(events) == 1 + 30
    assert_linked(events)
    assert verify(org.pk) == (31, [])
