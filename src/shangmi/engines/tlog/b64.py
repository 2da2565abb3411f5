"""Canonical standard base64, as every C2SP text format here requires: one encoding per value."""

from __future__ import annotations

import base64
import binascii


class Base64Error(ValueError):
    """`str(error)` completes "<what> is …": "not valid base64" or "not canonical base64"."""


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode_canonical(text: str) -> bytes:
    try:
        data = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise Base64Error("not valid base64") from None
    if b64encode(data) != text:
        raise Base64Error("not canonical base64")
    return data
