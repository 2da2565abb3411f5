"""The key dictionary's strings classified once, as tables the compiled pass looks keys up in.

Each distinct object and destination is classified with the organisation's context: registered carrier
(the register's prefilter, then its exact globs), archive names, destination classes (own, competitor,
personal cloud and webmail, job sites, other external), the CRM host. Only keys that have a class go into
the kernel's tables, behind a Bloom filter (kernel.key_filter): a miss means "no class".
Cost: a few regexes over the distinct strings; nothing per event."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from shangmi.engines.risk import destinations as d
from shangmi.engines.risk import kernel
from shangmi.engines.risk import keys as k
from shangmi.engines.risk.context import Context

ARCHIVE_RE = r"(?i)\.(?:zip|7z|rar|tar|gz|tgz|bz2|xz|cab|iso)\s*(?:$|[;|,(])"
# an archive written, or a file renamed to an archive's name (end-anchored, so the regex engine searches
# from the end). Renaming a registered carrier (to anything) is the other obfuscation step
# (`registered_renamed`): CERT r6 records no renames, DLP exports and JSON Lines logs may.
OBFUSCATION_RE = r"(?i)\.(?:zip|7z|rar|tar|gz|tgz|bz2|xz|cab|iso)$"


def destination_table(values: pl.Series, context: Context) -> pl.DataFrame:
    """Distinct destinations with their class flags (destinations.flags), `crm`, and `archive` (a
    rename's new name that is an archive). Cost: regexes over the distinct values only."""
    table = context.destination_flags(values)
    return table.with_columns(
        crm=pl.col("destination").str.contains(context.crm_regex()),
        archive=pl.col("destination").str.contains(OBFUSCATION_RE),
    )


_DEST_BITS = {
    d.OWN: kernel.DEST_OWN,
    d.COMPETITOR: kernel.DEST_COMPETITOR,
    d.PERSONAL_CLOUD: kernel.DEST_CLOUD,
    d.PERSONAL_WEBMAIL: kernel.DEST_WEBMAIL,
    d.JOB_SITE: kernel.DEST_JOB,
    d.EXTERNAL: kernel.DEST_EXTERNAL,
    "crm": kernel.DEST_CRM,
    "archive": kernel.DEST_ARCHIVE,
}


def _bits(flags: dict[str, int]) -> pl.Expr:
    return pl.sum_horizontal(pl.when(pl.col(name)).then(bit).otherwise(0) for name, bit in flags.items())


@dataclass
class Lookups:
    """The dictionary's keys as kernel tables, with what each key stands for."""

    users: pl.Series  # distinct user names; kernel rows index this
    user_table: np.ndarray
    user_index: np.ndarray  # dictionary user row → position in `users`
    objects: pl.Series  # dictionary object values; registered events name their row
    object_table: np.ndarray
    object_filter: np.ndarray
    object_bits: np.ndarray
    destination_table: np.ndarray
    destination_filter: np.ndarray
    destination_bits: np.ndarray
    job_table: np.ndarray  # the job sites among the destinations
    destinations: pl.DataFrame  # destination_table() of the distinct destinations


def build(dictionary: pl.DataFrame, context: Context) -> Lookups:
    kind = pl.col("kind")
    users = dictionary.filter(kind == k.USER)
    names = users["value"].unique().sort()
    user_index = names.search_sorted(users["value"]).cast(pl.Int32).to_numpy()
    value = pl.col("value")
    registered = pl.lit(False)
    if (prefilter := context.prefilter_regex()) is not None:
        exact = context.register_regex()
        registered = value.str.contains(prefilter) & value.str.contains(exact)
    # Only keys with a class go into the kernel's tables (a miss means "no class"): registered carriers
    # and archives are a small share of the objects, so the table stays in cache.
    objects = (
        dictionary.filter(kind == k.OBJECT)
        .with_columns(
            bits=pl.when(registered).then(kernel.OBJ_REGISTERED).otherwise(0)
            | pl.when(value.str.contains(OBFUSCATION_RE)).then(kernel.OBJ_ARCHIVE).otherwise(0)
            | pl.when(value.str.contains(ARCHIVE_RE)).then(kernel.OBJ_ARCHIVE_LISTED).otherwise(0)
        )
        .filter(pl.col("bits") != 0)
    )
    dests = dictionary.filter(kind == k.DESTINATION)
    table = destination_table(dests["value"], context)
    dests = (
        dests.join(table.rename({"destination": "value"}), on="value", how="left", maintain_order="left")
        .with_columns(bits=_bits(_DEST_BITS).fill_null(0))
        .filter(pl.col("bits") != 0)
    )
    return Lookups(
        users=names,
        user_table=kernel.table(users["key"].to_numpy()),
        user_index=user_index,
        objects=objects["value"],
        object_table=kernel.table(objects["key"].to_numpy()),
        object_filter=kernel.key_filter(objects["key"].to_numpy()),
        object_bits=objects["bits"].cast(pl.UInt8).to_numpy(),
        destination_table=kernel.table(dests["key"].to_numpy()),
        destination_filter=kernel.key_filter(dests["key"].to_numpy()),
        destination_bits=dests["bits"].cast(pl.UInt8).to_numpy(),
        job_table=kernel.table(dests.filter((pl.col("bits") & kernel.DEST_JOB) > 0)["key"].to_numpy()),
        destinations=table,
    )
