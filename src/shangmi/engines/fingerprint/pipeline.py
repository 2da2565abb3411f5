"""From a `Source` to fingerprinted `Outcome`s, with time limits, and a bounded 2-process map over sources.

`outcomes(source, params, hasher)` reads a source, expands nested ZIPs, fingerprints every file and never
raises for bad input: each file becomes an Outcome with status ``ok``, ``digest_only`` (larger than
max_file_bytes: exact SHA-256 only) or ``skipped`` (with reason and message). A file whose normaliser
runs longer than `file_timeout_s` is skipped as ``timeout`` (SIGALRM; effective in the main thread of a
process, i.e. in every pool worker).

`parallel_map(fn, items, workers)` runs `fn` over items in `workers` forked processes (ordered results not
guaranteed), inheriting module state prepared by the caller before the fork, so that a large index is
shared copy-on-write instead of being pickled. Memory: one in-flight chunk per worker.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .document import Document, digest_only, fingerprint
from .errors import Skipped
from .params import Params
from .sources import Source, file_sha256, is_zip_name, read, read_nested
from .winnow import Hasher


@dataclass
class Outcome:
    name: str
    size: int
    sha256: str
    status: str
    reason: str = ""
    message: str = ""
    doc: Document | None = None
    kind: str = ""

    def manifest(self) -> dict:
        return {
            "path": self.name,
            "size": self.size,
            "sha256": self.sha256,
            "kind": self.kind,
            "status": self.status,
        }


class _Timeout(Exception):
    pass


def _alarm(signum, frame):  # pragma: no cover - timing dependent
    raise _Timeout()


def _with_timeout(seconds: float, fn: Callable[[], Document]) -> Document:
    if seconds <= 0 or threading.current_thread() is not threading.main_thread():
        return fn()
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return fn()
    except _Timeout:
        raise Skipped("timeout", f"normalising took longer than {seconds:g} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _one(name: str, data: bytes, params: Params, hasher: Hasher) -> Outcome:
    import hashlib

    sha = hashlib.sha256(data).hexdigest()
    try:
        doc = _with_timeout(params.file_timeout_s, lambda: fingerprint(name, data, params, hasher))
    except Skipped as exc:
        return Outcome(name, len(data), sha, "skipped", exc.reason, exc.message)
    except RecursionError:
        return Outcome(name, len(data), sha, "skipped", "too_deep", "content nested too deeply to parse")
    except MemoryError:
        return Outcome(name, len(data), sha, "skipped", "too_large", "out of memory while normalising")
    return Outcome(name, len(data), sha, "ok", doc=doc, kind=doc.kind)


def outcomes(source: Source, params: Params, hasher: Hasher) -> list[Outcome]:
    """Fingerprint one source (and, for a ZIP member that is a ZIP, its members)."""
    if source.skip_reason:
        return [Outcome(source.name, source.size, "", "skipped", source.skip_reason, source.skip_message)]
    if not source.member and source.size > params.max_file_bytes:
        try:
            sha = file_sha256(source.path)
        except OSError as exc:
            return [Outcome(source.name, source.size, "", "skipped", "unreadable", str(exc))]
        doc = digest_only(source.name, source.size, sha, hasher)
        return [
            Outcome(
                source.name,
                source.size,
                sha,
                "digest_only",
                "too_large",
                f"{source.size} bytes > {params.max_file_bytes}: exact digest only",
                doc,
                "other",
            )
        ]
    try:
        data = read(source, params)
    except Skipped as exc:
        return [Outcome(source.name, source.size, "", "skipped", exc.reason, exc.message)]
    if len(data) > params.max_file_bytes:
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        doc = digest_only(source.name, len(data), sha, hasher)
        message = f"{len(data)} bytes > {params.max_file_bytes}: exact digest only"
        return [Outcome(source.name, len(data), sha, "digest_only", "too_large", message, doc, "other")]
    if source.member and is_zip_name(source.member):
        import hashlib
        import io
        import zipfile

        if zipfile.is_zipfile(io.BytesIO(data)):
            out = []
            for name, body in read_nested(source.name, data, params, 2):
                if isinstance(body, Skipped):
                    out.append(Outcome(name, 0, "", "skipped", body.reason, body.message))
                else:
                    out.append(_one(name, body, params, hasher))
            return out or [
                Outcome(source.name, len(data), hashlib.sha256(data).hexdigest(), "ok", kind="zip")
            ]
    return [_one(source.name, data, params, hasher)]


_FN: Callable | None = None


def _call(item):
    assert _FN is not None
    return _FN(item)


def parallel_map(fn: Callable, items: Iterable, workers: int, chunksize: int = 8) -> Iterator:
    """Map `fn` over `items` in `workers` forked processes (in this process when workers <= 1)."""
    global _FN
    if workers <= 1:
        yield from map(fn, items)
        return
    _FN = fn
    pool = multiprocessing.get_context("fork").Pool(
        workers, initializer=_child_signals, maxtasksperchild=2000
    )
    try:
        yield from pool.imap_unordered(_call, items, chunksize)
    except BaseException:  # including GeneratorExit when the caller stops early
        pool.terminate()
        raise
    else:
        pool.close()
    finally:
        pool.join()


def _child_signals() -> None:
    """A forked child inherits the parent's handlers, e.g. the task worker's graceful-shutdown SIGTERM
    handler, which would keep Pool.terminate() from stopping it; Ctrl-C is the parent's to handle."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
