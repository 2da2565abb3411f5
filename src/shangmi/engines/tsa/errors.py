"""Typed errors of the RFC 3161 engine.

Two families share the base :class:`TsaError`:

* talking to a TSA (:mod:`.client`, :mod:`.response`): :class:`TsaUnavailable`, :class:`TsaRejected`,
  :class:`MalformedResponse` (and its :class:`ResponseMismatch`);
* verifying a token (:mod:`.verify`): :class:`TokenInvalid` and one subclass per check. Every subclass has a
  class attribute ``check`` naming the check that failed (a stable, machine-readable identifier that callers
  may show or record, e.g. ``"extended_key_usage"``).
"""

from __future__ import annotations


class TsaError(Exception):
    """Base of every error raised by :mod:`shangmi.engines.tsa`."""


# --- talking to a TSA -------------------------------------------------------------------------------------


class TsaUnavailable(TsaError):
    """The TSA could not be reached or did not answer with HTTP 200 (``http_status`` is None when unreached)."""

    def __init__(self, message: str, *, http_status: int | None = None) -> None:
        super().__init__(message)
        self.http_status = http_status


class TsaRejected(TsaError):
    """The TSA answered with a PKIStatus other than granted / grantedWithMods.

    ``status`` is the PKIStatus integer (2 rejection, 3 waiting, 4 revocationWarning, 5 revocationNotification),
    ``status_name`` its RFC 3161 name, ``failure_info`` the set of PKIFailureInfo bit names that were set
    (e.g. ``{"bad_alg"}``) and ``status_text`` the TSA's free text, if any.
    """

    def __init__(
        self,
        status: int,
        failure_info: frozenset[str] = frozenset(),
        *,
        status_name: str = "",
        status_text: str = "",
    ) -> None:
        detail = f"TSA refused the request: status {status} ({status_name or 'unknown'})"
        if failure_info:
            detail += f", failure info {', '.join(sorted(failure_info))}"
        if status_text:
            detail += f": {status_text}"
        super().__init__(detail)
        self.status = status
        self.status_name = status_name
        self.failure_info = frozenset(failure_info)
        self.status_text = status_text


class MalformedResponse(TsaError):
    """The TSA's answer is not a well-formed ``application/timestamp-reply`` TimeStampResp."""


class ResponseMismatch(MalformedResponse):
    """The reply is well formed but answers another request (nonce or message imprint differ)."""


# --- verifying a token -------------------------------------------------------------------------------------


class TokenInvalid(TsaError):
    """A timestamp token failed verification; ``check`` names the failed check."""

    check = "token"


class MalformedToken(TokenInvalid):
    """Not a CMS ContentInfo holding SignedData with exactly one SignerInfo, or TSTInfo does not parse."""

    check = "structure"


class ContentTypeMismatch(TokenInvalid):
    """The encapsulated content type is not id-ct-TSTInfo (1.2.840.113549.1.9.16.1.4)."""

    check = "content_type"


class UnsupportedAlgorithm(TokenInvalid):
    """A digest, signature algorithm or key type the verifier does not accept."""

    check = "algorithm"


class ImprintMismatch(TokenInvalid):
    """TSTInfo.messageImprint differs from the expected digest or hash algorithm."""

    check = "message_imprint"


class NonceMismatch(TokenInvalid):
    """TSTInfo.nonce is absent or differs from the nonce of the request."""

    check = "nonce"


class SignerNotFound(TokenInvalid):
    """No certificate (in the token or supplied) matches the SignerInfo's signer identifier."""

    check = "signer_certificate"


class SignedAttributesInvalid(TokenInvalid):
    """Signed attributes missing, duplicated, or content-type attribute not id-ct-TSTInfo."""

    check = "signed_attributes"


class MessageDigestMismatch(TokenInvalid):
    """The message-digest signed attribute is not the digest of the encapsulated TSTInfo."""

    check = "message_digest"


class SignatureInvalid(TokenInvalid):
    """The signature over the DER of the signed attributes does not verify with the signer's key."""

    check = "signature"


class SigningCertificateMismatch(TokenInvalid):
    """ESSCertID / ESSCertIDv2 (signing-certificate attribute) absent or not matching the signer certificate."""

    check = "signing_certificate"


class TsaNameMismatch(TokenInvalid):
    """TSTInfo.tsa is a directory name other than the signer certificate's subject (RFC 3161 §2.4.2)."""

    check = "tsa_name"


class ExtendedKeyUsageInvalid(TokenInvalid):
    """The signer certificate lacks a critical EKU extension holding only id-kp-timeStamping (RFC 3161 §2.3)."""

    check = "extended_key_usage"


class CertificateNotValidAtTime(TokenInvalid):
    """The signer certificate was expired or not yet valid at the token's genTime (or the given time)."""

    check = "validity"


class ChainUntrusted(TokenInvalid):
    """No valid certification path from the signer certificate to one of the configured roots."""

    check = "chain"
