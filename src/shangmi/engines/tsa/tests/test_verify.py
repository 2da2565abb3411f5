"""Token verification against real openssl-signed tokens, with one negative case per check."""

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import cms, tsp
from cryptography import x509
from cryptography.hazmat.primitives import serialization

from shangmi.engines.tsa import errors
from shangmi.engines.tsa.client import fetch_token
from shangmi.engines.tsa.testing import TestTsa, resign_token
from shangmi.engines.tsa.verify import TokenInfo, verify_token

DIGEST = hashlib.sha256(b"tlog checkpoint\n42\n").digest()
TSA_SUBJECT = "O=Shangmi Test,CN=Shangmi Test TSA"


@pytest.fixture(scope="module")
def rsa_token(rsa_tsa):
    return rsa_tsa.stamp(DIGEST)  # (token, nonce)


@pytest.fixture(scope="module")
def ec_token(ec_tsa):
    return ec_tsa.stamp(DIGEST)


def _signer_info(token: bytes) -> cms.SignerInfo:
    return cms.ContentInfo.load(token)["content"]["signer_infos"][0]


def _flip(token: bytes, needle: bytes, offset: int, mask: int = 0x01) -> bytes:
    """Flip bits of the byte at ``offset`` inside the only occurrence of ``needle`` in ``token``."""
    assert token.count(needle) == 1
    at = token.index(needle) + offset
    out = bytearray(token)
    out[at] ^= mask
    return bytes(out)


def _attr_value_der(token: bytes, name: str) -> bytes:
    for attr in _signer_info(token)["signed_attrs"]:
        if attr["type"].native == name:
            return attr["values"][0].dump()
    raise AssertionError(name)


# --- tokens that verify ------------------------------------------------------------------------------------


@pytest.mark.parametrize("key_type", ["rsa", "ec", "ec384"])
def test_http_tokens_verify_with_us_and_openssl(tsa_by_type, key_type):
    tsa = tsa_by_type[key_type]
    before = datetime.now(UTC)
    resp = fetch_token(tsa.url, DIGEST)
    info = verify_token(resp.token, digest=DIGEST, roots=[tsa.root_pem], nonce=resp.nonce)
    assert info == TokenInfo(
        gen_time=resp.gen_time,
        serial=resp.serial,
        policy="1.2.3.4.1",
        tsa_name=TSA_SUBJECT,
        hash_alg="sha256",
        signer_cert_subject=TSA_SUBJECT,
        nonce=resp.nonce,
        accuracy=timedelta(seconds=1),
    )
    assert info.gen_time.tzinfo is UTC
    assert before - timedelta(seconds=1) <= info.gen_time <= datetime.now(UTC) + timedelta(seconds=1)
    assert tsa.openssl_verify(resp.token, DIGEST) is True
    assert tsa.openssl_verify(resp.token, hashlib.sha256(b"other").digest()) is False


@pytest.mark.parametrize("alg", ["sha384", "sha512"])
def test_longer_imprints_verify(ec_tsa, alg):
    digest = hashlib.new(alg, b"data").digest()
    token, nonce = ec_tsa.stamp(digest, alg)
    info = verify_token(token, digest=digest, hash_alg=alg, roots=[ec_tsa.root_pem], nonce=nonce)
    assert info.hash_alg == alg
    assert ec_tsa.openssl_verify(token, digest) is True


def test_roots_as_objects_pem_text_and_der(rsa_tsa, rsa_token):
    root = x509.load_pem_x509_certificate(rsa_tsa.root_pem)
    der = root.public_bytes(serialization.Encoding.DER)
    for roots in (
        [root],
        [rsa_tsa.root_pem.decode()],
        [der],
        [b"".join([rsa_tsa.root_pem, rsa_tsa.root_pem])],
    ):
        assert verify_token(rsa_token[0], digest=DIGEST, roots=roots).serial > 0


@pytest.mark.parametrize("ess", ["v1", "v2"])
def test_pss_and_ess_variants_verify_and_openssl_cms_agrees(rsa_tsa, rsa_token, ess):
    key, cert = rsa_tsa.issue_certificate()
    for scheme in ("pss", "pkcs1v15"):
        token = resign_token(
            rsa_token[0],
            key_pem=key,
            cert_pem=cert,
            extra_certs_pem=[rsa_tsa.intermediate_pem],
            scheme=scheme,
            ess=ess,
        )
        info = verify_token(token, digest=DIGEST, roots=[rsa_tsa.root_pem], nonce=rsa_token[1])
        assert info.signer_cert_subject == TSA_SUBJECT
        assert rsa_tsa.openssl_cms_verify(token) is True


def test_token_without_embedded_certificates_needs_them_supplied(ec_tsa, ec_token):
    key, cert = ec_tsa.issue_certificate()
    token = resign_token(ec_token[0], key_pem=key, cert_pem=cert, embed_certs=False)
    with pytest.raises(errors.SignerNotFound):
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])
    with pytest.raises(errors.ChainUntrusted):
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem], certs=[cert])
    info = verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem], certs=[cert, ec_tsa.intermediate_pem])
    assert info.signer_cert_subject == TSA_SUBJECT


def test_intermediate_with_timestamping_eku_is_accepted():
    with TestTsa("ec", intermediate_eku="timeStamping") as tsa:
        token, _ = tsa.stamp(DIGEST)
        assert verify_token(token, digest=DIGEST, roots=[tsa.root_pem]).signer_cert_subject == TSA_SUBJECT


# --- one failure per check -----------------------------------------------------------------------------------


def test_wrong_digest(rsa_tsa, rsa_token):
    with pytest.raises(errors.ImprintMismatch) as err:
        verify_token(rsa_token[0], digest=hashlib.sha256(b"other").digest(), roots=[rsa_tsa.root_pem])
    assert err.value.check == "message_imprint"


def test_wrong_hash_algorithm(rsa_tsa, rsa_token):
    with pytest.raises(errors.ImprintMismatch, match="sha256 digest, expected sha384"):
        verify_token(rsa_token[0], digest=b"\0" * 48, hash_alg="sha384", roots=[rsa_tsa.root_pem])


def test_wrong_nonce(rsa_tsa, rsa_token):
    token, nonce = rsa_token
    with pytest.raises(errors.NonceMismatch) as err:
        verify_token(token, digest=DIGEST, roots=[rsa_tsa.root_pem], nonce=nonce + 1)
    assert err.value.check == "nonce"


@pytest.mark.parametrize(
    "eku,message",
    [
        (None, "no extended key usage"),
        ("timeStamping-noncritical", "not critical"),
        ("timeStamping+codeSigning", "not timeStamping only"),
        ("codeSigning", "not timeStamping only"),
    ],
)
def test_signer_without_proper_timestamping_eku(ec_tsa, ec_token, eku, message):
    # OpenSSL refuses to sign with such a certificate, so the openssl token is re-signed by one; the token is
    # otherwise perfect (signature, ESSCertIDv2, chain), so only the EKU check can catch it.
    key, cert = ec_tsa.issue_certificate(eku=eku)
    token = resign_token(ec_token[0], key_pem=key, cert_pem=cert, extra_certs_pem=[ec_tsa.intermediate_pem])
    with pytest.raises(errors.ExtendedKeyUsageInvalid, match=message) as err:
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])
    assert err.value.check == "extended_key_usage"
    assert ec_tsa.openssl_verify(token, DIGEST) is False


def test_untrusted_root(rsa_tsa, rsa_token, other_tsa):
    with pytest.raises(errors.ChainUntrusted) as err:
        verify_token(rsa_token[0], digest=DIGEST, roots=[other_tsa.root_pem])
    assert err.value.check == "chain"
    assert rsa_tsa.openssl_verify(rsa_token[0], DIGEST, ca_file=other_tsa.ca_file) is False


def test_missing_intermediate_breaks_the_chain(ec_tsa, ec_token):
    key, cert = ec_tsa.issue_certificate()
    token = resign_token(ec_token[0], key_pem=key, cert_pem=cert)  # embeds the signer only
    with pytest.raises(errors.ChainUntrusted):
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])
    assert verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem], certs=[ec_tsa.intermediate_pem])


def test_intermediate_whose_eku_excludes_timestamping_breaks_the_chain():
    with TestTsa("ec", intermediate_eku="serverAuth") as tsa:
        token, _ = tsa.stamp(DIGEST)
        with pytest.raises(errors.ChainUntrusted):
            verify_token(token, digest=DIGEST, roots=[tsa.root_pem])


def test_tampered_signing_time_attribute(rsa_tsa, rsa_token):
    token = rsa_token[0]
    signing_time = _attr_value_der(
        token, "signing_time"
    )  # UTCTime YYMMDDHHMMSSZ: flip the last seconds digit
    tampered = _flip(token, signing_time, len(signing_time) - 2)
    with pytest.raises(errors.SignatureInvalid) as err:
        verify_token(tampered, digest=DIGEST, roots=[rsa_tsa.root_pem])
    assert err.value.check == "signature"
    assert rsa_tsa.openssl_verify(tampered, DIGEST) is False


def test_tampered_message_digest_attribute(ec_tsa, ec_token):
    token = ec_token[0]
    md = _attr_value_der(token, "message_digest")
    tampered = _flip(token, md, len(md) - 1)
    with pytest.raises(errors.MessageDigestMismatch):
        verify_token(tampered, digest=DIGEST, roots=[ec_tsa.root_pem])


def test_tampered_tstinfo(rsa_tsa, rsa_token):
    token = rsa_token[0]
    econtent = cms.ContentInfo.load(token)["content"]["encap_content_info"]["content"].contents
    gen_time = tsp.TSTInfo.load(econtent)["gen_time"].dump()  # GeneralizedTime ...ss[.fff]Z
    tampered = _flip(token, gen_time, len(gen_time) - 2)  # the last digit: still a valid time
    with pytest.raises(errors.MessageDigestMismatch) as err:
        verify_token(tampered, digest=DIGEST, roots=[rsa_tsa.root_pem])
    assert err.value.check == "message_digest"
    assert rsa_tsa.openssl_verify(tampered, DIGEST) is False


def test_tampered_signature(ec_tsa, ec_token):
    token = ec_token[0]
    signature = _signer_info(token)["signature"].native
    with pytest.raises(errors.SignatureInvalid):
        verify_token(_flip(token, signature, len(signature) // 2), digest=DIGEST, roots=[ec_tsa.root_pem])


def test_signing_certificate_attribute_must_match(ec_tsa, ec_token):
    key, cert = ec_tsa.issue_certificate()
    common = {"key_pem": key, "cert_pem": cert, "extra_certs_pem": [ec_tsa.intermediate_pem]}
    for ess in ("v1", "v2"):
        token = resign_token(ec_token[0], ess=ess, ess_cert_pem=ec_tsa.tsa_cert_pem, **common)
        with pytest.raises(errors.SigningCertificateMismatch, match="does not hash") as err:
            verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])
        assert err.value.check == "signing_certificate"
    with pytest.raises(errors.SigningCertificateMismatch, match="no signing-certificate"):
        verify_token(resign_token(ec_token[0], ess=None, **common), digest=DIGEST, roots=[ec_tsa.root_pem])


def test_tsa_name_must_be_the_signer(ec_tsa, ec_token):
    key, cert = ec_tsa.issue_certificate(subject="/O=Elsewhere/CN=Another TSA")
    token = resign_token(ec_token[0], key_pem=key, cert_pem=cert, extra_certs_pem=[ec_tsa.intermediate_pem])
    with pytest.raises(errors.TsaNameMismatch):
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])


@pytest.mark.parametrize("shift", [timedelta(days=-10), timedelta(days=2)], ids=["expired", "not-yet-valid"])
def test_tsa_certificate_not_valid_at_gen_time(shift):
    now = datetime.now(UTC)
    with TestTsa("ec", tsa_not_before=now + shift, tsa_not_after=now + shift + timedelta(days=8)) as tsa:
        token, _ = tsa.stamp(DIGEST)
        with pytest.raises(errors.CertificateNotValidAtTime) as err:
            verify_token(token, digest=DIGEST, roots=[tsa.root_pem])
        assert err.value.check == "validity"
        assert tsa.openssl_verify(token, DIGEST) is False
        # at_time moves the judgement (e.g. to a moment the certificate was valid): then everything holds.
        assert verify_token(
            token, digest=DIGEST, roots=[tsa.root_pem], at_time=now + shift + timedelta(days=1)
        )


def test_content_type_must_be_tstinfo(ec_tsa, ec_token):
    signed_data = cms.ContentInfo.load(ec_token[0])["content"]
    econtent = signed_data["encap_content_info"]["content"].contents
    relabelled = cms.SignedData(
        {
            "version": signed_data["version"],
            "digest_algorithms": signed_data["digest_algorithms"],
            "encap_content_info": {"content_type": "data", "content": econtent},
            "certificates": signed_data["certificates"],
            "signer_infos": signed_data["signer_infos"],
        }
    )
    token = cms.ContentInfo({"content_type": "signed_data", "content": relabelled}).dump()
    with pytest.raises(errors.ContentTypeMismatch) as err:
        verify_token(token, digest=DIGEST, roots=[ec_tsa.root_pem])
    assert err.value.check == "content_type"


@pytest.mark.parametrize("cut", ["garbage", "truncated", "reply-not-token", "data-content-info"])
def test_malformed_tokens(ec_tsa, ec_token, cut):
    token = ec_token[0]
    bad = {
        "garbage": b"\x01\x02\x03",
        "truncated": token[:-10],
        "reply-not-token": fetch_token(ec_tsa.url, DIGEST).response_der,
        "data-content-info": cms.ContentInfo({"content_type": "data", "content": b"x"}).dump(),
    }[cut]
    with pytest.raises(errors.MalformedToken) as err:
        verify_token(bad, digest=DIGEST, roots=[ec_tsa.root_pem])
    assert err.value.check == "structure"


def test_bad_arguments(ec_tsa, ec_token):
    with pytest.raises(ValueError):
        verify_token(ec_token[0], digest=DIGEST, roots=[])
    with pytest.raises(ValueError):
        verify_token(ec_token[0], digest=DIGEST[:-1], roots=[ec_tsa.root_pem])
    with pytest.raises(ValueError):
        verify_token(ec_token[0], digest=DIGEST, roots=[ec_tsa.root_pem], at_time=datetime(2030, 1, 1))  # noqa: DTZ001


def test_every_check_has_its_own_name():
    classes = [c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, errors.TokenInvalid)]
    checks = [c.check for c in classes if c is not errors.TokenInvalid]
    assert len(checks) == len(set(checks)) == 14
    assert all(issubclass(c, errors.TsaError) for c in classes)
