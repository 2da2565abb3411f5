"""64-bit keys for the strings of events, and the dictionary that turns keys back into strings.

The feature pass reads every event, and reading the `object` and `destination` strings of 10^8 events
costs several times a whole group-by; classifying them (register globs, destination classes) per event
costs more again. So ingestion stores, beside the strings, their hashes (`user_key`, `object_key`,
`destination_key`, UInt64) and, once per source file, a dictionary of the distinct (kind, key, value)
triples: users, destinations, and the objects of file-like actions (the only ones a register or an
archive test applies to; web visits' URLs are left out, they are most of the distinct strings). At scoring
the classes are worked out over the dictionary's distinct values and the events are read as integers.

Keys are polars' `hash(SEED)`, which polars does not promise to keep across its versions: a key is only
ever interpreted through the dictionary written beside it, so files written by different versions still
resolve to the same strings (a key then merely has two spellings). A false match needs two distinct
strings of one store with the same 64-bit hash: probability ~ distinct² / 2^65, below 10^-8 for 10^6."""

from __future__ import annotations

import polars as pl

SEED = 0x5A6D
USER, OBJECT, DESTINATION = 0, 1, 2
KEY_COLUMNS: dict[str, pl.DataType] = {
    "user_key": pl.UInt64(),
    "object_key": pl.UInt64(),
    "destination_key": pl.UInt64(),
}
DICTIONARY_SCHEMA: dict[str, pl.DataType] = {"kind": pl.UInt8(), "key": pl.UInt64(), "value": pl.String()}

# Actions on a file (or an attachment, an upload's file): a register pattern can only apply to their
# objects, and only their objects are kept in the dictionary.
FILE_ACTIONS = (
    "file_open",
    "file_copy",
    "file_write",
    "usb_copy",
    "upload",
    "download",
    "email_send",
    "print",
    "app_export",
    "file_rename",
)


def with_keys(events: pl.LazyFrame) -> pl.LazyFrame:
    """The events with KEY_COLUMNS appended."""
    return events.with_columns(
        pl.col("user").hash(SEED).alias("user_key"),
        pl.col("object").hash(SEED).alias("object_key"),
        pl.col("destination").hash(SEED).alias("destination_key"),
    )


def dictionary(keyed: pl.LazyFrame) -> pl.LazyFrame:
    """The distinct (kind, key, value) of keyed events (with_keys): every user and destination, and the
    objects of FILE_ACTIONS. Cost: three hash-based distincts over the key columns."""

    def distinct(kind: int, key: str, value: str, rows: pl.LazyFrame) -> pl.LazyFrame:
        return (
            rows.filter(pl.col(value).is_not_null())
            .select(
                pl.lit(kind, pl.UInt8).alias("kind"), pl.col(key).alias("key"), pl.col(value).alias("value")
            )
            .unique(subset=["key"])
        )

    files = keyed.filter(pl.col("action").is_in(FILE_ACTIONS))
    return pl.concat(
        [
            distinct(USER, "user_key", "user", keyed),
            distinct(OBJECT, "object_key", "object", files),
            distinct(DESTINATION, "destination_key", "destination", keyed),
        ]
    )


def merge(dictionaries: list[pl.DataFrame]) -> pl.DataFrame:
    """One dictionary from several (one per source file): distinct (kind, key)."""
    if not dictionaries:
        return pl.DataFrame(schema=DICTIONARY_SCHEMA)
    return pl.concat(dictionaries).unique(subset=["kind", "key"])
