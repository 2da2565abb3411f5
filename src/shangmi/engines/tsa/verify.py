"""Verify an RFC 3161 TimeStampToken (RFC 3161 §2.4.2, RFC 5652 §5, RFC 5816) against configured roots.

``verify_token`` runs these checks in order; the first failure raises the :class:`~.errors.TokenInvalid`
subclass whose ``check`` attribute is given in brackets:

1. [structure] DER ContentInfo → SignedData with one SignerInfo; encapsulated TSTInfo parses, version 1.
2. [content_type] eContentType is id-ct-TSTInfo.
3. [message_imprint] TSTInfo.messageImprint is ``hash_alg`` over exactly ``digest``.
4. [nonce] TSTInfo.nonce equals ``nonce`` when one is given.
5. [signer_certificate] the SignerInfo's sid (issuer+serial or subjectKeyIdentifier) names a certificate in
   the token or in ``certs``.
6. [signed_attributes] signed attributes present; content-type (= id-ct-TSTInfo) and message-digest each occur
   exactly once with one value.
7. [message_digest] message-digest equals the digest of the eContent octets.
8. [algorithm] / [signature] the signature over the DER SET OF signed attributes verifies with the signer's
   key: RSA PKCS#1 v1.5, RSASSA-PSS, or ECDSA (P-256, P-384, P-521); SHA-256/384/512 only.
9. [signing_certificate] ESSCertID (SHA-1) and/or ESSCertIDv2 signing-certificate attribute is present and its
   first entry hashes to the signer certificate (and names its issuer and serial if it says them).
10. [tsa_name] TSTInfo.tsa, if it is a directory name, is the signer certificate's subject.
11. [extended_key_usage] the signer certificate has exactly one EKU extension, critical, holding only
    id-kp-timeStamping (RFC 3161 §2.3).
12. [validity] the signer certificate is valid at genTime (or ``at_time``).
13. [chain] a path from the signer certificate through the token's (and ``certs``') intermediates to one of
    ``roots`` verifies at that same time (cryptography's X.509 path validation, RFC 5280 profile with the
    TSA EKU rules above for the leaf).

Cost: one ASN.1 parse of a few KB, one signature verification per certificate in the path plus one for the
token. No I/O; revocation is not checked (no CRL/OCSP on offline verification).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from asn1crypto import cms, tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.exceptions import UnsupportedAlgorithm as CryptoUnsupported
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

from .errors import (
    CertificateNotValidAtTime,
    ChainUntrusted,
    ContentTypeMismatch,
    ExtendedKeyUsageInvalid,
    ImprintMismatch,
    MalformedToken,
    MessageDigestMismatch,
    NonceMismatch,
    SignatureInvalid,
    SignedAttributesInvalid,
    SignerNotFound,
    SigningCertificateMismatch,
    TokenInvalid,
    TsaNameMismatch,
    UnsupportedAlgorithm,
)
from .request import check_digest
from .response import ID_CT_TSTINFO

CertLike = x509.Certificate | bytes | str

SIGNATURE_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "sha256": hashes.SHA256,
    "sha384": hashes.SHA384,
    "sha512": hashes.SHA512,
}
EC_CURVES = (ec.SECP256R1, ec.SECP384R1, ec.SECP521R1)
MIN_RSA_BITS = 2048
MAX_CHAIN_DEPTH = 4
ID_EC_PUBLIC_KEY = "1.2.840.10045.2.1"


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What a verified token says. ``gen_time`` is timezone-aware UTC."""

    gen_time: datetime
    serial: int
    policy: str
    tsa_name: str | None
    hash_alg: str
    signer_cert_subject: str
    nonce: int | None = None
    accuracy: timedelta | None = None


# --- certificates ---------------------------------------------------------------------------------------------


def load_certificates(items: Iterable[CertLike]) -> list[x509.Certificate]:
    """Certificates from ``x509.Certificate`` objects, PEM (bytes/str, possibly several) or DER bytes."""
    out: list[x509.Certificate] = []
    for item in items:
        if isinstance(item, x509.Certificate):
            out.append(item)
            continue
        data = item.encode() if isinstance(item, str) else bytes(item)
        if b"-----BEGIN" in data:
            out.extend(x509.load_pem_x509_certificates(data))
        else:
            out.append(x509.load_der_x509_certificate(data))
    return out


def _ca_eku(policy: object, cert: x509.Certificate, eku: x509.ExtendedKeyUsage | None) -> None:
    # A CA that restricts its EKUs must allow timestamping (e.g. dedicated timestamping intermediates do).
    if eku is not None and not {
        ExtendedKeyUsageOID.TIME_STAMPING,
        ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
    } & set(eku):
        raise ValueError("CA certificate's extended key usage excludes timeStamping")


def _ee_eku(policy: object, cert: x509.Certificate, eku: x509.ExtendedKeyUsage) -> None:
    if list(eku) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        raise ValueError("TSA certificate's extended key usage must be timeStamping only")


def _policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    ca = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _ca_eku
    )
    ee = (
        ExtensionPolicy.webpki_defaults_ee()
        .require_present(x509.ExtendedKeyUsage, Criticality.CRITICAL, _ee_eku)
        .may_be_present(x509.SubjectAlternativeName, Criticality.AGNOSTIC, None)
        .may_be_present(x509.AuthorityKeyIdentifier, Criticality.AGNOSTIC, None)
    )
    return ca, ee


def check_tsa_eku(cert: x509.Certificate) -> None:
    """RFC 3161 §2.3: one EKU extension, critical, whose only KeyPurposeId is id-kp-timeStamping."""
    try:
        ext = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage)
    except x509.ExtensionNotFound as exc:
        raise ExtendedKeyUsageInvalid("signer certificate has no extended key usage extension") from exc
    except (ValueError, x509.DuplicateExtension) as exc:
        raise ExtendedKeyUsageInvalid(f"signer certificate extensions do not parse: {exc}") from exc
    if not ext.critical:
        raise ExtendedKeyUsageInvalid("signer certificate's extended key usage is not critical")
    if list(ext.value) != [ExtendedKeyUsageOID.TIME_STAMPING]:
        names = ", ".join(oid.dotted_string for oid in ext.value)
        raise ExtendedKeyUsageInvalid(
            f"signer certificate's extended key usage is [{names}], not timeStamping only"
        )


def verify_chain(
    signer: x509.Certificate,
    intermediates: Sequence[x509.Certificate],
    roots: Sequence[x509.Certificate],
    when: datetime,
) -> list[x509.Certificate]:
    """Path-validate ``signer`` to one of ``roots`` at ``when``; return the path leaf first."""
    ca_policy, ee_policy = _policies()
    verifier = (
        PolicyBuilder()
        .store(Store(list(roots)))
        .time(when)
        .max_chain_depth(MAX_CHAIN_DEPTH)
        .extension_policies(ca_policy=ca_policy, ee_policy=ee_policy)
        .build_client_verifier()
    )
    try:
        return list(verifier.verify(signer, list(intermediates)).chain)
    except (VerificationError, ValueError, x509.UnsupportedGeneralNameType) as exc:
        raise ChainUntrusted(f"no trusted path from the TSA certificate to a configured root: {exc}") from exc


# --- CMS pieces ---------------------------------------------------------------------------------------------------


def _parse(token_der: bytes) -> tuple[cms.SignedData, cms.SignerInfo, bytes, tsp.TSTInfo]:
    try:
        content_info = cms.ContentInfo.load(bytes(token_der), strict=True)
        if content_info["content_type"].native != "signed_data":
            raise MalformedToken("token is not CMS SignedData")
        signed_data = content_info["content"]
        signer_infos = signed_data["signer_infos"]
        if len(signer_infos) != 1:
            raise MalformedToken(f"token has {len(signer_infos)} SignerInfos, RFC 3161 requires exactly one")
        encap = signed_data["encap_content_info"]
        content_type = encap["content_type"].dotted
    except TokenInvalid:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedToken(f"token is not DER CMS SignedData: {exc}") from exc
    if content_type != ID_CT_TSTINFO:
        raise ContentTypeMismatch(f"encapsulated content type is {content_type}, not id-ct-TSTInfo")
    try:
        if encap["content"].native is None:
            raise MalformedToken("token has no encapsulated TSTInfo")
        econtent = encap["content"].contents
        info = tsp.TSTInfo.load(econtent, strict=True)
        info.native  # noqa: B018 - parse every field now
        signer_infos[0].native  # noqa: B018
    except TokenInvalid:
        raise
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedToken(f"TSTInfo or SignerInfo does not parse: {exc}") from exc
    if info["version"].native != "v1":
        raise MalformedToken(f"TSTInfo version {info['version'].native} is not 1")
    return signed_data, signer_infos[0], econtent, info


def _token_certificates(signed_data: cms.SignedData) -> list[x509.Certificate]:
    out = []
    for choice in signed_data["certificates"] or []:
        if choice.name != "certificate":
            continue
        try:
            out.append(x509.load_der_x509_certificate(choice.chosen.dump()))
        except ValueError as exc:
            raise MalformedToken(f"a certificate in the token does not parse: {exc}") from exc
    return out


def _find_signer(signer_info: cms.SignerInfo, candidates: Sequence[x509.Certificate]) -> x509.Certificate:
    sid = signer_info["sid"]
    for cert in candidates:
        a_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        if sid.name == "issuer_and_serial_number":
            want = sid.chosen
            if a_cert.serial_number == want["serial_number"].native and a_cert.issuer == want["issuer"]:
                return cert
        elif sid.name == "subject_key_identifier" and a_cert.key_identifier == sid.chosen.native:
            return cert
    raise SignerNotFound("no certificate in the token or supplied matches the signer identifier")


def _single_attr(attrs: dict[str, list], name: str) -> object:
    values = attrs.get(name)
    if values is None:
        raise SignedAttributesInvalid(f"signed attribute {name} is missing")
    if len(values) != 1 or len(values[0]) != 1:
        raise SignedAttributesInvalid(f"signed attribute {name} must occur once with one value")
    return values[0][0]


def _signed_attrs(signer_info: cms.SignerInfo) -> dict[str, list]:
    raw = signer_info["signed_attrs"]
    if not len(raw):
        raise SignedAttributesInvalid("SignerInfo has no signed attributes")
    attrs: dict[str, list] = {}
    for attr in raw:
        attrs.setdefault(attr["type"].native, []).append(attr["values"])
    return attrs


def _hash_name(algorithm: object) -> str:
    return algorithm["algorithm"].native  # type: ignore[index]


def _check_signature(
    cert: x509.Certificate, signer_info: cms.SignerInfo, signed: bytes, digest_name: str
) -> None:
    sig_alg = signer_info["signature_algorithm"]
    name = sig_alg["algorithm"].native
    key = cert.public_key()
    if name == "rsassa_pss":
        params = sig_alg["parameters"]
        hash_name = _hash_name(params["hash_algorithm"])
        mgf = params["mask_gen_algorithm"]
        if mgf["algorithm"].native != "mgf1" or _hash_name(mgf["parameters"]) != hash_name:
            raise UnsupportedAlgorithm("RSASSA-PSS must use MGF1 with the signature hash")
        if params["trailer_field"].native != "trailer_field_bc":
            raise UnsupportedAlgorithm("RSASSA-PSS trailer field must be 1")
        family = "rsa"
        pad: padding.AsymmetricPadding | None = padding.PSS(
            mgf=padding.MGF1(_signature_hash(hash_name)()), salt_length=params["salt_length"].native
        )
    elif name == "rsassa_pkcs1v15" or name.endswith("_rsa"):
        hash_name = digest_name if name == "rsassa_pkcs1v15" else name.removesuffix("_rsa")
        family, pad = "rsa", padding.PKCS1v15()
    elif name == ID_EC_PUBLIC_KEY or name.endswith("_ecdsa"):
        hash_name = digest_name if name == ID_EC_PUBLIC_KEY else name.removesuffix("_ecdsa")
        family, pad = "ec", None
    else:
        raise UnsupportedAlgorithm(f"signature algorithm {name} is not supported")
    if hash_name != digest_name:
        raise UnsupportedAlgorithm(
            f"signature hash {hash_name} differs from the SignerInfo digest {digest_name}"
        )
    hash_alg = _signature_hash(hash_name)()
    signature = signer_info["signature"].native
    try:
        if family == "rsa":
            if not isinstance(key, rsa.RSAPublicKey):
                raise UnsupportedAlgorithm(f"signature algorithm {name} needs an RSA key")
            if key.key_size < MIN_RSA_BITS:
                raise UnsupportedAlgorithm(f"RSA key of {key.key_size} bits is below {MIN_RSA_BITS}")
            assert pad is not None
            key.verify(signature, signed, pad, hash_alg)
        else:
            if not isinstance(key, ec.EllipticCurvePublicKey):
                raise UnsupportedAlgorithm(f"signature algorithm {name} needs an EC key")
            if not isinstance(key.curve, EC_CURVES):
                raise UnsupportedAlgorithm(f"EC curve {key.curve.name} is not supported")
            key.verify(signature, signed, ec.ECDSA(hash_alg))
    except (InvalidSignature, CryptoUnsupported) as exc:
        raise SignatureInvalid("token signature does not verify with the signer certificate's key") from exc


def _signature_hash(name: str) -> type[hashes.HashAlgorithm]:
    try:
        return SIGNATURE_HASHES[name]
    except KeyError:
        raise UnsupportedAlgorithm(f"hash {name} is not accepted for signatures") from None


def _issuer_serial_matches(issuer_serial: object, cert: x509.Certificate) -> bool:
    if issuer_serial.native is None:  # type: ignore[attr-defined]
        return True
    a_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    if issuer_serial["serial_number"].native != a_cert.serial_number:  # type: ignore[index]
        return False
    names = [g.chosen for g in issuer_serial["issuer"] if g.name == "directory_name"]  # type: ignore[index]
    return any(name == a_cert.issuer for name in names)


def _check_signing_certificate(attrs: dict[str, list], cert: x509.Certificate) -> None:
    cert_der = cert.public_bytes(serialization.Encoding.DER)
    found = False
    for name, default_hash in (("signing_certificate", "sha1"), ("signing_certificate_v2", "sha256")):
        if name not in attrs:
            continue
        value = _single_attr(attrs, name)
        found = True
        ess_ids = value["certs"]  # type: ignore[index]
        if not len(ess_ids):
            raise SigningCertificateMismatch(f"{name} attribute lists no certificate")
        first = ess_ids[0]  # RFC 5035 §5.4: the first ESSCertID identifies the signing certificate
        hash_name = default_hash if name == "signing_certificate" else _hash_name(first["hash_algorithm"])
        if hash_name not in ("sha1", "sha256", "sha384", "sha512") or (hash_name == "sha1") != (
            name == "signing_certificate"
        ):
            raise UnsupportedAlgorithm(f"{name} uses hash {hash_name}")
        if first["cert_hash"].native != hashlib.new(hash_name, cert_der).digest():
            raise SigningCertificateMismatch(f"{name} does not hash to the signer certificate")
        if not _issuer_serial_matches(first["issuer_serial"], cert):
            raise SigningCertificateMismatch(
                f"{name} names another issuer or serial than the signer certificate"
            )
    if not found:
        raise SigningCertificateMismatch("no signing-certificate (ESSCertID / ESSCertIDv2) attribute")


def _tsa_name(info: tsp.TSTInfo, cert: x509.Certificate) -> str | None:
    tsa = info["tsa"]
    if tsa.native is None:
        return None
    if tsa.name == "directory_name":
        a_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
        if tsa.chosen != a_cert.subject:
            raise TsaNameMismatch("TSTInfo.tsa is not the signer certificate's subject")
        return cert.subject.rfc4514_string()
    return f"{tsa.name}:{tsa.native}"


def _accuracy(info: tsp.TSTInfo) -> timedelta | None:
    acc = info["accuracy"]
    if acc.native is None:
        return None
    parts = acc.native
    return timedelta(
        seconds=parts.get("seconds") or 0,
        milliseconds=parts.get("millis") or 0,
        microseconds=parts.get("micros") or 0,
    )


# --- the entry point ---------------------------------------------------------------------------------------------


def verify_token(
    token_der: bytes,
    *,
    digest: bytes,
    roots: Sequence[CertLike],
    hash_alg: str = "sha256",
    nonce: int | None = None,
    at_time: datetime | None = None,
    certs: Sequence[CertLike] = (),
) -> TokenInfo:
    """Verify a DER TimeStampToken over ``digest`` and return what it asserts (see the module docstring).

    ``roots``: trusted root certificates (``x509.Certificate``, PEM or DER); at least one. ``certs``: extra
    untrusted certificates (signer or intermediates) for tokens that do not embed them. ``at_time``: when to
    judge certificate validity (aware datetime); default the token's own genTime, so that an old token stays
    verifiable after its TSA certificate expires. Raises ``ValueError`` for bad arguments and a
    :class:`~.errors.TokenInvalid` subclass naming the failed check otherwise.
    """
    check_digest(digest, hash_alg)
    root_certs = load_certificates(roots)
    if not root_certs:
        raise ValueError("at least one root certificate is required")
    if at_time is not None and at_time.tzinfo is None:
        raise ValueError("at_time must be timezone-aware")
    extra_certs = load_certificates(certs)

    signed_data, signer_info, econtent, info = _parse(token_der)

    imprint = info["message_imprint"]
    got_alg = _hash_name(imprint["hash_algorithm"])
    params = imprint["hash_algorithm"]["parameters"]
    if got_alg != hash_alg:
        raise ImprintMismatch(f"token stamps a {got_alg} digest, expected {hash_alg}")
    if params.native is not None:
        raise ImprintMismatch("message imprint algorithm has unexpected parameters")
    if imprint["hashed_message"].native != bytes(digest):
        raise ImprintMismatch("token stamps another digest")
    token_nonce = info["nonce"].native
    if nonce is not None and token_nonce != nonce:
        raise NonceMismatch(f"token nonce {token_nonce} differs from the request nonce {nonce}")

    token_certs = _token_certificates(signed_data)
    signer = _find_signer(signer_info, token_certs + extra_certs)

    attrs = _signed_attrs(signer_info)
    content_type = _single_attr(attrs, "content_type")
    if content_type.dotted != ID_CT_TSTINFO:  # type: ignore[attr-defined]
        raise SignedAttributesInvalid("content-type signed attribute is not id-ct-TSTInfo")
    message_digest = _single_attr(attrs, "message_digest").native  # type: ignore[attr-defined]
    digest_name = _hash_name(signer_info["digest_algorithm"])
    hash_cls = _signature_hash(digest_name)
    h = hashes.Hash(hash_cls())
    h.update(econtent)
    if message_digest != h.finalize():
        raise MessageDigestMismatch("message-digest attribute is not the digest of the TSTInfo")

    signed = b"\x31" + signer_info["signed_attrs"].dump()[1:]  # RFC 5652 §5.4: sign the SET OF, not the [0]
    _check_signature(signer, signer_info, signed, digest_name)
    _check_signing_certificate(attrs, signer)
    tsa_name = _tsa_name(info, signer)
    check_tsa_eku(signer)

    gen_time = info["gen_time"].native.astimezone(UTC)
    when = (at_time or gen_time).astimezone(UTC)
    if not signer.not_valid_before_utc <= when <= signer.not_valid_after_utc:
        raise CertificateNotValidAtTime(
            f"TSA certificate valid {signer.not_valid_before_utc.isoformat()} to "
            f"{signer.not_valid_after_utc.isoformat()}, not at {when.isoformat()}"
        )
    intermediates = [c for c in token_certs + extra_certs if c != signer]
    verify_chain(signer, intermediates, root_certs, when)

    return TokenInfo(
        gen_time=gen_time,
        serial=info["serial_number"].native,
        policy=info["policy"].dotted,
        tsa_name=tsa_name,
        hash_alg=got_alg,
        signer_cert_subject=signer.subject.rfc4514_string(),
        nonce=token_nonce,
        accuracy=_accuracy(info),
    )
