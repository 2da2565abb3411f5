"""Keyed k-gram hashing and winnowing (Schleimer, Wilkerson, Aiken 2003).

A token stream is an `array('I')` of 32-bit token codes. Every k-gram gets a 32-bit selection hash (a
polynomial hash, finalised by a 32-bit mixer, over tokens XOR-ed with a seed derived from the case key).
Winnowing keeps the rightmost minimum of every window of w selection hashes. Each kept k-gram gets a strong
63-bit fingerprint:

* without a key: a 64-bit polynomial hash with the splitmix64 finaliser, separated per channel;
* with a per-case key (privacy mode, issue 7 point 4): HMAC-SHA-256 of channel and k-gram under the key, so
  an index or a result reveals no content to whoever lacks the key, and two parties holding the same key
  can fingerprint their own sides and compare fingerprints only.

numpy, when importable, runs the same arithmetic vectorised (about 30x faster); the pure-Python path gives
bit-identical results (tested), so an index built with one is scanned with the other.
Cost: O(n * (k + w)) machine-word operations for n tokens; memory O(n).
"""

from __future__ import annotations

import hashlib
import hmac
import zlib
from array import array

try:  # optional accelerator; see module docstring
    import numpy as _np
    from numpy.lib.stride_tricks import sliding_window_view as _windows
except ImportError:  # pragma: no cover - exercised only where numpy is absent
    _np = None

MASK63 = (1 << 63) - 1
M32 = 0xFFFFFFFF
M64 = (1 << 64) - 1
B32 = 0x01000193  # FNV-1a 32-bit prime
B64 = 0x100000001B3  # FNV-1a 64-bit prime
GOLDEN = 0x9E3779B97F4A7C15
_PERSON = [b"shangmi-fp-ch%d" % i for i in range(16)]


def token_code(text: str) -> int:
    """A stable 32-bit code for a token string (CRC-32 of its UTF-8)."""
    return zlib.crc32(text.encode("utf-8", "surrogatepass"))


class _CodeCache(dict):
    """token -> token_code, memoised (tokens repeat heavily); cleared when it grows past 1M entries."""

    def __missing__(self, token: str) -> int:
        if len(self) > 1_000_000:
            self.clear()
        code = self[token] = zlib.crc32(token.encode("utf-8", "surrogatepass"))
        return code


TOKEN_CODES = _CodeCache()


def _mix32(h: int) -> int:
    h ^= h >> 16
    h = (h * 0x7FEB352D) & M32
    h ^= h >> 15
    h = (h * 0x846CA68B) & M32
    return h ^ (h >> 16)


def _mix64(z: int) -> int:
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


class Hasher:
    """Fingerprint functions, keyed or not. `key` is the per-case secret (bytes, any length) or None."""

    def __init__(self, key: bytes | None = None, *, accelerate: bool = True) -> None:
        self.key = key or None
        self.accelerate = accelerate and _np is not None
        if self.key:
            self.seed = int.from_bytes(hmac.digest(self.key, b"shangmi-fp select", "sha256")[:4], "big")
            self.key_id = hmac.digest(self.key, b"shangmi-fp key id", "sha256")[:8].hex()
        else:
            self.seed = 0
            self.key_id = ""

    # -- set channels ------------------------------------------------------------------------------------
    def strong_bytes(self, channel: int, data: bytes) -> int:
        """63-bit fingerprint of an arbitrary byte string (literal, field value, entity) in `channel`."""
        if self.key:
            digest = hmac.digest(self.key, bytes((channel,)) + data, "sha256")
        else:
            digest = hashlib.blake2b(data, digest_size=8, person=_PERSON[channel]).digest()
        return int.from_bytes(digest[:8], "big") & MASK63

    def values(self, channel: int, values: list[bytes]) -> list[int]:
        """One fingerprint per value (set channels)."""
        if self.key:
            strong = self.strong_bytes
            return [strong(channel, v) for v in values]
        blake, person, frm = hashlib.blake2b, _PERSON[channel], int.from_bytes
        return [frm(blake(v, digest_size=8, person=person).digest(), "big") & MASK63 for v in values]

    # -- winnowed channels -------------------------------------------------------------------------------
    def winnow(self, channel: int, tokens: array, k: int, w: int) -> tuple[list[int], list[int]]:
        """Winnow `tokens` (array('I') of 32-bit codes); return (fingerprints, start positions).

        Precondition: k >= 1, w >= 1. A stream shorter than k tokens yields nothing; one with at most w
        k-grams yields its single minimum. Positions are strictly increasing."""
        n = len(tokens) - k + 1
        if n <= 0:
            return [], []
        salt = channel * GOLDEN & M64
        if self.accelerate:
            positions, fps = self._select_np(tokens, k, w, salt)
        else:
            positions, fps = self._select_py(tokens, k, w, salt)
        if self.key:
            data = tokens.tobytes() if tokens.itemsize == 4 else array("I", tokens).tobytes()
            mac = hmac.digest
            key = self.key
            prefix = bytes((channel,))
            fps = [
                int.from_bytes(mac(key, prefix + data[4 * p : 4 * p + 4 * k], "sha256")[:8], "big") & MASK63
                for p in positions
            ]
        return fps, positions

    def _select_py(self, tokens: array, k: int, w: int, salt: int) -> tuple[list[int], list[int]]:
        seed = self.seed
        xs = [t ^ seed for t in tokens]
        n = len(xs) - k + 1
        sel = [0] * n
        for i in range(n):
            h = 0
            for j in range(k):
                h = (h * B32 + xs[i + j]) & M32
            sel[i] = _mix32(h)
        positions = select(sel, w)
        weak = []
        for p in positions:
            g = 0
            for j in range(k):
                g = (g * B64 + xs[p + j] + 1) & M64
            weak.append(_mix64(g ^ salt) & MASK63)
        return positions, weak

    def _select_np(self, tokens: array, k: int, w: int, salt: int) -> tuple[list[int], list[int]]:
        np = _np
        xs = np.frombuffer(array("I", tokens) if tokens.typecode != "I" else tokens, dtype=np.uint32)
        xs = xs ^ np.uint32(self.seed)
        n = len(xs) - k + 1
        h = np.zeros(n, dtype=np.uint32)
        b32 = np.uint32(B32)
        for j in range(k):
            h = h * b32 + xs[j : j + n]
        h ^= h >> np.uint32(16)
        h *= np.uint32(0x7FEB352D)
        h ^= h >> np.uint32(15)
        h *= np.uint32(0x846CA68B)
        h ^= h >> np.uint32(16)
        enc = (h.astype(np.uint64) << np.uint64(32)) | (np.uint64(M32) - np.arange(n, dtype=np.uint64))
        if n <= w:
            mins = enc.min(keepdims=True)
        else:
            mins = _windows(enc, w).min(axis=1)
            keep = np.empty(len(mins), dtype=bool)
            keep[0] = True
            np.not_equal(mins[1:], mins[:-1], out=keep[1:])
            mins = mins[keep]
        pos = (np.uint64(M32) - (mins & np.uint64(M32))).astype(np.int64)
        x64 = xs.astype(np.uint64) + np.uint64(1)
        g = np.zeros(len(pos), dtype=np.uint64)
        b64 = np.uint64(B64)
        for j in range(k):
            g = g * b64 + x64[pos + j]
        g ^= np.uint64(salt)
        g = (g ^ (g >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        g = (g ^ (g >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        g ^= g >> np.uint64(31)
        g &= np.uint64(MASK63)
        return pos.tolist(), g.tolist()


def select(hashes: list[int], w: int) -> list[int]:
    """Winnowing selection: positions of the rightmost minimum of every window of `w` 32-bit hashes,
    without repeats, in increasing order. Cost O(n * w) in C-level loops."""
    n = len(hashes)
    if n == 0:
        return []
    enc = [(h << 32) | (M32 - i) for i, h in enumerate(hashes)]
    if n <= w:
        return [M32 - (min(enc) & M32)]
    last = n - w + 1
    mins = map(min, zip(*(enc[j : last + j] for j in range(w)), strict=True))
    return [M32 - (v & M32) for v in dict.fromkeys(mins)]
