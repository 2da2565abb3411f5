"""Counter-based pseudo-random numbers for the scenario generator, as Polars expressions.

Every random draw of the background is a pure function of (seed, row key): a SplitMix64 finaliser over
a 64-bit key that names the row (file, stream, user, day, index). So the output does not depend on how
the work is chunked, on thread scheduling, or on the Polars version (we never use `Expr.hash`, whose
values may change between releases), and the same seed gives identical bytes.

Cost: one `mix` is four vectorised passes over a UInt64 column (about 10 ns a row on one core); one mixed
word yields four 16-bit draws.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import polars as pl

U64 = pl.UInt64
MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
_M1 = 0xBF58476D1CE4E5B9
_M2 = 0x94D049BB133111EB

# Row-key layout (60 bits): file (3) | stream (4) | user (20) | day (13) | index (20).
MAX_USERS = 1 << 20
MAX_DAYS = 1 << 13
MAX_INDEX = 1 << 20
INJECTED_STREAM = 15

ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_CHUNK = len(ID_ALPHABET) ** 4  # 1,679,616 four-character chunks


def mix64(value: int) -> int:
    """SplitMix64 finaliser in plain Python (a bijection on 64-bit integers); the reference for `mix`."""
    z = (value + GOLDEN) & MASK
    z = ((z ^ (z >> 30)) * _M1) & MASK
    z = ((z ^ (z >> 27)) * _M2) & MASK
    return z ^ (z >> 31)


def derive(seed: int, *labels: int | str) -> int:
    """A 64-bit sub-seed for (seed, labels…), stable across runs and platforms."""
    value = mix64(seed & MASK)
    for label in labels:
        if isinstance(label, str):
            for byte in label.encode():
                value = mix64(value ^ byte)
        else:
            value = mix64(value ^ (label & MASK))
    return value


def with_mixed(frame: pl.LazyFrame, source: str, names: Sequence[str], salt: int) -> pl.LazyFrame:
    """Add one UInt64 column per name: mix(source XOR salt_i). Each step is its own `with_columns` so no
    sub-expression is evaluated twice."""
    salts = [derive(salt, i) for i in range(len(names))]
    frame = frame.with_columns(
        ((pl.col(source).cast(U64) ^ pl.lit(s, U64)) + pl.lit(GOLDEN, U64)).alias(n)
        for n, s in zip(names, salts, strict=True)
    )
    for shift, mult in ((30, _M1), (27, _M2)):
        frame = frame.with_columns(
            ((pl.col(n) ^ (pl.col(n) // pl.lit(1 << shift, U64))) * pl.lit(mult, U64)).alias(n) for n in names
        )
    return frame.with_columns((pl.col(n) ^ (pl.col(n) // pl.lit(1 << 31, U64))).alias(n) for n in names)


def part(word: str, j: int) -> pl.Expr:
    """The j-th (0–3) 16-bit draw of a mixed word, as Int64 in [0, 65536)."""
    return ((pl.col(word) // pl.lit(1 << (16 * j), U64)) % pl.lit(65536, U64)).cast(pl.Int64)


def below(word: str, j: int, n: pl.Expr | int) -> pl.Expr:
    """A draw in [0, n) (n ≤ 65536; n may be a column)."""
    n_expr = n if isinstance(n, pl.Expr) else pl.lit(n, pl.Int64)
    return (part(word, j) * n_expr) // 65536


def between(word: str, j: int, lo: pl.Expr | int, hi: pl.Expr | int) -> pl.Expr:
    """A draw in [lo, hi] inclusive."""
    lo_expr = lo if isinstance(lo, pl.Expr) else pl.lit(lo, pl.Int64)
    hi_expr = hi if isinstance(hi, pl.Expr) else pl.lit(hi, pl.Int64)
    return lo_expr + below(word, j, hi_expr - lo_expr + 1)


def chance(word: str, j: int, p: pl.Expr | float) -> pl.Expr:
    """True with probability p (resolution 1/65536)."""
    p_expr = p if isinstance(p, pl.Expr) else pl.lit(p, pl.Float64)
    return part(word, j) < (p_expr * 65536)


def row_key(file_code: int, stream: int, user: pl.Expr, day: pl.Expr, index: pl.Expr) -> pl.Expr:
    """The unique 60-bit key of a row (see the layout above), as UInt64."""
    head = ((file_code << 4) | stream) << 53
    return (
        pl.lit(head, pl.Int64)
        + user.cast(pl.Int64) * (1 << 33)
        + day.cast(pl.Int64) * (1 << 20)
        + index.cast(pl.Int64)
    ).cast(U64)


def sort_key(sec: pl.Expr, base: int, key: pl.Expr) -> pl.Expr:
    """One UInt64 that orders rows by time, then by (stream, user, index): seconds since `base` (23 bits,
    up to 97 days) | stream (4) | user (20) | index (low 12 bits). Within one file and one chunk of days
    this is unique, so sorting by it alone is a total, reproducible order."""
    k = key.cast(U64)
    stream = (k // pl.lit(1 << 53, U64)) % pl.lit(16, U64)
    user = (k // pl.lit(1 << 33, U64)) % pl.lit(MAX_USERS, U64)
    index = k % pl.lit(1 << 12, U64)
    rel = (sec - base).cast(U64)
    return rel * pl.lit(1 << 36, U64) + stream * pl.lit(1 << 32, U64) + user * pl.lit(1 << 12, U64) + index


def chunk_table() -> pl.Series:
    """All 36^4 four-character strings over ID_ALPHABET, in order."""
    return pl.Series("chunk", ["".join(p) for p in itertools.product(ID_ALPHABET, repeat=4)])


def with_ids(frame: pl.LazyFrame, key: str, seed: int, table: pl.Series) -> pl.LazyFrame:
    """Add `id`, a CERT-style `{XXXX-XXXXXXXX-XXXXXXXX}` string that is an injective function of `key`:
    the key is permuted by a bijective mix, written in base 36 (four chunks carry all 64 bits), and the
    remaining characters are decoration."""
    salt = derive(seed, "ids")
    frame = frame.with_columns((pl.col(key) ^ pl.lit(salt, U64)).alias("_v"))
    frame = with_mixed(frame, "_v", ["_v"], 0)
    frame = frame.with_columns((pl.col("_v") * pl.lit(_M1, U64) + pl.lit(GOLDEN, U64)).alias("_d"))
    c = pl.lit(_CHUNK, U64)
    v = pl.col("_v")
    c0 = v % c
    c1 = (v // c) % c
    c2 = (v // (c * c)) % c
    top = v // (c * c * c)  # 0..3
    c3 = ((pl.col("_d") % pl.lit(_CHUNK // 4, U64)) * pl.lit(4, U64)) + top
    c4 = (pl.col("_d") // pl.lit(1 << 32, U64)) % c
    chunks = pl.lit(table)
    ident = pl.concat_str(
        [
            pl.lit("{"),
            chunks.gather(c3),
            pl.lit("-"),
            chunks.gather(c0),
            chunks.gather(c1),
            pl.lit("-"),
            chunks.gather(c2),
            chunks.gather(c4),
            pl.lit("}"),
        ]
    )
    return frame.with_columns(ident.alias("id")).drop("_v", "_d")
