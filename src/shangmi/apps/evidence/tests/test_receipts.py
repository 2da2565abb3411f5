"""Receipts: valid ones verify offline; each kind of bad receipt names its failing check."""

import base64
import hashlib

import pytest

from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.evidence.log_service import include_pending, receipt_for
from shangmi.apps.evidence.models import Checkpoint, Deposit
from shangmi.engines.tlog.keys import generate_signer
from shangmi.engines.tlog.receipt import parse_receipt, verify_receipt
from shangmi.engines.tsa.testing import TestTsa

pytestmark = pytest.mark.django_db


@pytest.fixture
def receipt_text(enterprise, material):
    org, people = enterprise
    for i in range(6):
        m = material(f"doc {i}")
        deposit_create(
            organisation=org,
            actor=people["officer"],
            kind="file",
            sha256=m.sha256,
            sm3=m.sm3,
            size=m.size,
            label=f"doc {i}",
        )
    include_pending()
    return receipt_for(Deposit.objects.get(label="doc 3")).to_text()


def failing(verdict):
    return [c.name for c in verdict.checks if not c.ok]


def test_valid_receipt_lists_every_check(receipt_text, material):
    verdict = verify_receipt(receipt_text, material=material("doc 3"))
    assert verdict.valid
    assert [c.name for c in verdict.checks] == [
        "syntax",
        "leaf",
        "material",
        "key",
        "checkpoint",
        "inclusion",
        "timestamp",
    ]
    assert verdict.time_source == "platform-signature"
    assert "time rests on the platform" in verdict.checks[-1].detail


def test_truncated_receipt(receipt_text, material):
    verdict = verify_receipt(receipt_text[:200], material=material("doc 3"))
    assert failing(verdict) == ["syntax"] and not verdict.valid


def test_receipt_for_another_file(receipt_text, material):
    assert failing(verify_receipt(receipt_text, material=material("doc 4"))) == ["material"]


def test_receipt_from_another_log(receipt_text, material):
    _signer, other_vkey = generate_signer("shangmi.local/evidence-log")
    verdict = verify_receipt(receipt_text, material=material("doc 3"), trusted_vkey=other_vkey)
    assert failing(verdict) == ["key"]


def test_mutated_proof_hash(receipt_text, material):
    receipt = parse_receipt(receipt_text)
    lines = receipt.proof_text.split("\n")
    proof_line = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    raw = bytearray(base64.b64decode(lines[proof_line]))
    raw[0] ^= 1
    lines[proof_line] = base64.b64encode(bytes(raw)).decode()
    mutated = receipt_text.replace(receipt.proof_text, "\n".join(lines))
    assert failing(verify_receipt(mutated, material=material("doc 3"))) == ["inclusion"]


def test_forged_checkpoint_signature(receipt_text, material):
    signature_line = receipt_text.rstrip("\n").split("\n")[-1]
    name, _sep, sig = signature_line.rpartition(" ")
    raw = bytearray(base64.b64decode(sig))
    raw[-1] ^= 0x40
    forged = receipt_text.replace(signature_line, f"{name} {base64.b64encode(bytes(raw)).decode()}")
    assert failing(verify_receipt(forged, material=material("doc 3"))) == ["checkpoint"]


def test_checkpoints_are_stamped_by_the_tsa_and_openssl_agrees(enterprise, material, settings):
    org, people = enterprise
    with TestTsa("ec") as tsa:
        settings.EVIDENCE_TSA_URL = tsa.url
        m = material("stamped")
        deposit = deposit_create(
            organisation=org, actor=people["officer"], kind="record", sha256=m.sha256, sm3=m.sm3, size=m.size
        )
        include_pending()
        checkpoint = Checkpoint.objects.get()
        token = bytes(checkpoint.timestamp_token)
        digest = hashlib.sha256(checkpoint.note.encode()).digest()
        assert tsa.openssl_verify(token, digest)
        text = receipt_for(Deposit.objects.get(pk=deposit.pk)).to_text()
        verdict = verify_receipt(text, material=m, tsa_roots=[tsa.root_pem])
        assert verdict.valid and verdict.time_source == "tsa"
        assert abs((verdict.timestamp - checkpoint.timestamp_time).total_seconds()) < 1
        # the token cannot be checked without the TSA's root, and the verdict says so
        assert failing(verify_receipt(text, material=m)) == ["timestamp"]


def test_tsa_outage_leaves_the_deposit_included_and_unstamped(enterprise, material, settings):
    org, people = enterprise
    settings.EVIDENCE_TSA_URL = "http://127.0.0.1:9/tsa"  # nothing listens on the discard port
    m = material("no tsa")
    deposit_create(
        organisation=org, actor=people["officer"], kind="file", sha256=m.sha256, sm3=m.sm3, size=m.size
    )
    include_pending()
    assert Deposit.objects.get().state == "included"
    assert Checkpoint.objects.get().timestamp_token is None
