"""Ask an RFC 3161 TSA for a token over HTTP (RFC 3161 §3.4), with the standard library only.

Cost: one HTTP POST of ~80 bytes; the reply (a few KB, at most ``MAX_REPLY_BYTES``) is read into memory.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .errors import MalformedResponse, TsaUnavailable
from .request import build_request
from .response import TimestampResponse, parse_response

QUERY_TYPE = "application/timestamp-query"
REPLY_TYPE = "application/timestamp-reply"
MAX_REPLY_BYTES = 1 << 20
USER_AGENT = "shangmi-tsa/1"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A TSA answering with a redirect is misconfigured; following it would re-POST our query elsewhere.
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001, ANN201
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def post_query(url: str, query_der: bytes, *, timeout: float = 10) -> bytes:
    """POST a DER TimeStampReq to ``url`` and return the raw reply body.

    Raises :class:`TsaUnavailable` for an unreachable host, a timeout or any HTTP status but 200, and
    :class:`MalformedResponse` when the reply's content type is not ``application/timestamp-reply``
    or the body exceeds ``MAX_REPLY_BYTES``.
    """
    if urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"TSA URL must be http(s): {url!r}")
    req = urllib.request.Request(
        url,
        data=query_der,
        method="POST",
        headers={"Content-Type": QUERY_TYPE, "Accept": REPLY_TYPE, "User-Agent": USER_AGENT},
    )
    try:
        with _OPENER.open(req, timeout=timeout) as resp:
            status = resp.status
            content_type = resp.headers.get_content_type()
            body = resp.read(MAX_REPLY_BYTES + 1)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise TsaUnavailable(f"TSA {url} answered HTTP {exc.code}", http_status=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TsaUnavailable(f"TSA {url} unreachable: {reason}") from exc
    if status != 200:
        raise TsaUnavailable(f"TSA {url} answered HTTP {status}", http_status=status)
    if content_type != REPLY_TYPE:
        raise MalformedResponse(f"TSA {url} answered with content type {content_type!r}, not {REPLY_TYPE}")
    if len(body) > MAX_REPLY_BYTES:
        raise MalformedResponse(f"TSA {url} reply exceeds {MAX_REPLY_BYTES} bytes")
    return body


def fetch_token(
    url: str,
    digest: bytes,
    timeout: float = 10,
    *,
    hash_alg: str = "sha256",
    nonce: int | None = None,
    policy: str | None = None,
) -> TimestampResponse:
    """Request a timestamp over ``digest`` from the TSA at ``url``; return the granted reply.

    Builds the query with :func:`build_request` (random nonce unless given, certReq TRUE), posts it with
    :func:`post_query`, and parses the reply with :func:`parse_response`, which checks the PKIStatus and that
    the token answers this request (same imprint and nonce). The token's signature is NOT verified here;
    call :func:`shangmi.engines.tsa.verify.verify_token` on ``result.token`` before relying on it.

    Raises :class:`TsaUnavailable`, :class:`TsaRejected`, :class:`MalformedResponse` (incl.
    :class:`ResponseMismatch`); ``ValueError`` for a bad digest, algorithm or URL.
    """
    query, nonce = build_request(digest, hash_alg, nonce, policy=policy)
    body = post_query(url, query, timeout=timeout)
    return parse_response(body, digest=digest, hash_alg=hash_alg, nonce=nonce)
