"""Deposit receipts (回执): one text file that lets anyone check a deposit offline.

Format ``shangmi-receipt/1`` — ASCII header lines, a blank line, then a ``c2sp.org/tlog-proof@v1`` text
verbatim (which itself ends with the signed checkpoint note), so a conformant tlog-proof verifier can
check inclusion without knowing anything else about shangmi::

    shangmi-receipt/1
    origin <log origin>
    vkey <verifier key: name+hash+base64>
    leaf <base64 of the canonical leaf bytes (see leaf.py)>
    timestamp <base64 DER RFC 3161 token over SHA-256 of the signed checkpoint note> | timestamp none

    c2sp.org/tlog-proof@v1
    index <n>
    <base64 proof hashes, one per line>

    <signed checkpoint note>

Verification checks, in order, and reports every one (see `verify_receipt`).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from .hashing import leaf_hash
from .keys import KeyFormatError, Verifier, parse_verifier_key
from .leaf import Leaf, LeafError, parse_leaf
from .material import MaterialDigest
from .proof_text import format_proof, open_proof
from .verify import ProofError, verify_inclusion

HEADER = "shangmi-receipt/1"
MAX_RECEIPT_BYTES = 64 * 1024


class ReceiptError(ValueError):
    """The receipt cannot be read at all; the message names the line."""


@dataclass(frozen=True)
class Receipt:
    origin: str
    vkey: str
    leaf: bytes
    timestamp_token: bytes | None
    proof_text: str

    def to_text(self) -> str:
        stamp = base64.b64encode(self.timestamp_token).decode() if self.timestamp_token else "none"
        header = [
            HEADER,
            f"origin {self.origin}",
            f"vkey {self.vkey}",
            f"leaf {base64.b64encode(self.leaf).decode()}",
            f"timestamp {stamp}",
        ]
        return "\n".join(header) + "\n\n" + self.proof_text


def build_receipt(
    *,
    origin: str,
    vkey: str,
    leaf: bytes,
    index: int,
    proof: list[bytes],
    signed_checkpoint: str,
    timestamp_token: bytes | None,
) -> Receipt:
    return Receipt(origin, vkey, leaf, timestamp_token, format_proof(index, proof, signed_checkpoint))


def _b64(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ReceiptError(f"{what}: not valid base64") from error


def parse_receipt(data: bytes | str) -> Receipt:
    raw = data.encode() if isinstance(data, str) else data
    if len(raw) > MAX_RECEIPT_BYTES:
        raise ReceiptError(f"receipt is {len(raw)} bytes, more than {MAX_RECEIPT_BYTES}")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ReceiptError("receipt is not UTF-8 text") from error
    head, sep, proof_text = text.partition("\n\n")
    if not sep:
        raise ReceiptError("receipt is truncated: no blank line before the proof")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ReceiptError(f"line 1: expected {HEADER!r}, got {lines[0][:40]!r}")
    expected = ["origin", "vkey", "leaf", "timestamp"]
    if len(lines) != 1 + len(expected):
        raise ReceiptError(f"header has {len(lines)} lines, expected {1 + len(expected)}")
    values = {}
    for number, (line, name) in enumerate(zip(lines[1:], expected, strict=True), start=2):
        key, space, value = line.partition(" ")
        if key != name or not space or not value:
            raise ReceiptError(f"line {number}: expected '{name} …', got {line[:40]!r}")
        values[name] = value
    token = None if values["timestamp"] == "none" else _b64(values["timestamp"], "timestamp")
    return Receipt(values["origin"], values["vkey"], _b64(values["leaf"], "leaf"), token, proof_text)


@dataclass
class Check:
    name: str  # stable identifier, e.g. "inclusion"
    label_zh: str
    label_en: str
    ok: bool
    detail: str = ""


@dataclass
class Verdict:
    checks: list[Check] = field(default_factory=list)
    leaf: Leaf | None = None
    index: int | None = None
    tree_size: int | None = None
    timestamp: datetime | None = None
    time_source: str = ""  # "tsa" or "platform-signature"

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.ok for c in self.checks)

    def add(self, name: str, zh: str, en: str, ok: bool, detail: str = "") -> bool:
        self.checks.append(Check(name, zh, en, ok, detail))
        return ok


def verify_receipt(
    receipt_data: bytes | str,
    *,
    material: MaterialDigest | None = None,
    trusted_vkey: str | None = None,
    tsa_roots: Iterable[bytes] | None = None,
) -> Verdict:
    """Check a receipt offline and list every check. Stops at the first check others depend on.

    1 receipt syntax · 2 leaf format · 3 material digests and size (when the material is given) ·
    4 log key (the receipt's key equals `trusted_vkey` when given) · 5 checkpoint signature and origin ·
    6 Merkle inclusion of the leaf in that checkpoint · 7 timestamp token over the checkpoint (RFC 3161,
    chained to `tsa_roots`), or a plain statement that time rests on the platform's signature.
    """
    verdict = Verdict()
    try:
        receipt = parse_receipt(receipt_data)
    except ReceiptError as error:
        verdict.add("syntax", "回执格式", "receipt format", False, str(error))
        return verdict
    verdict.add("syntax", "回执格式", "receipt format", True)

    try:
        leaf = parse_leaf(receipt.leaf)
    except LeafError as error:
        verdict.add("leaf", "叶子格式", "leaf format", False, str(error))
        return verdict
    verdict.leaf = leaf
    verdict.add("leaf", "叶子格式", "leaf format", True, f"kind {leaf.kind}")

    if material is not None:
        same = (material.sha256, material.sm3, material.size) == (leaf.sha256, leaf.sm3, leaf.size)
        detail = (
            f"SHA-256 {material.sha256[:16]}…, SM3 {material.sm3[:16]}…, {material.size} bytes"
            if same
            else f"file SHA-256 {material.sha256[:16]}… / SM3 {material.sm3[:16]}… / {material.size} bytes; "
            f"receipt {leaf.sha256[:16]}… / {leaf.sm3[:16]}… / {leaf.size} bytes"
        )
        if not verdict.add(
            "material", "文件摘要（SHA-256、SM3、大小）", "file digests (SHA-256, SM3, size)", same, detail
        ):
            return verdict

    try:
        verifier: Verifier = parse_verifier_key(trusted_vkey or receipt.vkey)
    except KeyFormatError as error:
        verdict.add("key", "日志公钥", "log key", False, str(error))
        return verdict
    if trusted_vkey and trusted_vkey.strip() != receipt.vkey:
        verdict.add(
            "key", "日志公钥", "log key", False, "the receipt names another log key than the trusted one"
        )
        return verdict
    verdict.add(
        "key",
        "日志公钥",
        "log key",
        True,
        "matches the trusted key" if trusted_vkey else "taken from the receipt (no --vkey given)",
    )

    try:
        opened = open_proof(receipt.proof_text, receipt.origin, verifier)
    except ValueError as error:  # ProofTextError, CheckpointError and NoteError are ValueErrors
        verdict.add(
            "checkpoint", "检查点签名", "checkpoint signature", False, f"{type(error).__name__}: {error}"
        )
        return verdict
    checkpoint = opened.checkpoint
    verdict.tree_size = checkpoint.size
    verdict.index = opened.proof.index
    verdict.add(
        "checkpoint",
        "检查点签名",
        "checkpoint signature",
        True,
        f"{checkpoint.origin}, size {checkpoint.size}",
    )

    try:
        verify_inclusion(
            opened.proof.index,
            checkpoint.size,
            leaf_hash(receipt.leaf),
            list(opened.proof.proof_hashes),
            checkpoint.root_hash,
        )
    except ProofError as error:
        verdict.add(
            "inclusion", "默克尔包含证明", "Merkle inclusion proof", False, f"{type(error).__name__}: {error}"
        )
        return verdict
    verdict.add(
        "inclusion",
        "默克尔包含证明",
        "Merkle inclusion proof",
        True,
        f"leaf {opened.proof.index} of {checkpoint.size}",
    )

    _check_timestamp(verdict, receipt, opened.proof.signed_checkpoint, tsa_roots)
    return verdict


def _check_timestamp(verdict: Verdict, receipt: Receipt, signed_checkpoint: str, tsa_roots) -> None:
    if receipt.timestamp_token is None:
        verdict.time_source = "platform-signature"
        verdict.add(
            "timestamp",
            "时间戳",
            "timestamp",
            True,
            "no TSA token: the time rests on the platform's own checkpoint signature only",
        )
        return
    if not tsa_roots:
        verdict.add(
            "timestamp",
            "时间戳",
            "timestamp",
            False,
            "the receipt carries an RFC 3161 token; give the TSA's root certificate (--tsa-ca) to check it",
        )
        return
    from shangmi.engines.tsa.errors import TsaError
    from shangmi.engines.tsa.verify import verify_token

    digest = hashlib.sha256(signed_checkpoint.encode()).digest()
    try:
        info = verify_token(receipt.timestamp_token, digest=digest, roots=list(tsa_roots))
    except TsaError as error:
        verdict.add("timestamp", "时间戳", "timestamp", False, f"{type(error).__name__}: {error}")
        return
    verdict.timestamp = info.gen_time
    verdict.time_source = "tsa"
    verdict.add(
        "timestamp", "时间戳", "timestamp", True, f"{info.gen_time.isoformat()} by {info.tsa_name or '?'}"
    )
