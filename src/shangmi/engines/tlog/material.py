"""Digests of material: SHA-256 and SM3 (GB/T 32905) in one streaming pass, files hashed on both cores.

hashlib releases the GIL while hashing buffers, so a thread per file keeps two cores busy without
copying data between processes. SM3 comes from OpenSSL 3 through hashlib.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

CHUNK = 1 << 20  # 1 MiB reads: large enough for the GIL to be released during hashing


class MaterialError(OSError):
    """A file could not be read; the message names it."""


@dataclass(frozen=True)
class MaterialDigest:
    sha256: str
    sm3: str
    size: int


def sm3_available() -> bool:
    try:
        hashlib.new("sm3")
    except ValueError:
        return False
    return True


def digest_stream(chunks: Iterable[bytes], on_bytes: Callable[[int], None] | None = None) -> MaterialDigest:
    sha = hashlib.sha256()
    sm3 = hashlib.new("sm3")
    size = 0
    for chunk in chunks:
        sha.update(chunk)
        sm3.update(chunk)
        size += len(chunk)
        if on_bytes:
            on_bytes(len(chunk))
    return MaterialDigest(sha.hexdigest(), sm3.hexdigest(), size)


def digest_bytes(data: bytes) -> MaterialDigest:
    return digest_stream([data])


def _read_chunks(path: Path) -> Iterator[bytes]:
    with open(path, "rb", buffering=0) as handle:
        buffer = bytearray(CHUNK)
        view = memoryview(buffer)
        while True:
            n = handle.readinto(buffer)
            if not n:
                return
            yield bytes(view[:n])


def digest_file(path: Path, on_bytes: Callable[[int], None] | None = None) -> MaterialDigest:
    """Read `path` once; cost: one pass over the file, memory O(CHUNK)."""
    try:
        return digest_stream(_read_chunks(path), on_bytes)
    except OSError as error:
        raise MaterialError(f"cannot read {path}: {error.strerror or error}") from error


def digest_files(
    paths: list[Path], workers: int = 2, on_bytes: Callable[[int], None] | None = None
) -> Iterator[tuple[Path, MaterialDigest]]:
    """Digest many files on `workers` threads, yielding results in the order of `paths`."""
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [pool.submit(digest_file, path, on_bytes) for path in paths]
        for path, future in zip(paths, futures, strict=True):
            yield path, future.result()
