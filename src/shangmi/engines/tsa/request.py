"""RFC 3161 §2.4.1 TimeStampReq: build the DER a client POSTs as ``application/timestamp-query``.

Cost: one small DER encoding; no I/O.
"""

from __future__ import annotations

import secrets

from asn1crypto import tsp

# Digests we ask TSAs to stamp, with their output size in bytes. SHA-1 is not offered (RFC 5816 / weak).
HASH_SIZES: dict[str, int] = {"sha256": 32, "sha384": 48, "sha512": 64}

NONCE_BITS = 64


def check_digest(digest: bytes, hash_alg: str) -> None:
    """Raise ``ValueError`` unless ``hash_alg`` is supported and ``digest`` has its length."""
    if hash_alg not in HASH_SIZES:
        raise ValueError(f"hash_alg must be one of {', '.join(HASH_SIZES)}, not {hash_alg!r}")
    if not isinstance(digest, bytes | bytearray) or len(digest) != HASH_SIZES[hash_alg]:
        raise ValueError(f"digest must be {HASH_SIZES[hash_alg]} raw bytes for {hash_alg}")


def new_nonce() -> int:
    """A random positive nonce of at most 64 bits (never 0)."""
    return secrets.randbits(NONCE_BITS) or 1


def build_request(
    digest: bytes,
    hash_alg: str = "sha256",
    nonce: int | None = None,
    *,
    policy: str | None = None,
) -> tuple[bytes, int]:
    """Return ``(der, nonce)`` for a version-1 TimeStampReq over ``digest``.

    The request carries messageImprint (``hash_alg`` with NULL parameters, as OpenSSL and most TSAs send it),
    a nonce (random 64-bit unless given; must be a positive integer below 2**160), certReq TRUE so the token
    embeds the TSA certificate, and the optional ``policy`` OID (dotted string) as reqPolicy.
    Raises ``ValueError`` for an unsupported algorithm, a digest of the wrong size, or a bad nonce.
    """
    check_digest(digest, hash_alg)
    if nonce is None:
        nonce = new_nonce()
    elif isinstance(nonce, bool) or not isinstance(nonce, int) or not 0 < nonce < 2**160:
        raise ValueError("nonce must be a positive integer below 2**160")
    fields: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": {"algorithm": hash_alg}, "hashed_message": bytes(digest)},
        "nonce": nonce,
        "cert_req": True,
    }
    if policy is not None:
        fields["req_policy"] = policy
    return tsp.TimeStampReq(fields).dump(), nonce
