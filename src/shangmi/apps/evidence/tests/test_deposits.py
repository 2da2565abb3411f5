"""Deposits through the action and the API: digests only, all or nothing, acknowledged after inclusion."""

import json

import pytest
from django.core.exceptions import ValidationError

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.evidence.log_service import include_pending, receipt_for
from shangmi.apps.evidence.models import Checkpoint, Deposit
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db


def _items(material, n, prefix="m"):
    return [
        DepositItem(d.sha256, d.sm3, d.size, label=f"{prefix}{i}")
        for i, d in enumerate(material(f"{prefix}{i}") for i in range(n))
    ]


def test_a_malformed_item_refuses_the_whole_batch_naming_it(enterprise, material):
    org, people = enterprise
    items = _items(material, 5)
    items[3] = DepositItem("zz" * 32, items[3].sm3, items[3].size)
    before = (Deposit.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ValidationError) as caught:
        deposit_create_batch(organisation=org, actor=people["officer"], kind="file", items=items)
    assert list(caught.value.message_dict) == ["items.3.sha256"]
    assert (Deposit.objects.count(), AuditEvent.objects.count()) == before


def test_deposits_are_pending_until_the_log_includes_them(enterprise, material):
    org, people = enterprise
    ids = deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=_items(material, 300)
    )
    assert set(Deposit.objects.filter(pk__in=ids).values_list("state", flat=True)) == {"pending"}
    assert AuditEvent.objects.filter(organisation=org, verb="evidence.deposit").count() == 1
    result = include_pending()
    assert result.included == 300 and result.checkpoint.size == 300
    included = Deposit.objects.filter(organisation=org).order_by("leaf_index")
    assert [d.leaf_index for d in included] == list(range(300))
    assert {d.state for d in included} == {"included"}
    # a second run has nothing to do and publishes nothing new
    assert include_pending().included == 0
    assert Checkpoint.objects.count() == 1


def test_api_batch_of_1000_then_receipts_that_verify(client, enterprise, material):
    org, people = enterprise
    _t, token = accounts.token_create(actor=people["officer"], organisation=org, name="cli")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    digests = [material(f"file {i}") for i in range(1000)]
    body = {
        "kind": "file",
        "client": "shangmi-cli/0.1.0",
        "items": [
            {"sha256": d.sha256, "sm3": d.sm3, "size": d.size, "label": f"f{i}"}
            for i, d in enumerate(digests)
        ],
    }
    response = client.post(
        "/api/v1/evidence/deposits", json.dumps(body), content_type="application/json", **auth
    )
    assert response.status_code == 202
    ids = response.json()["ids"]
    assert len(ids) == 1000
    early = client.get(f"/api/v1/evidence/deposits/{ids[10]}/receipt", **auth)
    assert early.status_code == 409
    include_pending()
    for position in (0, 10, 999):
        receipt = client.get(f"/api/v1/evidence/deposits/{ids[position]}/receipt", **auth)
        assert receipt.status_code == 200
        verdict = verify_receipt(receipt.content, material=digests[position])
        assert verdict.valid, [(c.name, c.detail) for c in verdict.checks]
        assert verdict.index == position and verdict.tree_size == 1000
    listing = client.get("/api/v1/evidence/deposits?state=included&page_size=5", **auth).json()
    assert listing["count"] == 1000 and len(listing["items"]) == 5


def test_api_names_the_malformed_item_and_writes_nothing(client, enterprise, material):
    org, people = enterprise
    _t, token = accounts.token_create(actor=people["officer"], organisation=org, name="cli")
    good = material("ok")
    items = [{"sha256": good.sha256, "sm3": good.sm3, "size": good.size}] * 3
    items[2] = {"sha256": good.sha256, "sm3": "not-hex" * 9 + "0", "size": 1}
    before = Deposit.objects.count()
    response = client.post(
        "/api/v1/evidence/deposits",
        json.dumps({"items": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["items.2.sm3"]
    assert Deposit.objects.count() == before


def test_deposit_page_lists_state_and_offers_the_receipt(enterprise, login, material):
    org, people = enterprise
    deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=_items(material, 3, "配方")
    )
    page = login(people["employee"]).get("/evidence/")
    assert page.status_code == 200 and page.content.decode().count("待入链") >= 3
    include_pending()
    client = login(people["officer"])
    body = client.get("/evidence/?state=included").content.decode()
    assert "配方0" in body and "/receipt/" in body
    deposit = Deposit.objects.filter(organisation=org).first()
    receipt = client.get(f"/evidence/{deposit.pk}/receipt/")
    assert receipt.status_code == 200 and receipt.content.startswith(b"shangmi-receipt/1\n")


def test_gaps_in_ids_still_give_consecutive_leaf_indexes(enterprise, material):
    org, people = enterprise
    ids = deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=_items(material, 10)
    )
    Deposit.objects.filter(pk__in=[ids[3], ids[4], ids[8]]).delete()  # as a rollback would
    include_pending()
    rows = list(Deposit.objects.order_by("id").values_list("leaf_index", "state"))
    assert rows == [(i, "included") for i in range(7)]
    for deposit in Deposit.objects.all():
        verdict = verify_receipt(receipt_for(deposit).to_text())
        assert verdict.valid and verdict.index == deposit.leaf_index


def test_receipt_by_digest(client, enterprise, other_enterprise, material):
    org, people = enterprise
    _t, token = accounts.token_create(actor=people["officer"], organisation=org, name="cli")
    m = material("by digest")
    deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=[DepositItem(m.sha256, m.sm3, m.size)]
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    assert client.get(f"/api/v1/evidence/receipts/{m.sha256}", **auth).status_code == 404  # not yet included
    include_pending()
    response = client.get(f"/api/v1/evidence/receipts/{m.sha256.upper()}", **auth)
    assert response.status_code == 200 and verify_receipt(response.content, material=m).valid
    other, others = other_enterprise
    _t, foreign = accounts.token_create(actor=others["officer"], organisation=other, name="x")
    assert (
        client.get(
            f"/api/v1/evidence/receipts/{m.sha256}", HTTP_AUTHORIZATION=f"Bearer {foreign}"
        ).status_code
        == 404
    )
