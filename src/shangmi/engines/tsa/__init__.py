"""RFC 3161 timestamp requests, responses and token verification (issue 3).

Modules, one concept each; none imports Django:

* :mod:`.request`  — ``build_request(digest, hash_alg="sha256", nonce=None) -> (der, nonce)``
* :mod:`.client`   — ``fetch_token(url, digest, timeout=10) -> TimestampResponse`` over HTTP (urllib)
* :mod:`.response` — ``parse_response(der, digest=, nonce=)``: PKIStatus and request/reply matching
* :mod:`.verify`   — ``verify_token(token, digest=, roots=, nonce=, at_time=) -> TokenInfo``: CMS signature,
  imprint, ESSCertID(v2), timeStamping EKU, path to configured roots (RSA PKCS#1 v1.5 / PSS, ECDSA)
* :mod:`.errors`   — ``TsaError`` and its typed subclasses; verification errors carry ``.check``
* :mod:`.testing`  — ``TestTsa``: a real ``openssl ts -reply`` TSA over HTTP, for tests only
"""

from .client import fetch_token
from .errors import MalformedResponse, TokenInvalid, TsaError, TsaRejected, TsaUnavailable
from .request import build_request
from .response import TimestampResponse, parse_response
from .verify import TokenInfo, verify_token

__all__ = [
    "MalformedResponse",
    "TimestampResponse",
    "TokenInfo",
    "TokenInvalid",
    "TsaError",
    "TsaRejected",
    "TsaUnavailable",
    "build_request",
    "fetch_token",
    "parse_response",
    "verify_token",
]
