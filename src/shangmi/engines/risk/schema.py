"""The normalised event: one row per thing a person did on a computer, whatever log it came from.

Every loader produces exactly these columns, in this order, with these types; the store keeps them in
Parquet partitioned by day, and the indicators read nothing else. Times are UTC (a timezone-aware
column); `day` is the partition key, the event's calendar day in the organisation's time zone."""

from __future__ import annotations

import polars as pl

ENGINE_VERSION = "shangmi-risk/1"

# What a person did. Loaders map their own vocabularies onto these and drop what has no equivalent.
ACTIONS = (
    "logon",
    "logoff",
    "file_open",
    "file_copy",
    "file_write",
    "usb_copy",  # a file written to removable media
    "usb_connect",  # removable media attached (CERT device.csv "Connect")
    "upload",
    "download",
    "web_visit",
    "email_send",
    "print",
    "app_export",  # an export from a business application (CRM, ERP, PLM)
    # a file renamed or moved: `object` is the old path, `destination` the new one (where it went).
    # Last in the Enum, so stores written before it read unchanged.
    "file_rename",
)
ACTION = pl.Enum(ACTIONS)

SCHEMA: dict[str, pl.DataType] = {
    "time": pl.Datetime("us", "UTC"),
    "day": pl.Date(),
    "user": pl.String(),
    "host": pl.String(),
    "action": ACTION,
    # File path, URL, or e-mail subject/attachment names: what was acted on.
    "object": pl.String(),
    # Where it went: a domain (uploads, web, the recipients' domains of an e-mail, comma-separated),
    # a device id (USB), a printer, or a rename's new path. Empty when nothing left the machine.
    "destination": pl.String(),
    "bytes": pl.Int64(),
    # How many items the event stands for: attachments of an e-mail, records of an export, pages printed.
    "count": pl.Int32(),
    # Which loader or preset produced the row (cert-r6/file, dlp, jsonl …).
    "source": pl.String(),
}
COLUMNS = tuple(SCHEMA)


def empty() -> pl.DataFrame:
    return pl.DataFrame(schema=SCHEMA)


def conform(frame: pl.DataFrame | pl.LazyFrame):
    """Select and cast to SCHEMA (missing optional columns become nulls). Raises SchemaError naming the
    first required column that is missing."""
    names = frame.collect_schema().names() if isinstance(frame, pl.LazyFrame) else frame.columns
    for required in ("time", "user", "action"):
        if required not in names:
            raise SchemaError(f"events lack the required column {required!r}")
    exprs = []
    for name, dtype in SCHEMA.items():
        exprs.append(pl.col(name).cast(dtype) if name in names else pl.lit(None, dtype=dtype).alias(name))
    return frame.select(exprs)


class SchemaError(ValueError):
    """Input that cannot become normalised events."""
