"""RFC 3161 §2.4.2 TimeStampResp: parse a TSA's reply, check its status and that it answers our request.

This does not verify the token's signature or certificates; that is :func:`shangmi.engines.tsa.verify.verify_token`.
Cost: one DER parse of the reply (a few KB); no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import cms, core, tsp

from .errors import MalformedResponse, ResponseMismatch, TsaRejected

ID_CT_TSTINFO = "1.2.840.113549.1.9.16.1.4"
GRANTED = frozenset({0, 1})  # granted, grantedWithMods

STATUS_NAMES = {
    0: "granted",
    1: "grantedWithMods",
    2: "rejection",
    3: "waiting",
    4: "revocationWarning",
    5: "revocationNotification",
}


class _TimeStampResp(core.Sequence):
    # asn1crypto 1.5's tsp.TimeStampResp wrongly makes timeStampToken mandatory; RFC 3161 §2.4.2 has it
    # OPTIONAL (absent on rejection).
    _fields = [
        ("status", tsp.PKIStatusInfo),
        ("time_stamp_token", cms.ContentInfo, {"optional": True}),
    ]


@dataclass(frozen=True, slots=True)
class TimestampResponse:
    """A granted reply: ``token`` is the DER TimeStampToken (CMS ContentInfo) to store and verify later."""

    token: bytes
    status: int
    nonce: int | None
    serial: int
    gen_time: datetime
    hash_alg: str
    response_der: bytes


def _failure_bits(status_info: tsp.PKIStatusInfo) -> frozenset[str]:
    fail_info = status_info["fail_info"]
    if fail_info.native is None:
        return frozenset()
    return frozenset(name for name in fail_info.native if isinstance(name, str))


def _status_text(status_info: tsp.PKIStatusInfo) -> str:
    text = status_info["status_string"]
    if text.native is None:
        return ""
    return "; ".join(str(part) for part in text.native)


def token_tst_info(token: cms.ContentInfo) -> tsp.TSTInfo:
    """The TSTInfo inside a parsed token; raises ``ValueError`` if the token does not hold one."""
    if token["content_type"].native != "signed_data":
        raise ValueError("token content type is not signedData")
    encap = token["content"]["encap_content_info"]
    if encap["content_type"].dotted != ID_CT_TSTINFO:
        raise ValueError("token does not encapsulate id-ct-TSTInfo")
    content = encap["content"]
    if content.native is None:
        raise ValueError("token has no encapsulated content")
    info = tsp.TSTInfo.load(content.contents, strict=True)
    info.native  # noqa: B018 - force a full parse so errors surface here
    return info


def parse_response(
    der: bytes,
    *,
    digest: bytes | None = None,
    hash_alg: str = "sha256",
    nonce: int | None = None,
) -> TimestampResponse:
    """Parse a DER TimeStampResp and return the granted token.

    Raises :class:`TsaRejected` for any status but granted / grantedWithMods, :class:`MalformedResponse` if the
    DER, the status or the token does not parse, and :class:`ResponseMismatch` when ``digest`` / ``nonce`` are
    given and the token's messageImprint or nonce differ (RFC 3161 §2.4.2: the requester must check both).
    """
    try:
        resp = _TimeStampResp.load(bytes(der), strict=True)
        status_info = resp["status"]
        status = _status_int(status_info)
    except (ValueError, TypeError, KeyError) as exc:
        raise MalformedResponse(f"reply is not a DER TimeStampResp: {exc}") from exc
    if status not in GRANTED:
        raise TsaRejected(
            status,
            _failure_bits(status_info),
            status_name=STATUS_NAMES.get(status, "unknown"),
            status_text=_status_text(status_info),
        )
    token = resp["time_stamp_token"]
    if token.native is None:
        raise MalformedResponse(f"status {STATUS_NAMES[status]} but the reply carries no timeStampToken")
    try:
        info = token_tst_info(token)
        imprint = info["message_imprint"]
        got_alg = imprint["hash_algorithm"]["algorithm"].native
        got_digest = imprint["hashed_message"].native
        got_nonce = info["nonce"].native
        serial = info["serial_number"].native
        gen_time = info["gen_time"].native.astimezone(UTC)
        token_der = token.dump()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise MalformedResponse(f"timeStampToken does not parse: {exc}") from exc
    if digest is not None and (got_alg != hash_alg or got_digest != bytes(digest)):
        raise ResponseMismatch("reply's message imprint differs from the request's")
    if nonce is not None and got_nonce != nonce:
        raise ResponseMismatch(f"reply's nonce {got_nonce} differs from the request's {nonce}")
    return TimestampResponse(
        token=token_der,
        status=status,
        nonce=got_nonce,
        serial=serial,
        gen_time=gen_time,
        hash_alg=got_alg,
        response_der=bytes(der),
    )


def _status_int(status_info: tsp.PKIStatusInfo) -> int:
    # asn1crypto maps known values to names; go back to the integer so unknown values survive.
    value = status_info["status"]
    return int.from_bytes(value.contents, "big", signed=True)
