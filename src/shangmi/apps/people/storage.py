"""Uploaded documents (signed scans, training materials, log excerpts) kept in the data directory by
their SHA-256, per organisation. Content-addressed, so a file is written once and never changed; its
SHA-256 and SM3 are deposited by the action that stores it."""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from shangmi.engines.tlog.material import MaterialDigest, digest_bytes

MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
# What a scan or an excerpt may be, recognised by its first bytes rather than by its name.
_MAGIC = {
    b"%PDF-": "pdf",
    b"\x89PNG\r\n\x1a\n": "png",
    b"\xff\xd8\xff": "jpg",
    b"PK\x03\x04": "zip",  # .docx / .xlsx
}
TEXT_SUFFIXES = (".txt", ".csv", ".log", ".json", ".jsonl")


def _root(organisation_id: int) -> Path:
    return Path(settings.DATA_DIR) / "people" / str(organisation_id)


def document_kind(name: str, data: bytes) -> str:
    """'pdf', 'png', 'jpg', 'zip' or 'text'; raise naming the file when it is none of them."""
    if not data:
        raise ValidationError({"file": [_("文件是空的")]})
    if len(data) > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": [_("文件超过 20 MB")]})
    for magic, kind in _MAGIC.items():
        if data.startswith(magic):
            return kind
    if name.lower().endswith(TEXT_SUFFIXES):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("文本文件应为 UTF-8 编码")]}) from None
        return "text"
    raise ValidationError(
        {"file": [_("只接受 PDF、图片（PNG/JPG）、Office 文件或 UTF-8 文本（.txt/.csv/.log）")]}
    )


def safe_name(name: str) -> str:
    base = os.path.basename(name or "").strip() or "file"
    return re.sub(r"[\x00-\x1f/\\]", "_", base)[:200]


def store_document(organisation_id: int, name: str, data: bytes) -> MaterialDigest:
    """Check and keep the bytes; return their digests. Safe to repeat with the same bytes."""
    document_kind(name, data)
    digest = digest_bytes(data)
    root = _root(organisation_id)
    root.mkdir(parents=True, exist_ok=True)
    target = root / digest.sha256
    if not target.exists():
        with tempfile.NamedTemporaryFile(dir=root, delete=False) as tmp:
            tmp.write(data)
            tmp.flush()
            os.fsync(tmp.fileno())
        os.replace(tmp.name, target)
    return digest


def read_document(organisation_id: int, sha256: str) -> bytes:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise FileNotFoundError(sha256)
    return (_root(organisation_id) / sha256).read_bytes()
