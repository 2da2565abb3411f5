"""A real RFC 3161 test TSA for the test suite: ``openssl ts -reply`` behind a tiny HTTP server.

Usage (any test; nothing here imports Django)::

    from shangmi.engines.tsa.testing import TestTsa

    with TestTsa("ec") as tsa:                       # or "rsa" (2048) / "ec384"
        resp = fetch_token(tsa.url, digest)          # real HTTP POST, real openssl signature
        info = verify_token(resp.token, digest=digest, roots=[tsa.root_pem])
        assert tsa.openssl_verify(resp.token, digest)

Each instance builds, in its own temporary directory and with the ``openssl`` CLI only, a root CA, an
intermediate CA and a TSA certificate (critical EKU id-kp-timeStamping), writes a ``[tsa]`` config section,
and serves ``POST /`` on 127.0.0.1 (ephemeral port). Calls to ``openssl`` are serialised per instance by a
lock and bounded by ``OPENSSL_TIMEOUT`` seconds. ``close()`` (or leaving the ``with`` block) stops the server
and deletes every file. Set-up costs ~0.1 s for "ec", ~0.5 s for "rsa"; each stamp ~20 ms.

For negative tests:

* ``TestTsa(..., tsa_not_before=..., tsa_not_after=...)`` issues an expired / not-yet-valid TSA certificate;
* ``TestTsa(..., intermediate_eku="serverAuth")`` puts an EKU extension on the intermediate CA;
* ``TestTsa(..., digests=("sha512",))`` makes openssl reject other hash algorithms (PKIStatus rejection, badAlg);
* ``tsa.fault = "http_500" | "content_type" | "garbage" | "replay"`` makes the server misbehave;
* ``tsa.issue_certificate(eku=...)`` issues another certificate under the same intermediate, and
  :func:`resign_token` re-signs a token with it (OpenSSL itself refuses to sign without the timeStamping EKU,
  and cannot sign with RSA-PSS), so a token can be otherwise perfect yet signed by a wrong certificate.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from asn1crypto import core

from .request import build_request
from .response import parse_response
from .testing_resign import resign_token

OPENSSL = "openssl"
OPENSSL_TIMEOUT = 20
MAX_QUERY_BYTES = 64 * 1024
# Server misbehaviours for tests: HTTP 500; a good reply labelled text/html; a truncated body labelled as a
# reply; the previous reply again (wrong nonce).
FAULTS = (None, "http_500", "content_type", "garbage", "replay")

_KEY_ARGS = {
    "rsa": ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"],
    "ec": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
    "ec384": ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"],
}
_MD = {"rsa": "sha256", "ec": "sha256", "ec384": "sha384"}

# EKU variants for issue_certificate(); "timeStamping" (critical, alone) is the only RFC 3161 conformant one.
EKU_VALUES = {
    "timeStamping": "critical, timeStamping",
    "timeStamping-noncritical": "timeStamping",
    "timeStamping+codeSigning": "critical, timeStamping, codeSigning",
    "codeSigning": "critical, codeSigning",
    None: None,
}

_CONFIG = """\
[ req ]
distinguished_name = req_dn
prompt = no
[ req_dn ]
CN = unused

[ ca ]
default_ca = test_ca
[ test_ca ]
dir = {dir}
database = $dir/index.txt
new_certs_dir = $dir/newcerts
serial = $dir/ca-serial
default_md = {md}
policy = policy_any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ policy_any ]
commonName = supplied
organizationName = optional

[ ext_root ]
basicConstraints = critical, CA:true
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ ext_intermediate ]
basicConstraints = critical, CA:true, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ tsa ]
default_tsa = tsa_section
[ tsa_section ]
dir = {dir}
serial = $dir/tsa-serial
crypto_device = builtin
signer_cert = $dir/tsa.pem
certs = $dir/intermediate.pem
signer_key = $dir/tsa.key
signer_digest = {md}
default_policy = {policy}
other_policies = 1.2.3.4.5.6
digests = {digests}
accuracy = secs:1
clock_precision_digits = 3
ordering = no
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = {ess_alg}
"""

_LEAF_EXT = """
[ {name} ]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature, nonRepudiation
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
"""


def _asn1_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%y%m%d%H%M%SZ")


class TestTsa:
    """A running test TSA; use as a context manager (see the module docstring)."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        key_type: str = "rsa",
        *,
        digests: Sequence[str] = ("sha256", "sha384", "sha512"),
        policy: str = "1.2.3.4.1",
        ess_cert_id_alg: str = "sha256",
        tsa_not_before: datetime | None = None,
        tsa_not_after: datetime | None = None,
        name: str = "Shangmi Test",
        intermediate_eku: str | None = None,
    ) -> None:
        if key_type not in _KEY_ARGS:
            raise ValueError(f"key_type must be one of {', '.join(_KEY_ARGS)}")
        self.key_type = key_type
        self.policy = policy
        self._fault: str | None = None
        self._digests = ", ".join(digests)
        self._ess_alg = ess_cert_id_alg
        self._name = name
        self._intermediate_eku = intermediate_eku
        self._tsa_subject = f"/O={name}/CN={name} TSA"
        now = datetime.now(UTC)
        self._tsa_not_before = tsa_not_before or now - timedelta(hours=1)
        self._tsa_not_after = tsa_not_after or now + timedelta(days=365)
        self._lock = threading.Lock()
        self._dir: Path | None = None
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._last_reply: bytes | None = None
        self._leaf_count = 0

    @property
    def fault(self) -> str | None:
        """How the HTTP server misbehaves: one of :data:`FAULTS` (None: it behaves)."""
        return self._fault

    @fault.setter
    def fault(self, value: str | None) -> None:
        if value not in FAULTS:
            raise ValueError(f"fault must be one of {FAULTS}")
        self._fault = value

    # --- lifecycle -------------------------------------------------------------------------------------

    def __enter__(self) -> TestTsa:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Create the PKI and start the HTTP server (idempotent)."""
        if self._server is not None:
            return
        self._dir = Path(tempfile.mkdtemp(prefix="shangmi-tsa-"))
        try:
            self._make_pki()
            self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
            self._server.daemon_threads = True
            self._thread = threading.Thread(
                target=self._server.serve_forever, args=(0.05,), name="test-tsa", daemon=True
            )
            self._thread.start()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Stop the server and delete the temporary directory."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    # --- public attributes -----------------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self._server is not None, "TestTsa not started"
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}/"

    @property
    def dir(self) -> Path:
        assert self._dir is not None, "TestTsa not started"
        return self._dir

    @property
    def ca_file(self) -> str:
        """Path of the root certificate (PEM), for ``-CAfile`` style consumers."""
        return str(self.dir / "root.pem")

    @property
    def root_pem(self) -> bytes:
        return (self.dir / "root.pem").read_bytes()

    @property
    def intermediate_pem(self) -> bytes:
        return (self.dir / "intermediate.pem").read_bytes()

    @property
    def tsa_cert_pem(self) -> bytes:
        return (self.dir / "tsa.pem").read_bytes()

    @property
    def tsa_key_pem(self) -> bytes:
        return (self.dir / "tsa.key").read_bytes()

    @property
    def chain_pem(self) -> bytes:
        """TSA certificate followed by the intermediate: what ``-untrusted`` needs."""
        return self.tsa_cert_pem + self.intermediate_pem

    # --- openssl -----------------------------------------------------------------------------------------

    def _openssl(self, *args: str, input: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        with self._lock:
            return subprocess.run(
                [OPENSSL, *args],
                input=input,
                capture_output=True,
                timeout=OPENSSL_TIMEOUT,
                cwd=self.dir,
                check=False,
            )

    def _must(self, *args: str) -> bytes:
        done = self._openssl(*args)
        if done.returncode != 0:
            raise RuntimeError(f"openssl {args[0]} failed: {done.stderr.decode(errors='replace')}")
        return done.stdout

    def _genkey(self, path: Path, key_type: str | None = None) -> None:
        self._must("genpkey", *_KEY_ARGS[key_type or self.key_type], "-out", str(path))

    def _issue(
        self,
        *,
        subject: str,
        key: Path,
        out: Path,
        extensions: str,
        not_before: datetime,
        not_after: datetime,
        issuer: str | None,
    ) -> None:
        csr = out.with_suffix(".csr")
        self._must(
            "req", "-new", "-config", "openssl.cnf", "-key", str(key), "-subj", subject, "-out", str(csr)
        )
        signing = (
            ["-selfsign", "-keyfile", str(key)]
            if issuer is None
            else ["-cert", f"{issuer}.pem", "-keyfile", f"{issuer}.key"]
        )
        self._must(
            "ca", "-batch", "-notext", "-config", "openssl.cnf", *signing,
            "-extensions", extensions, "-startdate", _asn1_time(not_before), "-enddate", _asn1_time(not_after),
            "-subj", subject, "-in", str(csr), "-out", str(out),
        )  # fmt: skip
        csr.unlink()

    def _make_pki(self) -> None:
        d = self.dir
        (d / "newcerts").mkdir()
        (d / "index.txt").write_text("")
        # Positive 16-byte serials (first byte < 0x80), as RFC 5280 asks.
        (d / "ca-serial").write_text(f"{secrets.randbelow(0x7F) + 1:02X}{secrets.token_hex(15).upper()}\n")
        (d / "tsa-serial").write_text("01\n")
        config = _CONFIG.format(
            dir=d, md=_MD[self.key_type], policy=self.policy, digests=self._digests, ess_alg=self._ess_alg
        )
        if self._intermediate_eku:  # e.g. "timeStamping", as dedicated timestamping CAs carry
            config = config.replace(
                "[ ext_intermediate ]\n",
                f"[ ext_intermediate ]\nextendedKeyUsage = {self._intermediate_eku}\n",
            )
        config += _LEAF_EXT.format(name="ext_tsa") + "extendedKeyUsage = critical, timeStamping\n"
        (d / "openssl.cnf").write_text(config)
        now = datetime.now(UTC)
        for name, ext, issuer, cn in (
            ("root", "ext_root", None, "Root CA"),
            ("intermediate", "ext_intermediate", "root", "Intermediate CA"),
        ):
            self._genkey(d / f"{name}.key")
            self._issue(
                subject=f"/O={self._name}/CN={self._name} {cn}",
                key=d / f"{name}.key",
                out=d / f"{name}.pem",
                extensions=ext,
                not_before=now - timedelta(days=30),
                not_after=now + timedelta(days=3650),
                issuer=issuer,
            )
        self._genkey(d / "tsa.key")
        self._issue(
            subject=self._tsa_subject,
            key=d / "tsa.key",
            out=d / "tsa.pem",
            extensions="ext_tsa",
            not_before=self._tsa_not_before,
            not_after=self._tsa_not_after,
            issuer="intermediate",
        )
        (d / "untrusted.pem").write_bytes(self.chain_pem)

    def issue_certificate(
        self,
        *,
        eku: str | None = "timeStamping",
        key_type: str | None = None,
        not_before: datetime | None = None,
        not_after: datetime | None = None,
        subject: str | None = None,
    ) -> tuple[bytes, bytes]:
        """Issue another end-entity certificate under the intermediate; return ``(key_pem, cert_pem)``.

        ``eku`` is a key of :data:`EKU_VALUES` (None: no EKU extension at all). The subject defaults to the
        TSA's own (so TSTInfo.tsa still names the signer), with a fresh serial number and key.
        """
        self._leaf_count += 1
        name = f"extra{self._leaf_count}"
        section = _LEAF_EXT.format(name=f"ext_{name}")
        if EKU_VALUES[eku] is not None:
            section += f"extendedKeyUsage = {EKU_VALUES[eku]}\n"
        with (self.dir / "openssl.cnf").open("a") as cnf:
            cnf.write(section)
        now = datetime.now(UTC)
        self._genkey(self.dir / f"{name}.key", key_type)
        self._issue(
            subject=subject or self._tsa_subject,
            key=self.dir / f"{name}.key",
            out=self.dir / f"{name}.pem",
            extensions=f"ext_{name}",
            not_before=not_before or now - timedelta(hours=1),
            not_after=not_after or now + timedelta(days=365),
            issuer="intermediate",
        )
        return (self.dir / f"{name}.key").read_bytes(), (self.dir / f"{name}.pem").read_bytes()

    def reply(self, query_der: bytes) -> bytes:
        """Run ``openssl ts -reply`` on a DER query; return the DER TimeStampResp (no HTTP involved)."""
        if len(query_der) > MAX_QUERY_BYTES:
            raise ValueError("query too large")
        with tempfile.NamedTemporaryFile(dir=self.dir, suffix=".tsq", delete=False) as q:
            q.write(query_der)
        out = Path(q.name).with_suffix(".tsr")
        try:
            done = self._openssl(
                "ts", "-reply", "-config", "openssl.cnf", "-section", "tsa_section",
                "-queryfile", q.name, "-out", str(out),
            )  # fmt: skip
            if done.returncode != 0 or not out.exists():
                raise RuntimeError(f"openssl ts -reply failed: {done.stderr.decode(errors='replace')}")
            return out.read_bytes()
        finally:
            Path(q.name).unlink(missing_ok=True)
            out.unlink(missing_ok=True)

    def stamp(self, digest: bytes, hash_alg: str = "sha256", nonce: int | None = None) -> tuple[bytes, int]:
        """Stamp ``digest`` without HTTP; return ``(token_der, nonce)``. Raises if openssl did not grant."""
        query, nonce = build_request(digest, hash_alg, nonce)
        return parse_response(self.reply(query), digest=digest, hash_alg=hash_alg, nonce=nonce).token, nonce

    def openssl_verify(
        self, token_or_reply_der: bytes, data_digest: bytes, *, ca_file: str | None = None
    ) -> bool:
        """``openssl ts -verify -digest <hex>`` against this TSA's root (or ``ca_file``); True when it says OK.

        Accepts either a bare token (CMS ContentInfo; ``-token_in`` is added) or a whole TimeStampResp.
        OpenSSL judges certificate validity at the current time, not at genTime.
        """
        is_token = _looks_like_token(token_or_reply_der)
        with tempfile.NamedTemporaryFile(dir=self.dir, suffix=".der", delete=False) as f:
            f.write(token_or_reply_der)
        untrusted = self.dir / "untrusted.pem"
        try:
            done = self._openssl(
                "ts", "-verify", "-digest", data_digest.hex(), "-in", f.name, *(["-token_in"] if is_token else []),
                "-CAfile", ca_file or self.ca_file, "-untrusted", str(untrusted),
            )  # fmt: skip
        finally:
            Path(f.name).unlink(missing_ok=True)
        return done.returncode == 0 and b"Verification: OK" in done.stdout

    def openssl_cms_verify(self, token_der: bytes) -> bool:
        """``openssl cms -verify -purpose timestampsign``: the CMS signature and chain only (no imprint check).

        Unlike ``openssl ts -verify`` (PKCS#7 code) this understands RSASSA-PSS, so it cross-checks PSS tokens.
        """
        with tempfile.NamedTemporaryFile(dir=self.dir, suffix=".der", delete=False) as f:
            f.write(token_der)
        try:
            done = self._openssl(
                "cms", "-verify", "-inform", "DER", "-in", f.name, "-CAfile", self.ca_file,
                "-certfile", str(self.dir / "untrusted.pem"), "-purpose", "timestampsign", "-out", os.devnull,
            )  # fmt: skip
        finally:
            Path(f.name).unlink(missing_ok=True)
        return done.returncode == 0

    # --- HTTP ----------------------------------------------------------------------------------------------

    def _serve(self, query: bytes) -> tuple[int, str, bytes]:
        fault = self.fault
        if fault == "http_500":
            return 500, "text/plain", b"internal error"
        if fault == "replay" and self._last_reply is not None:
            return 200, "application/timestamp-reply", self._last_reply
        try:
            body = self.reply(query)
        except (RuntimeError, ValueError, subprocess.TimeoutExpired) as exc:
            return 400, "text/plain", str(exc).encode()
        self._last_reply = body
        if fault == "content_type":
            return 200, "text/html", body
        if fault == "garbage":
            return 200, "application/timestamp-reply", b"\x30\x03\x02\x01" + body[:8]
        return 200, "application/timestamp-reply", body


def _handler_for(tsa: TestTsa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        timeout = 10

        def do_POST(self) -> None:  # noqa: N802 - http.server naming
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = 0
            if not 0 < length <= MAX_QUERY_BYTES:
                self._send(413, "text/plain", b"bad length")
                return
            if self.headers.get_content_type() != "application/timestamp-query":
                self._send(415, "text/plain", b"expected application/timestamp-query")
                return
            self._send(*tsa._serve(self.rfile.read(length)))

        def _send(self, status: int, content_type: str, body: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - quiet test output
            pass

    return Handler


def _looks_like_token(der: bytes) -> bool:
    """A ContentInfo starts with an OID; a TimeStampResp starts with the PKIStatusInfo SEQUENCE."""
    try:
        outer = core.Sequence.load(der)
        first = outer[0]
    except (ValueError, IndexError, TypeError):
        return False
    return first.tag == 6 and first.class_ == 0


__all__ = ["EKU_VALUES", "TestTsa", "resign_token"]
