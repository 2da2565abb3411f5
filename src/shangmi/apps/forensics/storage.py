"""Where forensics keeps its files under the data directory, and which server folders it may read.

Each organisation has `forensics/<org>/incoming/`, where material to fingerprint or scan is placed on the
server (a copied disk image's files, a ZIP); an operator may add shared roots with SHANGMI_FORENSICS_ROOTS
(paths separated by ':'). A folder or ZIP given on a page must resolve inside one of them, so an officer
can never make the worker read another organisation's files or the server's own."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

from django.conf import settings

MAX_INDEX_BYTES = 2 * 1024**3


class FolderError(ValueError):
    """A folder or file outside the allowed roots, or missing; the message names it."""


def _root(organisation_id: int) -> Path:
    return Path(settings.DATA_DIR) / "forensics" / str(int(organisation_id))


def incoming_dir(organisation_id: int) -> Path:
    return _root(organisation_id) / "incoming"


def index_path(organisation_id: int, index_id: int) -> Path:
    return _root(organisation_id) / "indexes" / f"{int(index_id)}.fpindex"


def scan_dir(organisation_id: int, scan_id: int) -> Path:
    return _root(organisation_id) / "scans" / str(int(scan_id))


def allowed_roots(organisation_id: int) -> list[Path]:
    shared = [Path(p) for p in getattr(settings, "FORENSICS_ROOTS", []) if p]
    return [incoming_dir(organisation_id), *shared]


def resolve(organisation_id: int, text: str) -> Path:
    """The absolute, resolved path of a folder or file the organisation may read. A relative path is
    taken under its incoming folder."""
    text = (text or "").strip()
    if not text:
        raise FolderError("empty path")
    incoming = incoming_dir(organisation_id)
    incoming.mkdir(parents=True, exist_ok=True)
    path = Path(text)
    path = (path if path.is_absolute() else incoming / path).resolve()
    roots = [r.resolve() for r in allowed_roots(organisation_id)]
    if not any(path == r or path.is_relative_to(r) for r in roots):
        raise FolderError(f"{text}: outside the folders this organisation may scan")
    if not path.exists():
        raise FolderError(f"{text}: no such folder or file on the server")
    return path


def save_index(organisation_id: int, index_id: int, uploaded) -> tuple[Path, str]:
    """Stream an uploaded index file to its place; returns (path, sha256)."""
    target = index_path(organisation_id, index_id)
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as tmp:
        for chunk in uploaded.chunks():
            size += len(chunk)
            if size > MAX_INDEX_BYTES:
                tmp.close()
                os.unlink(tmp.name)
                raise FolderError(f"{uploaded.name}: larger than {MAX_INDEX_BYTES // 1024**3} GiB")
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        os.fsync(tmp.fileno())
    os.replace(tmp.name, target)
    return target, digest.hexdigest()
