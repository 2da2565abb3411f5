"""C2SP signed notes (https://c2sp.org/signed-note) with Ed25519 signatures.

A signed note is::

    <text, one or more lines, ending in a newline>
    <a blank line>
    — <key name> <base64(4-byte big-endian key ID || signature)>
    — <key name> <base64(...)>            (one or more signature lines)

The whole note is UTF-8 with no control character but newline. The text includes its final newline,
not the blank line; it may itself contain blank lines, because the *last* blank line of the note
separates text and signatures. Each signature line is em dash (U+2014), space, key name, space,
canonical padded base64, newline.

Opening a note (:func:`open_note`) follows the specification's rules:

- signatures whose (key name, key ID) pair is not a known verifier are ignored;
- a signature by a known key must verify, otherwise the whole note is rejected
  (:class:`InvalidSignatureError`);
- at least one known key must have signed, otherwise :class:`UnverifiedNoteError`;
- notes larger than ``max_bytes`` (default 1 MiB) or with more than ``max_signatures`` (default 100;
  the specification asks to accept at least 16) are rejected as malformed.

The text MUST be ignored unless :func:`open_note` returned it.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from .b64 import Base64Error, b64decode_canonical
from .keys import Signer, Verifier, key_name_problem

MAX_NOTE_BYTES = 1 << 20
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")


class NoteError(ValueError):
    """A signed note cannot be used; the subclass says why and the message names the line."""


class MalformedNoteError(NoteError):
    """The note does not follow the signed-note syntax (or exceeds the size limits)."""


class UnverifiedNoteError(NoteError):
    """No signature by a known key verified. ``note`` holds the parsed (untrusted) note when it parsed."""

    def __init__(self, message: str, note: ParsedNote | None = None) -> None:
        super().__init__(message)
        self.note = note


class InvalidSignatureError(UnverifiedNoteError):
    """A signature by a known key (matching name and key ID) failed to verify; the note is rejected."""


@dataclass(frozen=True)
class NoteSignature:
    """One signature line: key name, key ID and the signature bytes (without the key ID)."""

    name: str
    key_id: int
    signature: bytes

    @property
    def line(self) -> str:
        """The signature line without its newline."""
        blob = self.key_id.to_bytes(4, "big") + self.signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode('ascii')}"


@dataclass(frozen=True)
class ParsedNote:
    """A syntactically valid note whose signatures have NOT been checked."""

    text: str
    signatures: tuple[NoteSignature, ...]


class OpenedNote(NamedTuple):
    """A verified note: its text and the names of the known keys whose signatures verified."""

    text: str
    verified: list[str]


def _check_characters(note: str, what: str) -> None:
    """Reject control characters other than newline (and lone surrogates), naming the line."""
    found = _FORBIDDEN.search(note)
    if found is not None:
        code = ord(found.group())
        line = note.count("\n", 0, found.start()) + 1
        kind = "a lone surrogate" if code >= 0xD800 else "the control character"
        raise MalformedNoteError(f"{what} line {line} contains {kind} U+{code:04X}")


def _decode(note: str | bytes, max_bytes: int) -> str:
    if isinstance(note, bytes | bytearray | memoryview):
        raw = bytes(note)
        if len(raw) > max_bytes:
            raise MalformedNoteError(f"note is {len(raw)} bytes, more than the limit of {max_bytes}")
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedNoteError(f"note is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(note, str):
        raise TypeError(f"note must be str or bytes, not {type(note).__name__}")
    if len(note) > max_bytes or len(note.encode("utf-8", errors="surrogatepass")) > max_bytes:
        raise MalformedNoteError(f"note is more than the limit of {max_bytes} bytes")
    return note


def _parse_signature_line(line: str, number: int) -> NoteSignature:
    where = f"signature line {number}"
    if not line.startswith(SIGNATURE_PREFIX):
        raise MalformedNoteError(
            f"{where} does not start with an em dash (U+2014) and a space: {line[:40]!r}"
        )
    rest = line[len(SIGNATURE_PREFIX) :]
    parts = rest.split(" ")
    if len(parts) != 2:
        raise MalformedNoteError(f"{where} must be '\u2014 <key name> <base64 signature>'")
    name, b64 = parts
    problem = key_name_problem(name)
    if problem is not None:
        raise MalformedNoteError(f"{where}: key name {name!r} {problem}")
    try:
        blob = b64decode_canonical(b64)
    except Base64Error as error:
        raise MalformedNoteError(f"{where}: signature is {error}") from None
    if len(blob) < 5:
        raise MalformedNoteError(
            f"{where}: signature is {len(blob)} bytes; at least a 4-byte key ID and 1 byte"
        )
    return NoteSignature(name=name, key_id=int.from_bytes(blob[:4], "big"), signature=blob[4:])


def parse_note(
    note: str | bytes, *, max_bytes: int = MAX_NOTE_BYTES, max_signatures: int = MAX_SIGNATURES
) -> ParsedNote:
    """Split a signed note into text and signature lines without checking any signature.

    Raises :class:`MalformedNoteError` naming the problem. Cost: linear in the note size.
    """
    text_all = _decode(note, max_bytes)
    _check_characters(text_all, "note")
    split = text_all.rfind("\n\n")
    if split < 0:
        raise MalformedNoteError("note has no blank line between the text and the signatures")
    text, block = text_all[: split + 1], text_all[split + 2 :]
    if block == "":
        raise MalformedNoteError("note has no signature lines after the last blank line")
    if not block.endswith("\n"):
        raise MalformedNoteError("note does not end with a newline after the last signature line")
    lines = block[:-1].split("\n")
    if len(lines) > max_signatures:
        raise MalformedNoteError(f"note has {len(lines)} signatures, more than the limit of {max_signatures}")
    signatures = tuple(_parse_signature_line(line, i) for i, line in enumerate(lines, start=1))
    return ParsedNote(text=text, signatures=signatures)


def _verifier_map(verifiers: Verifier | Iterable[Verifier]) -> dict[tuple[str, int], Verifier]:
    items = [verifiers] if isinstance(verifiers, Verifier) else list(verifiers)
    known: dict[tuple[str, int], Verifier] = {}
    for v in items:
        if not isinstance(v, Verifier):
            raise TypeError(f"verifiers must be Verifier objects, not {type(v).__name__}")
        key = (v.name, v.key_id)
        if key in known and known[key] != v:
            raise NoteError(f"ambiguous verifiers: two different keys are named {v.name}+{v.key_id:08x}")
        known[key] = v
    return known


def open_note(
    note: str | bytes,
    verifiers: Verifier | Iterable[Verifier],
    *,
    max_bytes: int = MAX_NOTE_BYTES,
    max_signatures: int = MAX_SIGNATURES,
) -> OpenedNote:
    """Parse ``note`` and check its signatures against the known ``verifiers``.

    Returns the text and the names of the known keys that signed (each once, in note order).
    Raises :class:`MalformedNoteError`, :class:`InvalidSignatureError` (a known key's signature is bad)
    or :class:`UnverifiedNoteError` (no known key signed). Cost: parsing plus one Ed25519 verification
    per signature by a known key.
    """
    known = _verifier_map(verifiers)
    parsed = parse_note(note, max_bytes=max_bytes, max_signatures=max_signatures)
    message = parsed.text.encode("utf-8")
    verified: list[str] = []
    for number, sig in enumerate(parsed.signatures, start=1):
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            continue  # unknown key (possibly same name or same ID as a known one): ignored
        if not verifier.verify(message, sig.signature):
            raise InvalidSignatureError(
                f"signature line {number} by known key {sig.name}+{sig.key_id:08x} does not verify",
                parsed,
            )
        if sig.name not in verified:
            verified.append(sig.name)
    if not verified:
        names = ", ".join(sorted(f"{n}+{i:08x}" for n, i in known)) or "none"
        raise UnverifiedNoteError(f"note is not signed by any known key (known: {names})", parsed)
    return OpenedNote(text=parsed.text, verified=verified)


def check_note_text(text: str) -> str:
    """Return ``text`` if it can be the text of a signed note, else raise :class:`MalformedNoteError`."""
    if not isinstance(text, str):
        raise TypeError(f"note text must be str, not {type(text).__name__}")
    if not text.endswith("\n"):
        raise MalformedNoteError("note text must end with a newline")
    _check_characters(text, "note text")
    return text


def sign_note(text: str, *signers: Signer, max_bytes: int = MAX_NOTE_BYTES) -> str:
    """Sign ``text`` with each signer and return the signed note (text, blank line, signature lines).

    Raises :class:`MalformedNoteError` when the text does not end with a newline, holds a control
    character, or the note would exceed ``max_bytes``. Cost: one Ed25519 signature per signer.
    """
    if not signers:
        raise ValueError("sign_note needs at least one signer")
    check_note_text(text)
    message = text.encode("utf-8")
    lines = []
    for signer in signers:
        if not isinstance(signer, Signer):
            raise TypeError(f"signers must be Signer objects, not {type(signer).__name__}")
        sig = NoteSignature(name=signer.name, key_id=signer.key_id, signature=signer.sign(message))
        lines.append(sig.line + "\n")
    note = text + "\n" + "".join(lines)
    if len(note.encode("utf-8")) > max_bytes:
        raise MalformedNoteError(f"signed note would be more than the limit of {max_bytes} bytes")
    return note
