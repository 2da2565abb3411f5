"""The fingerprints of one file (`Document`) and the dispatcher that makes them (`fingerprint`).

Kinds and channels (see params.py for k, w and the guarantees):

=========  ==================================================  ====================  ===============
kind       files                                               channels              unit of regions
=========  ==================================================  ====================  ===============
code       .java .c .h .cpp .py .js .ts .tsx .go .cs ...        ast, lit, raw, sha    line
text       .txt .md (and any decodable text), .docx, .pdf       raw, sha              line/paragraph/page-line
sheet      .xlsx .csv .tsv                                      rec, sha              row/sheet-row
drawing    .dxf                                                 ent, sha              entity
other      anything else                                        sha (+ TLSH)          file
=========  ==================================================  ====================  ===============

Every file gets the exact SHA-256 channel and, from 256 bytes on, a TLSH digest for near-exact triage of
files whose content cannot be normalised. A file that cannot be read is not a Document: `fingerprint`
raises `errors.Skipped` with the reason.
Cost: one pass over the bytes plus the kind's normaliser.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from dataclasses import dataclass, field

from . import code as code_mod
from . import dxf as dxf_mod
from . import extract, records, text
from .errors import Skipped
from .params import CHANNEL_ID, Params
from .winnow import Hasher

TEXT_EXT = {
    ".txt",
    ".md",
    ".markdown",
    ".rst",
    ".text",
    ".log",
    ".html",
    ".htm",
    ".xml",
    ".json",
    ".yaml",
    ".yml",
}
SHEET_EXT = {".xlsx", ".xlsm", ".csv", ".tsv"}
_NEWLINE = re.compile(b"\n")
UNITS = {
    "code": "line",
    "text": "line",
    "docx": "paragraph",
    "pdf": "page-line",
    "sheet": "row",
    "drawing": "entity",
}


@dataclass
class Channel:
    """Fingerprints of one channel: `fps[i]` was taken at token position `pos[i]` and covers the units
    (lines, paragraphs, rows, entities) `first[i]`..`last[i]`. `tokens` is the stream length."""

    fps: list[int]
    pos: list[int]
    first: list[int]
    last: list[int]
    tokens: int


@dataclass
class Document:
    name: str
    size: int
    sha256: str
    kind: str
    unit: str
    tlsh: str = ""
    language: str = ""
    channels: dict[str, Channel] = field(default_factory=dict)

    def fingerprint_count(self) -> int:
        return sum(len(c.fps) for c in self.channels.values())


def _kind(name: str, data: bytes) -> str:
    low = name.lower()
    dot = low.rfind(".")
    ext = low[dot:] if dot >= 0 else ""
    if code_mod.language_for(low):
        return "code"
    if ext == ".docx" or ext == ".docm":
        return "docx"
    if ext == ".pdf" or data.startswith(b"%PDF-"):
        return "pdf"
    if ext in SHEET_EXT:
        return "sheet"
    if ext == ".dxf":
        return "drawing"
    if ext in TEXT_EXT:
        return "text"
    if not extract.looks_binary(data):
        return "text"
    return "other"


def _winnowed(hasher: Hasher, name: str, codes, unit_of, params: Params) -> Channel:
    """Winnow a stream; `unit_of` maps token positions (a list) to units (a list)."""
    k, w = params.k[name], params.w[name]
    fps, pos = hasher.winnow(CHANNEL_ID[name], codes, k, w)
    first = unit_of(pos)
    last = unit_of([p + k - 1 for p in pos])
    return Channel(fps, pos, first, last, len(codes))


def _by_list(units: list[int]):
    return lambda positions: [units[p] for p in positions]


def _valued(
    hasher: Hasher, name: str, values: list[tuple[int, bytes]], strong: list[bool] | None = None
) -> Channel:
    fps = hasher.values(CHANNEL_ID[name], [v for _, v in values])
    if strong is not None:
        fps = [(fp & ~1) | int(s) for fp, s in zip(fps, strong, strict=True)]
    units = [u for u, _ in values]
    return Channel(fps, list(range(len(values))), units, units, len(values))


def _line_of(offsets: list[int], newlines: list[int]) -> list[int]:
    return [bisect.bisect_right(newlines, off) + 1 for off in offsets]


def tlsh_digest(data: bytes) -> str:
    """TLSH digest ("" when the data is too short or too uniform to have one)."""
    if len(data) < 256:
        return ""
    import tlsh

    digest = tlsh.hash(data)
    return "" if digest in ("", "TNULL") else digest


def fingerprint(name: str, data: bytes, params: Params, hasher: Hasher) -> Document:
    """Fingerprint one file given its name (for the extension) and bytes.

    Precondition: len(data) <= params.max_file_bytes (callers check the size first and give larger files
    the SHA-256 channel only). Raises Skipped for unreadable content."""
    sha = hashlib.sha256(data).digest()
    kind = _kind(name, data)
    doc = Document(name=name, size=len(data), sha256=sha.hex(), kind=kind, unit=UNITS.get(kind, "file"))
    doc.channels["sha"] = Channel([sha_fingerprint(sha, hasher)], [0], [0], [0], 1)
    if kind == "code":
        source_text = extract.decode(data)
        lang = code_mod.language_for(name.lower()) or ""
        doc.language = lang
        toks = code_mod.tokenize(data, lang)
        newlines = [m.start() for m in _NEWLINE.finditer(data)]
        offsets = toks.ast_offsets
        doc.channels["ast"] = _winnowed(
            hasher, "ast", toks.ast, lambda ps: _line_of([offsets[p] for p in ps], newlines), params
        )
        lit_lines = _line_of(toks.lit_offsets, newlines)
        doc.channels["lit"] = _valued(hasher, "lit", list(zip(lit_lines, toks.literals, strict=True)))
        codes, units = text.tokenize_text(source_text)
        doc.channels["raw"] = _winnowed(hasher, "raw", codes, _by_list(units), params)
        doc.unit = "line"
    elif kind == "text":
        codes, units = text.tokenize_text(extract.decode(data))
        doc.channels["raw"] = _winnowed(hasher, "raw", codes, _by_list(units), params)
    elif kind == "docx":
        codes, units = text.tokenize(extract.docx_paragraphs(data, params.max_zip_member_bytes))
        doc.channels["raw"] = _winnowed(hasher, "raw", codes, _by_list(units), params)
    elif kind == "pdf":
        codes, units = text.tokenize(extract.pdf_lines(data))
        doc.channels["raw"] = _winnowed(hasher, "raw", codes, _by_list(units), params)
    elif kind == "sheet":
        rows = (
            records.xlsx_rows(data, params.max_zip_member_bytes)
            if name.lower().endswith((".xlsx", ".xlsm"))
            else records.csv_rows(data)
        )
        values: list[tuple[int, bytes]] = []
        strong: list[bool] = []
        for unit, cells in rows:
            for value, is_strong in records.row_values(cells):
                values.append((unit, value))
                strong.append(is_strong)
        doc.channels["rec"] = _valued(hasher, "rec", values, strong)
    elif kind == "drawing":
        doc.channels["ent"] = _valued(hasher, "ent", dxf_mod.entity_values(data))
    if kind in ("other", "pdf", "docx", "sheet", "drawing") and not hasher.key:
        doc.tlsh = tlsh_digest(data)  # a locality-sensitive digest would leak similarity to guesses
    return doc


def sha_fingerprint(sha: bytes, hasher: Hasher) -> int:
    """The `sha` channel's fingerprint: the digest's first 63 bits, or its HMAC under the case key."""
    if hasher.key:
        return hasher.strong_bytes(CHANNEL_ID["sha"], sha)
    return int.from_bytes(sha[:8], "big") >> 1


def digest_only(name: str, size: int, sha256_hex: str, hasher: Hasher) -> Document:
    """The Document of a file too large to normalise: the exact SHA-256 channel only."""
    doc = Document(name=name, size=size, sha256=sha256_hex, kind="other", unit="file")
    doc.channels["sha"] = Channel([sha_fingerprint(bytes.fromhex(sha256_hex), hasher)], [0], [0], [0], 1)
    return doc


__all__ = ["Channel", "Document", "Skipped", "digest_only", "fingerprint", "tlsh_digest"]
