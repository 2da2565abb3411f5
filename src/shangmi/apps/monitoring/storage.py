"""Where monitoring keeps its files under the data directory: each organisation's event store (Parquet,
engines.risk.store) and the log files uploaded to it. Uploads are streamed to disk with their SHA-256;
a ZIP (a CERT r6 folder, or several exports) is unpacked for ingestion within fixed limits."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from pathlib import Path

from django.conf import settings

MAX_UPLOAD_BYTES = 4 * 1024**3  # one log file or ZIP
MAX_UNPACKED_BYTES = 16 * 1024**3
MAX_MEMBERS = 10_000
MAX_RATIO = 200  # uncompressed ÷ compressed per member: above it, a zip bomb


class UploadError(ValueError):
    """An upload that cannot be kept or unpacked; the message names the file and the limit."""


def _root(organisation_id: int) -> Path:
    return Path(settings.DATA_DIR) / "monitoring" / str(int(organisation_id))


def store_dir(organisation_id: int) -> Path:
    return _root(organisation_id) / "events"


def uploads_dir(organisation_id: int) -> Path:
    return _root(organisation_id) / "uploads"


def save_upload(organisation_id: int, uploaded) -> tuple[Path, str, int]:
    """Stream an uploaded file (Django UploadedFile) to the uploads folder as <sha256>.<suffix>."""
    root = uploads_dir(organisation_id)
    root.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    suffix = Path(uploaded.name or "").suffix.lower()[:10]
    with tempfile.NamedTemporaryFile(dir=root, delete=False) as tmp:
        for chunk in uploaded.chunks():
            size += len(chunk)
            if size > MAX_UPLOAD_BYTES:
                tmp.close()
                os.unlink(tmp.name)
                raise UploadError(f"{uploaded.name}: larger than {MAX_UPLOAD_BYTES // 1024**3} GiB")
            digest.update(chunk)
            tmp.write(chunk)
        tmp.flush()
        os.fsync(tmp.fileno())
    target = root / f"{digest.hexdigest()}{suffix}"
    os.replace(tmp.name, target)
    return target, digest.hexdigest(), size


def unpack(archive: Path, into: Path) -> Path:
    """Unpack a ZIP into `into` after checking every member against the limits; returns the folder that
    holds the logs (the single top-level folder when the ZIP wraps one)."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.infolist() if not m.is_dir()]
            if len(members) > MAX_MEMBERS:
                raise UploadError(f"{archive.name}: more than {MAX_MEMBERS} files")
            total = 0
            for m in members:
                total += m.file_size
                name = Path(m.filename)
                if name.is_absolute() or ".." in name.parts:
                    raise UploadError(f"{archive.name}: unsafe path {m.filename!r}")
                if m.file_size > 1024**2 and m.file_size > MAX_RATIO * max(m.compress_size, 1):
                    raise UploadError(f"{archive.name}: {m.filename} expands {MAX_RATIO}× or more")
            if total > MAX_UNPACKED_BYTES:
                raise UploadError(f"{archive.name}: more than {MAX_UNPACKED_BYTES // 1024**3} GiB unpacked")
            bundle.extractall(into, members)
    except zipfile.BadZipFile as error:
        raise UploadError(f"{archive.name}: not a ZIP file ({error})") from None
    entries = [p for p in into.iterdir() if not p.name.startswith(("__MACOSX", "."))]
    return entries[0] if len(entries) == 1 and entries[0].is_dir() else into
