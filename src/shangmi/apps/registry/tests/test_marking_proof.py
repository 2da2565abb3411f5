"""The public page a label's QR code leads to: proves registration, reveals nothing to outsiders."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from shangmi.apps.evidence.log_service import include_pending
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import SecretEvent
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db

HEADLINE = "该载体已在商业秘密台账中登记"


@pytest.fixture
def secret(members, application):
    return application(members["officer"], name="密封圈配方改良方案", department="材料研究所")


@pytest.fixture
def carrier(members, secret):
    return actions.carrier_add(
        member=members["officer"],
        secret=secret,
        kind="paper",
        name="配方工艺卡原件",
        location="研发楼保密柜",
        custodian=members["employee"].user,
    )


def _url(carrier) -> str:
    return reverse("registry:label_proof", args=[carrier.label_token])


def _registration(carrier) -> SecretEvent:
    [event] = [
        e
        for e in SecretEvent.objects.filter(secret=carrier.secret, kind="carrier_add")
        if json.loads(e.record)["data"]["carrier"] == carrier.code
    ]
    return event


def _secrets_of(secret, carrier, members) -> list[str]:
    """Everything the proof page must never show to an outsider."""
    org = secret.organisation
    people = [m.user.name for m in members.values()] + [m.user.email for m in members.values()]
    return [
        org.name,
        org.short_code,
        secret.name,
        secret.code,
        secret.department,
        carrier.name,
        carrier.code,
        carrier.location,
        *people,
        "模具",
        "配方",
        "密封圈",
    ]


def _assert_reveals_nothing(html: str, secret, carrier, members) -> None:
    for text in _secrets_of(secret, carrier, members):
        assert text not in html, f"the public proof page shows {text!r}"
    assert f"/registry/{secret.pk}/" not in html


class TestAnonymous:
    def test_proves_registration_with_the_record_digest(self, client, members, secret, carrier):
        response = client.get(_url(carrier))
        assert response.status_code == 200
        html = response.content.decode()
        event = _registration(carrier)
        digest = digest_bytes(event.record.encode()).sha256
        assert event.deposit.sha256 == digest
        assert HEADLINE in html
        assert f'id="proof-registered">{timezone.localdate(carrier.created_at).isoformat()}<' in html
        assert 'id="proof-marking">未标识<' in html
        assert 'id="proof-state">在用<' in html
        assert f'id="proof-sha256">{digest}<' in html
        assert 'id="proof-leaf">待入链<' in html
        assert f'href="{reverse("verify")}"' in html
        assert 'id="proof-detail"' not in html
        _assert_reveals_nothing(html, secret, carrier, members)

    def test_shows_the_leaf_index_once_included(self, client, members, secret, carrier):
        include_pending()
        event = _registration(carrier)
        event.deposit.refresh_from_db()
        assert event.deposit.leaf_index is not None
        html = client.get(_url(carrier)).content.decode()
        assert f'id="proof-leaf">{event.deposit.leaf_index}<' in html

    def test_marked_then_destroyed(self, client, members, secret, carrier):
        actions.carrier_mark(member=members["officer"], carrier=carrier)
        html = client.get(_url(carrier)).content.decode()
        assert 'id="proof-marking">已标识<' in html
        day = timezone.localdate()
        actions.carrier_destroy(
            member=members["officer"],
            carrier=carrier,
            method="incinerate",
            witness="赵监销",
            destroyed_on=day,
        )
        html = client.get(_url(carrier)).content.decode()
        assert f'id="proof-state">已销毁（{day.isoformat()} 销毁）<' in html
        assert "赵监销" not in html
        _assert_reveals_nothing(html, secret, carrier, members)

    def test_second_carrier_of_a_secret_shows_its_own_record(self, client, members, secret, carrier):
        second = actions.carrier_add(member=members["officer"], secret=secret, kind="sample", name="样件")
        first_digest = _registration(carrier).deposit.sha256
        second_digest = _registration(second).deposit.sha256
        assert first_digest != second_digest
        html = client.get(_url(second)).content.decode()
        assert f'id="proof-sha256">{second_digest}<' in html
        assert first_digest not in html

    @pytest.mark.parametrize("token", ["no-such-token", "x" * 33, "a" * 24])
    def test_unknown_token_is_not_found(self, client, carrier, token):
        response = client.get(reverse("registry:label_proof", args=[token]))
        assert response.status_code == 404
        assert HEADLINE not in response.content.decode()

    def test_writes_are_not_allowed(self, client, carrier):
        count = SecretEvent.objects.count()
        assert client.post(_url(carrier)).status_code == 405
        assert SecretEvent.objects.count() == count


class TestMembers:
    def test_another_organisation_sees_only_the_public_proof(
        self, other_enterprise, login, members, secret, carrier
    ):
        _org, people = other_enterprise
        response = login(people["admin"]).get(_url(carrier))
        assert response.status_code == 200
        html = response.content.decode()
        assert HEADLINE in html
        assert 'id="proof-detail"' not in html
        _assert_reveals_nothing(html, secret, carrier, members)

    def test_a_member_who_may_see_the_secret_gets_a_link_to_it(self, login, members, secret, carrier):
        html = login(members["manager"].user).get(_url(carrier)).content.decode()
        assert HEADLINE in html
        assert f'href="/registry/{secret.pk}/" id="proof-detail"' in html

    def test_an_employee_not_entrusted_gets_no_link(self, login, members, secret, carrier):
        html = login(members["employee"].user).get(_url(carrier)).content.decode()
        assert HEADLINE in html
        assert 'id="proof-detail"' not in html
        assert secret.name not in html

    def test_an_officer_short_of_the_second_factor_gets_no_link(self, login, members, secret, carrier):
        response = login(members["officer"].user, verified=False).get(_url(carrier))
        assert response.status_code == 200
        html = response.content.decode()
        assert HEADLINE in html
        assert 'id="proof-detail"' not in html
        _assert_reveals_nothing(html, secret, carrier, members)
