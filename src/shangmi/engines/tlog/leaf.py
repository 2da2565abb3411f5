"""The evidence-log leaf: canonical, versioned bytes that bind one piece of material.

A leaf is short ASCII text, one field per line, in a fixed order, ending with a newline. The leaf of
the 4-byte material "test" whose private metadata is {"name":"test.txt"}::

    shangmi-leaf/1
    kind file
    sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
    sm3 55e12e91650d2fec56ec74e1d3e4ddbfce2ef3a65890c2a19ecf88a307e76a23
    size 4
    meta fb6e4d729a6942042d94b73fdf819fdcf5cc76c8ec2f0a2b3cc22b2a595b9755
    client shangmi-cli/0.1.0

Text rather than binary so that a court can read what was deposited with no tool at all. Every field is
required; hex is lower case; numbers are decimal without leading zeros; nothing else is allowed, so each
material has exactly one encoding and `parse(format(x)) == x` and `format(parse(b)) == b`.

The leaf holds digests only: `meta` is the SHA-256 of the private metadata (file name, labels, who) that
stays in the enterprise's database, so the public log reveals nothing but hashes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

VERSION_LINE = "shangmi-leaf/1"
MAX_LEAF_BYTES = 1024
# Kinds of material. New kinds may be added within version 1; verifiers accept any kind of this form.
KINDS = ("file", "record", "audit-head", "checkpoint-anchor")
_KIND = re.compile(r"^[a-z][a-z0-9-]{0,31}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SIZE = re.compile(r"^(0|[1-9][0-9]{0,19})$")
_CLIENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}/[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$")
_FIELDS = ("kind", "sha256", "sm3", "size", "meta", "client")


class LeafError(ValueError):
    """The bytes are not a canonical shangmi leaf; the message names the line or field."""


@dataclass(frozen=True)
class Leaf:
    kind: str
    sha256: str
    sm3: str
    size: int
    meta: str
    client: str

    def __post_init__(self) -> None:
        if not _KIND.match(self.kind):
            raise LeafError(f"kind {self.kind!r}: lower-case letters, digits and '-', at most 32")
        for name in ("sha256", "sm3", "meta"):
            if not _HEX64.match(getattr(self, name)):
                raise LeafError(f"{name}: expected 64 lower-case hex digits, got {getattr(self, name)!r}")
        if not isinstance(self.size, int) or isinstance(self.size, bool) or not 0 <= self.size < 2**64:
            raise LeafError(f"size: expected an integer from 0 to 2^64-1, got {self.size!r}")
        if not _CLIENT.match(self.client):
            raise LeafError(f"client {self.client!r}: expected name/version, e.g. shangmi-cli/0.1.0")

    def to_bytes(self) -> bytes:
        return encode_fields(self.kind, self.sha256, self.sm3, self.size, self.meta, self.client)


def encode_fields(kind: str, sha256: str, sm3: str, size: int, meta: str, client: str) -> bytes:
    """The leaf bytes of fields the caller has already checked (as `Leaf` does). Batch depositors check
    kind and client once per batch and digests per item, then encode thousands of leaves with this."""
    return (
        f"{VERSION_LINE}\nkind {kind}\nsha256 {sha256}\nsm3 {sm3}\nsize {size}\nmeta {meta}\nclient {client}\n"
    ).encode("ascii")


def parse_leaf(data: bytes) -> Leaf:
    """Parse canonical leaf bytes; anything not produced by `Leaf.to_bytes` is refused."""
    if len(data) > MAX_LEAF_BYTES:
        raise LeafError(f"leaf is {len(data)} bytes, more than {MAX_LEAF_BYTES}")
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as error:
        raise LeafError("leaf is not ASCII") from error
    if not text.endswith("\n"):
        raise LeafError("leaf must end with a newline")
    lines = text[:-1].split("\n")
    if lines[0] != VERSION_LINE:
        raise LeafError(f"line 1: expected {VERSION_LINE!r}, got {lines[0]!r}")
    if len(lines) != 1 + len(_FIELDS):
        raise LeafError(f"expected {1 + len(_FIELDS)} lines, got {len(lines)}")
    values: dict[str, str] = {}
    for number, (line, name) in enumerate(zip(lines[1:], _FIELDS, strict=True), start=2):
        key, sep, value = line.partition(" ")
        if key != name or not sep or not value or " " in value:
            raise LeafError(f"line {number}: expected '{name} <value>', got {line!r}")
        values[name] = value
    if not _SIZE.match(values["size"]):
        raise LeafError(f"size: not a canonical decimal number: {values['size']!r}")
    leaf = Leaf(**{**values, "size": int(values["size"])})
    if leaf.to_bytes() != data:  # belt and braces: one encoding per leaf
        raise LeafError("leaf is not in canonical form")
    return leaf
