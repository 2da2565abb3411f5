"""Fetching tokens over HTTP from a real `openssl ts -reply` responder, and every way that can fail."""

import hashlib
import socket
from datetime import UTC, datetime, timedelta

import pytest

from shangmi.engines.tsa.client import fetch_token, post_query
from shangmi.engines.tsa.errors import (
    MalformedResponse,
    ResponseMismatch,
    TsaError,
    TsaRejected,
    TsaUnavailable,
)
from shangmi.engines.tsa.request import build_request
from shangmi.engines.tsa.response import _TimeStampResp, parse_response
from shangmi.engines.tsa.testing import TestTsa

DIGEST = hashlib.sha256(b"checkpoint").digest()


@pytest.fixture
def faulty(ec_tsa):
    yield ec_tsa
    ec_tsa.fault = None


@pytest.mark.parametrize("key_type", ["rsa", "ec"])
def test_fetch_token_is_granted_and_answers_the_request(tsa_by_type, key_type):
    tsa = tsa_by_type[key_type]
    before = datetime.now(UTC)
    resp = fetch_token(tsa.url, DIGEST, nonce=424242)
    after = datetime.now(UTC)
    assert resp.status == 0
    assert resp.nonce == 424242
    assert resp.hash_alg == "sha256"
    assert resp.gen_time.tzinfo is UTC
    assert before - timedelta(seconds=1) <= resp.gen_time <= after + timedelta(seconds=1)
    assert resp.token[:1] == b"\x30" and len(resp.token) < len(resp.response_der)
    assert parse_response(resp.response_der, digest=DIGEST, nonce=424242).token == resp.token
    assert tsa.openssl_verify(resp.token, DIGEST) is True
    assert tsa.openssl_verify(resp.response_der, DIGEST) is True


def test_serial_numbers_increase(ec_tsa):
    first = fetch_token(ec_tsa.url, DIGEST).serial
    second = fetch_token(ec_tsa.url, DIGEST).serial
    assert second == first + 1


def test_http_500_is_unavailable(faulty):
    faulty.fault = "http_500"
    with pytest.raises(TsaUnavailable) as err:
        fetch_token(faulty.url, DIGEST)
    assert err.value.http_status == 500


def test_wrong_content_type_is_malformed(faulty):
    faulty.fault = "content_type"
    with pytest.raises(MalformedResponse, match="content type 'text/html'") as err:
        fetch_token(faulty.url, DIGEST)
    assert type(err.value) is MalformedResponse


def test_garbage_body_is_malformed(faulty):
    faulty.fault = "garbage"
    with pytest.raises(MalformedResponse, match="not a DER TimeStampResp"):
        fetch_token(faulty.url, DIGEST)


def test_replayed_reply_is_a_mismatch(faulty):
    fetch_token(faulty.url, DIGEST)
    faulty.fault = "replay"
    with pytest.raises(ResponseMismatch, match="nonce"):
        fetch_token(faulty.url, DIGEST)


def test_reply_for_another_digest_is_a_mismatch(ec_tsa):
    query, nonce = build_request(DIGEST, nonce=99)
    reply = ec_tsa.reply(query)
    with pytest.raises(ResponseMismatch, match="imprint"):
        parse_response(reply, digest=hashlib.sha256(b"other").digest(), nonce=99)
    with pytest.raises(ResponseMismatch, match="nonce"):
        parse_response(reply, digest=DIGEST, nonce=100)


def test_unsupported_hash_is_rejected_by_the_tsa():
    with TestTsa("ec", digests=("sha512",)) as tsa:
        with pytest.raises(TsaRejected) as err:
            fetch_token(tsa.url, DIGEST)
        resp = fetch_token(tsa.url, hashlib.sha512(b"x").digest(), hash_alg="sha512")
    assert err.value.status == 2
    assert err.value.status_name == "rejection"
    assert err.value.failure_info == frozenset({"bad_alg"})
    assert "not supported" in err.value.status_text
    assert resp.hash_alg == "sha512"


def test_crafted_statuses():
    waiting = _TimeStampResp({"status": {"status": "waiting"}}).dump()
    with pytest.raises(TsaRejected) as err:
        parse_response(waiting)
    assert (err.value.status, err.value.status_name, err.value.failure_info) == (3, "waiting", frozenset())

    rejected = _TimeStampResp(
        {"status": {"status": "rejection", "status_string": ["busy"], "fail_info": {"system_failure"}}}
    ).dump()
    with pytest.raises(TsaRejected) as err:
        parse_response(rejected)
    assert err.value.failure_info == frozenset({"system_failure"})
    assert err.value.status_text == "busy"

    granted_without_token = _TimeStampResp({"status": {"status": "granted"}}).dump()
    with pytest.raises(MalformedResponse, match="no timeStampToken"):
        parse_response(granted_without_token)


def test_unreachable_tsa():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(TsaUnavailable) as err:
        fetch_token(f"http://127.0.0.1:{port}/", DIGEST, timeout=2)
    assert err.value.http_status is None


def test_silent_tsa_times_out():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        url = f"http://127.0.0.1:{s.getsockname()[1]}/"
        with pytest.raises(TsaUnavailable, match="unreachable"):
            fetch_token(url, DIGEST, timeout=0.5)


def test_server_refuses_other_content_types(ec_tsa):
    # The test TSA behaves like a real one: only application/timestamp-query is accepted.
    import urllib.error
    import urllib.request

    req = urllib.request.Request(ec_tsa.url, data=b"\x30\x00", headers={"Content-Type": "text/plain"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=5)
    assert err.value.code == 415
    err.value.close()


def test_bad_url_and_digest_raise_value_error():
    with pytest.raises(ValueError):
        post_query("file:///etc/passwd", b"")
    with pytest.raises(ValueError):
        fetch_token("http://127.0.0.1:9/", b"short")


def test_errors_share_one_base():
    for cls in (TsaUnavailable, TsaRejected, MalformedResponse, ResponseMismatch):
        assert issubclass(cls, TsaError)
