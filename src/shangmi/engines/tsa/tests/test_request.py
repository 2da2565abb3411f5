"""TimeStampReq building (RFC 3161 §2.4.1)."""

import hashlib
import subprocess

import pytest
from asn1crypto import tsp

from shangmi.engines.tsa.request import build_request

# DER of TimeStampReq{v1, sha256 (NULL params) over 32 x 0x01, nonce 7, certReq TRUE}; byte-identical to the
# encoding `openssl ts -query -digest 0101.. -sha256 -cert` produces for the same fields.
VECTOR = bytes.fromhex("303c0201013031300d060960864801650304020105000420" + "01" * 32 + "0201070101ff")


def test_build_request_matches_the_vector():
    der, nonce = build_request(b"\x01" * 32, "sha256", 7)
    assert nonce == 7
    assert der == VECTOR


def test_openssl_reads_our_request(tmp_path):
    digest = hashlib.sha384(b"abc").digest()
    der, nonce = build_request(digest, "sha384", 0x1234)
    (tmp_path / "q.tsq").write_bytes(der)
    out = subprocess.run(
        ["openssl", "ts", "-query", "-in", str(tmp_path / "q.tsq"), "-text"],
        capture_output=True, text=True, timeout=20, check=True,
    ).stdout  # fmt: skip
    assert "Version: 1" in out
    assert "Hash Algorithm: sha384" in out
    assert "Nonce: 0x1234" in out
    assert "Certificate required: yes" in out


@pytest.mark.parametrize("alg,size", [("sha256", 32), ("sha384", 48), ("sha512", 64)])
def test_fields_for_each_hash(alg, size):
    digest = hashlib.new(alg, b"x").digest()
    der, nonce = build_request(digest, alg)
    req = tsp.TimeStampReq.load(der).native
    assert req["version"] == "v1"
    assert req["message_imprint"] == {
        "hash_algorithm": {"algorithm": alg, "parameters": None},
        "hashed_message": digest,
    }
    assert req["nonce"] == nonce
    assert 0 < nonce < 2**64
    assert req["cert_req"] is True
    assert req["req_policy"] is None


def test_random_nonces_differ():
    nonces = {build_request(b"\0" * 32)[1] for _ in range(50)}
    assert len(nonces) == 50


def test_policy_is_carried():
    der, _ = build_request(b"\0" * 32, policy="1.2.3.4.1")
    assert tsp.TimeStampReq.load(der)["req_policy"].dotted == "1.2.3.4.1"


@pytest.mark.parametrize(
    "digest,alg,nonce",
    [
        (b"\0" * 31, "sha256", None),
        (b"\0" * 48, "sha256", None),
        (b"\0" * 20, "sha1", None),
        (b"\0" * 16, "md5", None),
        ("00" * 32, "sha256", None),
        (b"\0" * 32, "sha256", 0),
        (b"\0" * 32, "sha256", -5),
        (b"\0" * 32, "sha256", True),
        (b"\0" * 32, "sha256", 2**160),
    ],
)
def test_bad_arguments_raise_value_error(digest, alg, nonce):
    with pytest.raises(ValueError):
        build_request(digest, alg, nonce)
