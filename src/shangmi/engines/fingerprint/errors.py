"""Typed exceptions of the fingerprint engine.

`Skipped` is raised by a normaliser when a file cannot be fingerprinted (binary junk, a broken DOCX, a ZIP
bomb, a time-out); the scan catches it and lists the file with its `reason` code and message instead of
crashing. The other exceptions are errors of the caller (a bad index, a wrong key)."""

from __future__ import annotations


class FingerprintError(Exception):
    """Base class of every error raised by engines.fingerprint."""


class Skipped(FingerprintError):  # noqa: N818 - a skip is an outcome, not a failure of the engine
    """A file that is listed with a reason instead of being fingerprinted.

    `reason` is a stable machine code (``too_large``, ``undecodable``, ``broken_docx``, ``broken_pdf``,
    ``broken_xlsx``, ``broken_dxf``, ``zip_bomb``, ``encrypted``, ``timeout``, ``unreadable``, ``nested_too_deep``);
    the message is for people."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


class IndexError_(FingerprintError):  # noqa: N801 - avoid shadowing the builtin IndexError
    """The index file is missing, corrupt, of another format version or was built with other parameters."""


class KeyMismatch(FingerprintError):  # noqa: N818
    """The case key given does not match the key the index was built with (or one side has none)."""
