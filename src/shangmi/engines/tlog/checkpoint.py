"""C2SP transparency-log checkpoints, version 1.0.0 (https://c2sp.org/tlog-checkpoint), signed as notes.

The checkpoint is the text of a signed note (see :mod:`.note`), lines separated by newlines::

    <origin>                    the log identity, non-empty
    <tree size>                 ASCII decimal, no leading zeros ("0" for the empty tree)
    <root hash>                 canonical padded base64 of the 32-byte RFC 6962 root
    [<extension line>]...       optional, opaque, each non-empty

and ends with a newline. Extension lines are kept verbatim and signed with the rest; this module
never interprets them, and the log writes none (the specification does not recommend them).

The log signs with an Ed25519 key whose name equals the origin (:func:`sign_checkpoint` insists on
it); :func:`open_checkpoint` checks the signature, the expected origin and, by default, that the
verifier's key name is the origin. Signatures by other keys (witnesses, rotated keys) are ignored.

Implementation limits: tree size at most 2^63 - 1 (what Go's parsers read); a checkpoint note at
most :data:`~.note.MAX_NOTE_BYTES`.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

from .b64 import Base64Error, b64decode_canonical
from .hashing import HASH_SIZE
from .keys import Signer, Verifier
from .note import MAX_NOTE_BYTES, check_note_text, open_note, sign_note

MAX_TREE_SIZE = 2**63 - 1
_SIZE = re.compile(r"0|[1-9][0-9]*", re.ASCII)
_FORBIDDEN = re.compile("[\x00-\x1f\ud800-\udfff]")


class CheckpointError(ValueError):
    """The checkpoint text or its signature context is wrong; the message names the line or check."""


def _line_problem(value: object, what: str) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be text, got {type(value).__name__}"
    if value == "":
        return f"{what} is empty"
    found = _FORBIDDEN.search(value)
    if found is not None:
        return f"{what} contains the control character U+{ord(found.group()):04X}"
    return None


@dataclass(frozen=True)
class Checkpoint:
    """A log tree head: origin, tree size, root hash and opaque extension lines."""

    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        problem = _line_problem(self.origin, "origin")
        if problem is not None:
            raise CheckpointError(problem)
        if (
            not isinstance(self.size, int)
            or isinstance(self.size, bool)
            or not 0 <= self.size <= MAX_TREE_SIZE
        ):
            raise CheckpointError(f"tree size must be an integer from 0 to 2^63-1, got {self.size!r}")
        if not isinstance(self.root_hash, bytes | bytearray) or len(self.root_hash) != HASH_SIZE:
            got = len(self.root_hash) if isinstance(self.root_hash, bytes | bytearray) else self.root_hash
            raise CheckpointError(f"root hash must be {HASH_SIZE} bytes, got {got!r}")
        object.__setattr__(self, "root_hash", bytes(self.root_hash))
        if isinstance(self.extensions, str) or not isinstance(self.extensions, tuple | list):
            raise CheckpointError("extensions must be a tuple of lines")
        object.__setattr__(self, "extensions", tuple(self.extensions))
        for i, ext in enumerate(self.extensions, start=1):
            problem = _line_problem(ext, f"extension line {i}")
            if problem is not None:
                raise CheckpointError(problem)

    def format(self) -> str:
        """The checkpoint note text, ending with a newline."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root_hash).decode("ascii"),
            *self.extensions,
        ]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str) -> Checkpoint:
        """Parse checkpoint note text strictly; :class:`CheckpointError` names the offending line."""
        return parse_checkpoint(text)


def parse_checkpoint(text: str) -> Checkpoint:
    """Parse the text of a checkpoint note (without signatures). Cost: linear in its length."""
    if isinstance(text, bytes | bytearray):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CheckpointError(f"checkpoint is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(text, str):
        raise TypeError(f"checkpoint text must be str, not {type(text).__name__}")
    if len(text) > MAX_NOTE_BYTES:
        raise CheckpointError(f"checkpoint is more than {MAX_NOTE_BYTES} characters")
    if not text.endswith("\n"):
        raise CheckpointError("checkpoint must end with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(
            f"checkpoint has {len(lines)} lines; origin, tree size and root hash are required"
        )
    origin, size_text, root_text, *extensions = lines

    problem = _line_problem(origin, "line 1 (origin)")
    if problem is not None:
        raise CheckpointError(problem)
    if not _SIZE.fullmatch(size_text):
        why = (
            "has a leading zero" if re.fullmatch(r"0[0-9]+", size_text, re.ASCII) else "is not ASCII decimal"
        )
        raise CheckpointError(f"line 2 (tree size) {size_text[:30]!r} {why}")
    size = int(size_text)
    if size > MAX_TREE_SIZE:
        raise CheckpointError(f"line 2 (tree size) {size_text} is larger than 2^63-1")
    try:
        root = b64decode_canonical(root_text)
    except Base64Error as error:
        shown = f" {root_text[:60]!r}" if str(error) == "not valid base64" else ""
        raise CheckpointError(f"line 3 (root hash){shown} is {error}") from None
    if len(root) != HASH_SIZE:
        raise CheckpointError(f"line 3 (root hash) is {len(root)} bytes, expected {HASH_SIZE}")
    for i, ext in enumerate(extensions, start=4):
        problem = _line_problem(ext, f"line {i} (extension)")
        if problem is not None:
            raise CheckpointError(problem)
    return Checkpoint(origin=origin, size=size, root_hash=root, extensions=tuple(extensions))


def sign_checkpoint(checkpoint: Checkpoint, signer: Signer) -> str:
    """The signed checkpoint note. The signer's key name must be the checkpoint's origin.

    Cost: one Ed25519 signature.
    """
    if signer.name != checkpoint.origin:
        raise CheckpointError(
            f"the log key is named {signer.name!r} but the checkpoint origin is {checkpoint.origin!r}; "
            "they must be equal"
        )
    return sign_note(check_note_text(checkpoint.format()), signer)


def open_checkpoint(
    note: str | bytes,
    origin: str,
    verifier: Verifier,
    *,
    require_origin_key_name: bool = True,
) -> Checkpoint:
    """Verify a signed checkpoint from the log ``origin`` with the log's ``verifier`` key and parse it.

    Checks, in order: the verifier's key name is ``origin`` (unless ``require_origin_key_name`` is
    False, for logs such as sum.golang.org whose key name differs); the note's signature by that key
    (other signatures are ignored); the checkpoint syntax; the checkpoint's origin line is ``origin``.

    Raises :class:`~.note.NoteError` subclasses for signature problems and :class:`CheckpointError`
    for the rest. Cost: one Ed25519 verification (plus parsing).
    """
    if require_origin_key_name and verifier.name != origin:
        raise CheckpointError(f"the verifier key is named {verifier.name!r}, not the log origin {origin!r}")
    opened = open_note(note, [verifier])
    try:
        checkpoint = parse_checkpoint(opened.text)
    except CheckpointError as exc:
        raise CheckpointError(f"signed note is not a checkpoint: {exc}") from None
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint is from origin {checkpoint.origin!r}, expected {origin!r}")
    return checkpoint


__all__ = [
    "MAX_TREE_SIZE",
    "Checkpoint",
    "CheckpointError",
    "open_checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
]
