"""Enumerating and reading inputs: files, folders and ZIP archives, with size and ZIP-bomb limits.

`enumerate_inputs(paths)` lists `Source`s without reading content (folders are walked in sorted order; a
ZIP's members become sources named ``archive.zip!member``). `read(source)` returns the bytes, raising
`Skipped` for a member that is too large, too highly compressed (a bomb), encrypted or unreadable.
Members that are themselves ZIPs are expanded by `read_nested` up to `max_zip_depth`.
Cost: listing is O(files); reading is bounded by `max_file_bytes` / `max_zip_member_bytes` per source.
"""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import Skipped
from .params import Params

ZIP_EXT = (".zip", ".jar")
MIN_BOMB_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Source:
    """One input. `path` is the file on disk (the archive for a member); `member` the member name or ""."""

    name: str
    path: str
    member: str
    size: int
    mtime_ns: int = 0
    skip_reason: str = ""
    skip_message: str = ""


def is_zip_name(name: str) -> bool:
    return name.lower().endswith(ZIP_EXT)


def _member_check(info: zipfile.ZipInfo, params: Params) -> tuple[str, str]:
    if info.flag_bits & 0x1:
        return "encrypted", "encrypted ZIP member"
    if info.file_size > params.max_zip_member_bytes:
        return "zip_bomb", f"member expands to {info.file_size} bytes (limit {params.max_zip_member_bytes})"
    if info.file_size > MIN_BOMB_BYTES and info.file_size > params.max_zip_ratio * max(1, info.compress_size):
        return (
            "zip_bomb",
            f"compression ratio {info.file_size // max(1, info.compress_size)}:1 (limit {params.max_zip_ratio}:1)",
        )
    return "", ""


def zip_sources(path: Path, name: str, params: Params) -> Iterator[Source]:
    """Sources of the members of a ZIP on disk; an unreadable archive is one skipped source."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield Source(name, str(path), "", 0, 0, "broken_zip", f"broken ZIP: {exc}")
        return
    for info in infos:
        reason, message = _member_check(info, params)
        yield Source(f"{name}!{info.filename}", str(path), info.filename, info.file_size, 0, reason, message)


def enumerate_inputs(
    paths: list[Path], params: Params, *, expand_zips: bool = True, relative: bool = True
) -> Iterator[Source]:
    """Sources under `paths`. A folder's files are named relative to the folder (`relative`), a file by
    its name; symlinks are not followed."""
    for root in paths:
        root = Path(root)
        if root.is_file():
            yield from _file_source(root, root.name, params, expand_zips)
            continue
        if not root.is_dir():
            yield Source(str(root), str(root), "", 0, 0, "unreadable", "no such file or folder")
            continue
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for fname in sorted(filenames):
                full = Path(dirpath) / fname
                if full.is_symlink() or not full.is_file():
                    continue
                name = full.relative_to(root).as_posix() if relative else str(full)
                yield from _file_source(full, name, params, expand_zips)


def _file_source(path: Path, name: str, params: Params, expand_zips: bool) -> Iterator[Source]:
    try:
        st = path.stat()
    except OSError as exc:
        yield Source(name, str(path), "", 0, 0, "unreadable", str(exc))
        return
    if expand_zips and is_zip_name(name):
        if zipfile.is_zipfile(path):
            yield from zip_sources(path, name, params)
        else:
            yield Source(
                name, str(path), "", st.st_size, st.st_mtime_ns, "broken_zip", "broken ZIP: not a ZIP file"
            )
        return
    yield Source(name, str(path), "", st.st_size, st.st_mtime_ns)


def file_sha256(path: str) -> str:
    """Streamed SHA-256 of a file on disk (for huge files and archives)."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def read(source: Source, params: Params) -> bytes:
    """The bytes of a source (at most max_file_bytes; callers treat larger files as digest-only)."""
    if source.skip_reason:
        raise Skipped(source.skip_reason, source.skip_message)
    try:
        if not source.member:
            with open(source.path, "rb") as fh:
                return fh.read(params.max_file_bytes + 1)
        with zipfile.ZipFile(source.path) as zf, zf.open(source.member) as fh:
            data = fh.read(params.max_zip_member_bytes + 1)
    except Skipped:
        raise
    except RuntimeError as exc:
        raise Skipped("encrypted", f"cannot read: {exc}") from None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, KeyError, NotImplementedError) as exc:
        raise Skipped("unreadable", f"cannot read: {type(exc).__name__}: {exc}"[:300]) from None
    if len(data) > params.max_zip_member_bytes:
        raise Skipped("zip_bomb", f"member expands beyond {params.max_zip_member_bytes} bytes")
    return data


def read_nested(name: str, data: bytes, params: Params, depth: int) -> Iterator[tuple[str, bytes | Skipped]]:
    """Members of a ZIP held in memory, recursively up to max_zip_depth: (name, bytes or a Skipped)."""
    if depth > params.max_zip_depth:
        yield name, Skipped("nested_too_deep", f"ZIP nested deeper than {params.max_zip_depth} levels")
        return
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in zf.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        yield name, Skipped("broken_zip", f"broken ZIP: {exc}")
        return
    budget = params.max_zip_member_bytes
    for info in infos:
        member = f"{name}!{info.filename}"
        reason, message = _member_check(info, params)
        if reason:
            yield member, Skipped(reason, message)
            continue
        try:
            with zf.open(info) as fh:
                body = fh.read(min(budget, params.max_file_bytes) + 1)
        except RuntimeError as exc:
            yield member, Skipped("encrypted", f"cannot read: {exc}")
            continue
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as exc:
            yield member, Skipped("unreadable", f"cannot read: {type(exc).__name__}: {exc}"[:300])
            continue
        budget -= len(body)
        if budget < 0:
            yield member, Skipped("zip_bomb", "archive expands beyond the member limit in total")
            return
        if is_zip_name(info.filename) and zipfile.is_zipfile(io.BytesIO(body)):
            yield from read_nested(member, body, params, depth + 1)
        else:
            yield member, body
