"""C2SP transparency-log proofs, ``c2sp.org/tlog-proof@v1`` (https://c2sp.org/tlog-proof).

An offline-verifiable proof that an entry is in the log: lines separated by newlines::

    c2sp.org/tlog-proof@v1
    extra <base64 opaque data>          optional; NOT authenticated
    index <leaf index>                  ASCII decimal, no leading zeros
    <base64 hash>                       zero or more: the RFC 6962 inclusion proof, leaf's sibling first
    <blank line>
    <signed checkpoint note, verbatim>  c2sp.org/tlog-checkpoint text, blank line, signature lines

Files holding one SHOULD be named ``*.tlog-proof``.

:func:`parse_proof` checks the syntax only: it verifies no signature and no hash. :func:`open_proof`
then verifies the checkpoint signature and origin and the shape of the proof (index below the tree
size, exactly as many hashes as an inclusion proof for that index and size has). What remains for the
caller is the Merkle check proper: recompute the root from the leaf hash, ``index``, ``checkpoint.size``
and ``proof_hashes`` (RFC 9162 §2.1.3.2, ``verify.verify_inclusion`` in this package) and compare it with
``checkpoint.root_hash``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .b64 import Base64Error, b64decode_canonical, b64encode
from .checkpoint import MAX_TREE_SIZE, Checkpoint, CheckpointError, open_checkpoint, parse_checkpoint
from .hashing import HASH_SIZE
from .keys import Verifier
from .note import MAX_NOTE_BYTES, NoteError, parse_note

HEADER = "c2sp.org/tlog-proof@v1"
FILE_EXTENSION = ".tlog-proof"
MAX_PROOF_HASHES = 63  # an inclusion proof in a tree of at most 2^63 - 1 leaves
MAX_EXTRA_BYTES = 64 * 1024
MAX_PROOF_BYTES = MAX_NOTE_BYTES + 128 * 1024
_INDEX = re.compile(r"index (0|[1-9][0-9]*)", re.ASCII)
_FORBIDDEN = re.compile("[\x00-\x09\x0b-\x1f\ud800-\udfff]")


class ProofTextError(ValueError):
    """The proof text is malformed or does not fit its checkpoint; the message names the line or check."""


def inclusion_proof_length(index: int, size: int) -> int:
    """The number of hashes in an RFC 9162 inclusion proof for leaf ``index`` in a tree of ``size``."""
    if not 0 <= index < size:
        raise ValueError(f"index {index} is not below tree size {size}")
    inner = (index ^ (size - 1)).bit_length()  # levels where the path to the last leaf diverges
    border = (index >> inner).bit_count()  # complete subtrees on the right border above that
    return inner + border


def _b64decode(text: str, where: str) -> bytes:
    try:
        return b64decode_canonical(text)
    except Base64Error as error:
        raise ProofTextError(f"{where} is {error}") from None


@dataclass(frozen=True)
class ProofText:
    """A parsed tlog-proof. Nothing in it is trusted until :func:`open_proof` has checked it."""

    index: int
    proof_hashes: tuple[bytes, ...]
    signed_checkpoint: str
    extra: bytes | None = None

    @property
    def unverified_checkpoint(self) -> Checkpoint:
        """The checkpoint body as written, signature NOT checked."""
        return parse_checkpoint(parse_note(self.signed_checkpoint).text)

    @property
    def origin(self) -> str:
        """The origin line of the embedded checkpoint (unverified until :func:`open_proof`)."""
        return self.unverified_checkpoint.origin

    def format(self) -> str:
        """The proof text (re-validated)."""
        return format_proof(self.index, self.proof_hashes, self.signed_checkpoint, extra=self.extra)


class OpenedProof(NamedTuple):
    """A proof whose checkpoint signature, origin and shape were verified."""

    proof: ProofText
    checkpoint: Checkpoint


def _check_checkpoint_note(signed_checkpoint: str) -> Checkpoint:
    try:
        parsed = parse_note(signed_checkpoint)
    except NoteError as exc:
        raise ProofTextError(f"checkpoint note: {exc}") from None
    try:
        return parse_checkpoint(parsed.text)
    except CheckpointError as exc:
        raise ProofTextError(f"checkpoint: {exc}") from None


def _check_shape(index: int, count: int, checkpoint: Checkpoint) -> None:
    if index >= checkpoint.size:
        raise ProofTextError(f"index {index} is not below the checkpoint's tree size {checkpoint.size}")
    want = inclusion_proof_length(index, checkpoint.size)
    if count != want:
        raise ProofTextError(
            f"inclusion proof has {count} hashes; a proof for index {index} in a tree of "
            f"{checkpoint.size} has {want}"
        )


def format_proof(
    index: int,
    proof_hashes: Sequence[bytes],
    signed_checkpoint: str,
    *,
    extra: bytes | None = None,
) -> str:
    """The ``c2sp.org/tlog-proof@v1`` text for leaf ``index``.

    ``signed_checkpoint`` is the log's signed checkpoint note, embedded verbatim; ``proof_hashes``
    the inclusion proof in that checkpoint's tree. Checks that the note is a well-formed checkpoint,
    that ``index`` is below its size and that the number of hashes fits; signatures are not verified
    here. ``extra`` (optional, unauthenticated) is written only when non-empty.
    """
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= MAX_TREE_SIZE:
        raise ProofTextError(f"index must be an integer from 0 to 2^63-1, got {index!r}")
    hashes = [bytes(h) for h in proof_hashes]
    for i, h in enumerate(hashes, start=1):
        if len(h) != HASH_SIZE:
            raise ProofTextError(f"proof hash {i} is {len(h)} bytes, expected {HASH_SIZE}")
    if not isinstance(signed_checkpoint, str):
        raise TypeError(f"signed_checkpoint must be str, not {type(signed_checkpoint).__name__}")
    checkpoint = _check_checkpoint_note(signed_checkpoint)
    _check_shape(index, len(hashes), checkpoint)
    lines = [HEADER]
    if extra:
        if len(extra) > MAX_EXTRA_BYTES:
            raise ProofTextError(f"extra data is {len(extra)} bytes, more than {MAX_EXTRA_BYTES}")
        lines.append(f"extra {b64encode(bytes(extra))}")
    lines.append(f"index {index}")
    lines.extend(b64encode(h) for h in hashes)
    return "\n".join(lines) + "\n\n" + signed_checkpoint


def parse_proof(text: str | bytes) -> ProofText:
    """Parse a ``c2sp.org/tlog-proof@v1`` text strictly (syntax only; nothing is verified).

    Raises :class:`ProofTextError` naming the line. Cost: linear in the text size.
    """
    if isinstance(text, bytes | bytearray | memoryview):
        raw = bytes(text)
        if len(raw) > MAX_PROOF_BYTES:
            raise ProofTextError(f"proof is {len(raw)} bytes, more than the limit of {MAX_PROOF_BYTES}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ProofTextError(f"proof is not valid UTF-8 (byte {exc.start})") from None
    if not isinstance(text, str):
        raise TypeError(f"proof text must be str or bytes, not {type(text).__name__}")
    if len(text) > MAX_PROOF_BYTES:
        raise ProofTextError(f"proof is more than the limit of {MAX_PROOF_BYTES} bytes")
    found = _FORBIDDEN.search(text)
    if found is not None:
        line_no = text.count("\n", 0, found.start()) + 1
        raise ProofTextError(f"line {line_no} contains the control character U+{ord(found.group()):04X}")

    pos = 0
    number = 0

    def next_line(expected: str) -> str:
        nonlocal pos, number
        end = text.find("\n", pos)
        number += 1
        if end < 0:
            raise ProofTextError(f"line {number}: expected {expected}, found the end of the text")
        line = text[pos:end]
        pos = end + 1
        return line

    if next_line(f"'{HEADER}'") != HEADER:
        raise ProofTextError(f"line 1 must be '{HEADER}'")
    line = next_line("'index <n>' or 'extra <base64>'")
    extra: bytes | None = None
    if line.startswith("extra "):
        extra = _b64decode(line[len("extra ") :], f"line {number} (extra)")
        if not extra:
            raise ProofTextError(
                f"line {number} (extra) is empty; the line is omitted when there is no extra data"
            )
        if len(extra) > MAX_EXTRA_BYTES:
            raise ProofTextError(f"line {number} (extra) is more than {MAX_EXTRA_BYTES} bytes")
        line = next_line("'index <n>'")
    match = _INDEX.fullmatch(line)
    if match is None:
        raise ProofTextError(
            f"line {number} must be 'index <n>' (decimal, no leading zeros), got {line[:40]!r}"
        )
    index = int(match.group(1))
    if index > MAX_TREE_SIZE:
        raise ProofTextError(f"line {number} (index) is larger than 2^63-1")
    hashes: list[bytes] = []
    while True:
        line = next_line("a proof hash or the blank line before the checkpoint")
        if line == "":
            break
        if len(hashes) == MAX_PROOF_HASHES:
            raise ProofTextError(f"line {number}: more than {MAX_PROOF_HASHES} proof hashes")
        h = _b64decode(line, f"line {number} (proof hash)")
        if len(h) != HASH_SIZE:
            raise ProofTextError(f"line {number} (proof hash) is {len(h)} bytes, expected {HASH_SIZE}")
        hashes.append(h)
    signed_checkpoint = text[pos:]
    if signed_checkpoint == "":
        raise ProofTextError(f"line {number + 1}: the signed checkpoint is missing")
    _check_checkpoint_note(signed_checkpoint)
    return ProofText(
        index=index, proof_hashes=tuple(hashes), signed_checkpoint=signed_checkpoint, extra=extra
    )


def open_proof(
    text: str | bytes | ProofText,
    origin: str,
    verifier: Verifier,
    *,
    require_origin_key_name: bool = True,
) -> OpenedProof:
    """Parse a proof and verify its checkpoint (signature by ``verifier``, ``origin``) and shape.

    Raises :class:`ProofTextError`, :class:`~.checkpoint.CheckpointError` or a
    :class:`~.note.NoteError` subclass, each naming the failed check. The Merkle inclusion itself is
    left to the caller (see the module docstring). Cost: one Ed25519 verification plus parsing.
    """
    proof = text if isinstance(text, ProofText) else parse_proof(text)
    checkpoint = open_checkpoint(
        proof.signed_checkpoint, origin, verifier, require_origin_key_name=require_origin_key_name
    )
    _check_shape(proof.index, len(proof.proof_hashes), checkpoint)
    return OpenedProof(proof=proof, checkpoint=checkpoint)
