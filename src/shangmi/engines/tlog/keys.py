"""Ed25519 keys for C2SP signed notes: names, key IDs, verifier and signer key texts, the key file.

Specification: https://c2sp.org/signed-note (signature type 0x01, Ed25519), and the key encodings of
golang.org/x/mod/sumdb/note, which every signed-note tool reads.

A **key name** is non-empty and holds no Unicode space, no plus sign (U+002B) and no control character.
For a transparency log the key name is the log's origin, e.g. ``evidence.example.cn/log``.

The **key ID** is a big-endian uint32, the first four bytes of
``SHA-256(key name || 0x0A || 0x01 || 32-byte Ed25519 public key)``.

The **verifier key** (public, published beside the log) is one line::

    <name>+<key ID as 8 lower-case hex digits>+<base64(0x01 || 32-byte public key)>

The **signer key** (secret) is::

    PRIVATE+KEY+<name>+<key ID as 8 lower-case hex digits>+<base64(0x01 || 32-byte Ed25519 seed)>

Base64 is RFC 4648 §4 with padding; parsers accept only its canonical form. Parsing checks the key ID
against the key, so a verifier key with a typo is refused rather than silently never matching.

The signer key lives in a file readable by its owner only (mode 0600), or comes from the environment;
see :func:`load_or_create_signer`.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from .b64 import Base64Error, b64decode_canonical, b64encode

SIGNATURE_TYPE_ED25519 = 0x01
ED25519_KEY_SIZE = 32
ED25519_SIGNATURE_SIZE = 64
SIGNER_KEY_PREFIX = "PRIVATE+KEY+"
MAX_KEY_FILE_BYTES = 4096
_KEY_ID_HEX = re.compile(r"[0-9a-f]{8}", re.ASCII)


class KeyFormatError(ValueError):
    """A key name, verifier key or signer key text is malformed; the message names the part."""


class KeyFileError(RuntimeError):
    """The signer key file (or environment value) cannot be used; the message names the file and why."""


def key_name_problem(name: str) -> str | None:
    """Why ``name`` is not a valid key name, or None when it is valid."""
    if not isinstance(name, str):
        return f"must be text, got {type(name).__name__}"
    if name == "":
        return "is empty"
    for ch in name:
        if ch == "+":
            return "contains a plus sign '+'"
        if ch.isspace():
            return f"contains a space character U+{ord(ch):04X}"
        if ord(ch) < 0x20:
            return f"contains the control character U+{ord(ch):04X}"
        if 0xD800 <= ord(ch) <= 0xDFFF:
            return "is not valid Unicode (lone surrogate)"
    return None


def is_valid_key_name(name: str) -> bool:
    """True when ``name`` is non-empty, without Unicode spaces, plus signs or control characters."""
    return key_name_problem(name) is None


def check_key_name(name: str) -> str:
    """Return ``name`` or raise :class:`KeyFormatError` naming what is wrong with it."""
    problem = key_name_problem(name)
    if problem is not None:
        raise KeyFormatError(f"key name {name!r} {problem}")
    return name


def key_id(name: str, encoded_public_key: bytes) -> int:
    """The uint32 key ID: SHA-256(name || 0x0A || encoded_public_key)[:4], big-endian.

    ``encoded_public_key`` includes the signature type byte (0x01 || 32 bytes for Ed25519).
    """
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + encoded_public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode_canonical(text: str, what: str) -> bytes:
    try:
        return b64decode_canonical(text)
    except Base64Error as error:
        raise KeyFormatError(f"{what} is {error}") from None


class Verifier:
    """An Ed25519 public key with its name and key ID; checks signatures on note texts."""

    __slots__ = ("_key", "key_id", "name", "public_key")

    def __init__(self, name: str, public_key: bytes) -> None:
        check_key_name(name)
        if not isinstance(public_key, bytes | bytearray) or len(public_key) != ED25519_KEY_SIZE:
            raise KeyFormatError(f"Ed25519 public key must be {ED25519_KEY_SIZE} bytes")
        self.name = name
        self.public_key = bytes(public_key)
        self.key_id = key_id(name, bytes([SIGNATURE_TYPE_ED25519]) + self.public_key)
        try:
            self._key = Ed25519PublicKey.from_public_bytes(self.public_key)
        except ValueError as exc:  # pragma: no cover - every 32-byte string is accepted by cryptography
            raise KeyFormatError(f"invalid Ed25519 public key: {exc}") from None

    def verify(self, message: bytes, signature: bytes) -> bool:
        """True when ``signature`` (64 bytes, without the key ID) is valid for ``message``. Cost: one Ed25519 verify."""
        if len(signature) != ED25519_SIGNATURE_SIZE:
            return False
        try:
            self._key.verify(bytes(signature), bytes(message))
        except InvalidSignature:
            return False
        return True

    @property
    def verifier_key(self) -> str:
        """The verifier key text ``<name>+<key ID hex>+<base64(0x01 || public key)>``."""
        encoded = bytes([SIGNATURE_TYPE_ED25519]) + self.public_key
        return f"{self.name}+{self.key_id:08x}+{b64encode(encoded)}"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Verifier):
            return NotImplemented
        return (self.name, self.public_key) == (other.name, other.public_key)

    def __hash__(self) -> int:
        return hash((self.name, self.public_key))

    def __repr__(self) -> str:
        return f"Verifier({self.verifier_key!r})"


class Signer:
    """An Ed25519 private key with its name and key ID. ``repr`` never shows the secret."""

    __slots__ = ("_key", "_seed", "key_id", "name", "verifier")

    def __init__(self, name: str, seed: bytes) -> None:
        check_key_name(name)
        if not isinstance(seed, bytes | bytearray) or len(seed) != ED25519_KEY_SIZE:
            raise KeyFormatError(f"Ed25519 seed must be {ED25519_KEY_SIZE} bytes")
        self.name = name
        self._seed = bytes(seed)
        self._key = Ed25519PrivateKey.from_private_bytes(self._seed)
        public = self._key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        self.verifier = Verifier(name, public)
        self.key_id = self.verifier.key_id

    def sign(self, message: bytes) -> bytes:
        """The 64-byte Ed25519 signature of ``message`` (RFC 8032, deterministic)."""
        return self._key.sign(bytes(message))

    @property
    def verifier_key(self) -> str:
        """The public verifier key text to publish."""
        return self.verifier.verifier_key

    def signer_key(self) -> str:
        """The SECRET signer key text ``PRIVATE+KEY+<name>+<key ID hex>+<base64(0x01 || seed)>``."""
        encoded = bytes([SIGNATURE_TYPE_ED25519]) + self._seed
        return f"{SIGNER_KEY_PREFIX}{self.name}+{self.key_id:08x}+{b64encode(encoded)}"

    def __repr__(self) -> str:
        return f"Signer(name={self.name!r}, key_id=0x{self.key_id:08x})"


def _split_key_text(text: str, what: str) -> tuple[str, int, bytes]:
    """Split ``<name>+<hex8>+<base64>`` into name, stated key ID and decoded key bytes (type byte first)."""
    if not isinstance(text, str):
        raise KeyFormatError(f"{what} must be text, got {type(text).__name__}")
    parts = text.split("+", 2)  # the name holds no '+', base64 may
    if len(parts) != 3:
        raise KeyFormatError(f"{what} must have the form <name>+<8 hex digits>+<base64 key>")
    name, hex_id, key64 = parts
    problem = key_name_problem(name)
    if problem is not None:
        raise KeyFormatError(f"{what}: key name {name!r} {problem}")
    if not _KEY_ID_HEX.fullmatch(hex_id):
        raise KeyFormatError(f"{what}: key ID {hex_id!r} is not 8 lower-case hex digits")
    key = _b64decode_canonical(key64, f"{what}: key data")
    if not key:
        raise KeyFormatError(f"{what}: key data is empty")
    if key[0] != SIGNATURE_TYPE_ED25519:
        raise KeyFormatError(f"{what}: signature type 0x{key[0]:02x} is not supported (only 0x01, Ed25519)")
    if len(key) != 1 + ED25519_KEY_SIZE:
        raise KeyFormatError(f"{what}: Ed25519 key data must be 1 + {ED25519_KEY_SIZE} bytes, got {len(key)}")
    return name, int(hex_id, 16), key


def parse_verifier_key(text: str) -> Verifier:
    """Parse ``<name>+<key ID>+<base64(0x01 || public key)>``; the key ID must match the key."""
    name, stated_id, key = _split_key_text(text, "verifier key")
    verifier = Verifier(name, key[1:])
    if verifier.key_id != stated_id:
        raise KeyFormatError(
            f"verifier key: key ID {stated_id:08x} does not match the key (expected {verifier.key_id:08x})"
        )
    return verifier


def format_verifier_key(name: str, public_key: bytes) -> str:
    """The verifier key text for an Ed25519 public key."""
    return Verifier(name, public_key).verifier_key


def parse_signer_key(text: str) -> Signer:
    """Parse ``PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || seed)>``; the key ID must match the public key."""
    if not isinstance(text, str) or not text.startswith(SIGNER_KEY_PREFIX):
        raise KeyFormatError("signer key must start with 'PRIVATE+KEY+'")
    name, stated_id, key = _split_key_text(text[len(SIGNER_KEY_PREFIX) :], "signer key")
    signer = Signer(name, key[1:])
    if signer.key_id != stated_id:
        raise KeyFormatError(
            f"signer key: key ID {stated_id:08x} does not match the key (expected {signer.key_id:08x})"
        )
    return signer


def signer_from_seed(name: str, seed: bytes) -> Signer:
    """A signer from a 32-byte Ed25519 seed (for reproducible examples and tests)."""
    return Signer(name, seed)


def generate_signer(name: str) -> tuple[str, str]:
    """A new random Ed25519 key: ``(signer key text, verifier key text)``. Keep the first secret."""
    signer = Signer(check_key_name(name), secrets.token_bytes(ED25519_KEY_SIZE))
    return signer.signer_key(), signer.verifier_key


def _expect_name(signer: Signer, name: str, source: str) -> Signer:
    if signer.name != name:
        raise KeyFileError(f"{source} holds the key of {signer.name!r}, but the log origin is {name!r}")
    return signer


def _read_key_file(path: Path, name: str) -> Signer:
    """Read and check an existing key file. Raises FileNotFoundError when there is none."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise KeyFileError(f"signer key file {path} is not a regular file")
        mode = stat.S_IMODE(st.st_mode)
        if mode & 0o077:
            raise KeyFileError(
                f"signer key file {path} has mode {mode:04o}: it must not be readable or writable by "
                f"group or others; run `chmod 600 {path}` after checking nobody copied it"
            )
        if st.st_size > MAX_KEY_FILE_BYTES:
            raise KeyFileError(f"signer key file {path} is {st.st_size} bytes; a key file is one short line")
        data = os.read(fd, MAX_KEY_FILE_BYTES + 1)
    finally:
        os.close(fd)
    try:
        text = data.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise KeyFileError(f"signer key file {path} is not UTF-8 text") from None
    try:
        signer = parse_signer_key(text)
    except KeyFormatError as exc:
        raise KeyFileError(f"signer key file {path}: {exc}") from None
    return _expect_name(signer, name, f"signer key file {path}")


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_new(path: Path, data: bytes) -> None:
    """Create ``path`` exclusively with mode 0600, write ``data`` and fsync it."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    finally:
        os.close(fd)


def _create_key_file(path: Path, name: str) -> Signer:
    """Write a new key so that ``path`` is either absent or complete: temp file, fsync, link, fsync dir."""
    directory = path.parent
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    skey, _ = generate_signer(name)
    data = (skey + "\n").encode("ascii")
    tmp = directory / f".{path.name}.{os.getpid()}.{secrets.token_hex(6)}.tmp"
    _write_new(tmp, data)
    try:
        try:
            os.link(tmp, path)  # atomic, never replaces an existing file
        except FileExistsError:
            # Another process created the key first: use that one, so there is only ever one key.
            try:
                return _read_key_file(path, name)
            except FileNotFoundError:
                raise KeyFileError(f"signer key file {path} is a link to a missing file") from None
        except OSError as exc:
            if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
                raise
            _write_new(path, data)  # file systems without hard links: O_EXCL on the final name
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    _fsync_dir(directory)
    return _read_key_file(path, name)


def load_or_create_signer(path: str | os.PathLike[str], name: str, env_value: str | None = None) -> Signer:
    """The log's signer: from ``env_value`` if given, else from the key file at ``path``, else a new key.

    - ``env_value`` (e.g. the value of an environment variable) is a signer key text; None or blank
      means "not given". The key file is then not touched.
    - An existing key file must be a regular file with no group/other permission bits (mode 0600 or
      0400); otherwise :class:`KeyFileError` says so and the file is left alone.
    - A missing key file is created with mode 0600: written to a temporary file, fsynced, hard-linked
      to ``path`` (never replacing a file another process created meanwhile) and the directory fsynced.
      A missing directory is created with mode 0700.

    The key's name must equal ``name`` (the log origin), else :class:`KeyFileError`.
    Cost: one small file read, or one key generation and two fsyncs on first run.
    """
    check_key_name(name)
    if env_value is not None and env_value.strip():
        try:
            signer = parse_signer_key(env_value.strip())
        except KeyFormatError as exc:
            raise KeyFileError(f"signer key from the environment: {exc}") from None
        return _expect_name(signer, name, "the signer key from the environment")
    key_path = Path(path)
    try:
        return _read_key_file(key_path, name)
    except FileNotFoundError:
        pass
    return _create_key_file(key_path, name)
