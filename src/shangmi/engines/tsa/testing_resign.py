"""Re-sign a real timestamp token with another certificate: a test fixture for negative cases.

OpenSSL's ``ts -reply`` refuses to sign with a certificate lacking the critical timeStamping EKU and cannot sign
with RSASSA-PSS; :func:`resign_token` takes a token OpenSSL produced and signs its unchanged TSTInfo afresh, so
tests can present tokens that are correct in every respect but the one under test. Re-exported by
:mod:`shangmi.engines.tsa.testing`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

_HASHES: dict[str, hashes.HashAlgorithm] = {
    "sha1": hashes.SHA1(),
    "sha256": hashes.SHA256(),
    "sha384": hashes.SHA384(),
    "sha512": hashes.SHA512(),
}


def resign_token(
    token_der: bytes,
    *,
    key_pem: bytes,
    cert_pem: bytes,
    extra_certs_pem: Iterable[bytes] = (),
    digest_alg: str = "sha256",
    scheme: str | None = None,
    ess: str | None = "v2",
    ess_cert_pem: bytes | None = None,
    embed_certs: bool = True,
) -> bytes:
    """Return ``token_der`` with its TSTInfo unchanged but signed afresh by ``key_pem`` / ``cert_pem``.

    ``scheme`` is "pkcs1v15" (default for RSA keys), "pss" (RSASSA-PSS, salt = hash length) or "ecdsa"
    (EC keys). The signed attributes are content-type, message-digest, signing-time and, per ``ess``, a
    signing-certificate ("v1", ESSCertID/SHA-1) or signing-certificate-v2 ("v2", ESSCertIDv2/SHA-256)
    over ``ess_cert_pem`` (default: ``cert_pem``), or none (``ess=None``). The certificates set becomes
    ``cert_pem`` followed by ``extra_certs_pem``, or is left out when ``embed_certs`` is false.
    """
    key = serialization.load_pem_private_key(key_pem, password=None)
    cert = x509.load_pem_x509_certificate(cert_pem)
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    a_cert = asn1_x509.Certificate.load(cert_der)
    ess_der = (
        x509.load_pem_x509_certificate(ess_cert_pem).public_bytes(serialization.Encoding.DER)
        if (ess_cert_pem)
        else cert_der
    )
    a_ess = asn1_x509.Certificate.load(ess_der)
    extra = [
        asn1_x509.Certificate.load(
            x509.load_pem_x509_certificate(pem).public_bytes(serialization.Encoding.DER)
        )
        for pem in extra_certs_pem
    ]

    original = cms.ContentInfo.load(token_der)
    signed_data = original["content"]
    encap = signed_data["encap_content_info"]
    econtent = encap["content"].contents
    md = hashlib.new(digest_alg, econtent).digest()

    issuer_serial = {
        "issuer": [asn1_x509.GeneralName({"directory_name": a_ess.issuer})],
        "serial_number": a_ess.serial_number,
    }
    attrs = [
        {"type": "content_type", "values": ["tst_info"]},
        {
            "type": "signing_time",
            "values": [cms.Time({"utc_time": datetime.now(UTC).replace(microsecond=0)})],
        },
        {"type": "message_digest", "values": [md]},
    ]
    if ess == "v1":
        ess_id = {"cert_hash": hashlib.sha1(ess_der).digest(), "issuer_serial": issuer_serial}
        attrs.append({"type": "signing_certificate", "values": [{"certs": [ess_id]}]})
    elif ess == "v2":
        ess_id = {
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(ess_der).digest(),
            "issuer_serial": issuer_serial,
        }
        attrs.append(
            {"type": "signing_certificate_v2", "values": [tsp.SigningCertificateV2({"certs": [ess_id]})]}
        )
    signed_attrs = cms.CMSAttributes(attrs)
    to_sign = b"\x31" + signed_attrs.dump()[1:]

    hash_obj = _HASHES[digest_alg]
    if isinstance(key, rsa.RSAPrivateKey):
        scheme = scheme or "pkcs1v15"
        if scheme == "pss":
            salt = hash_obj.digest_size
            signature = key.sign(to_sign, padding.PSS(padding.MGF1(hash_obj), salt), hash_obj)
            sig_alg = {
                "algorithm": "rsassa_pss",
                "parameters": {
                    "hash_algorithm": {"algorithm": digest_alg},
                    "mask_gen_algorithm": {"algorithm": "mgf1", "parameters": {"algorithm": digest_alg}},
                    "salt_length": salt,
                    "trailer_field": "trailer_field_bc",
                },
            }
        else:
            signature = key.sign(to_sign, padding.PKCS1v15(), hash_obj)
            sig_alg = {"algorithm": f"{digest_alg}_rsa"}
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        signature = key.sign(to_sign, ec.ECDSA(hash_obj))
        sig_alg = {"algorithm": f"{digest_alg}_ecdsa"}
    else:
        raise ValueError("only RSA and EC keys are supported")

    signer_info = cms.SignerInfo(
        {
            "version": "v1",
            "sid": cms.SignerIdentifier(
                {
                    "issuer_and_serial_number": {
                        "issuer": a_cert.issuer,
                        "serial_number": a_cert.serial_number,
                    }
                }
            ),
            "digest_algorithm": {"algorithm": digest_alg},
            "signed_attrs": signed_attrs,
            "signature_algorithm": sig_alg,
            "signature": signature,
        }
    )
    fields = {
        "version": signed_data["version"],
        "digest_algorithms": [{"algorithm": digest_alg}],
        "encap_content_info": encap,
        "signer_infos": [signer_info],
    }
    if embed_certs:
        fields["certificates"] = [a_cert, *extra]
    new_signed_data = cms.SignedData(fields)
    return cms.ContentInfo({"content_type": "signed_data", "content": new_signed_data}).dump()
