"""The derived event fields of a Mapping: host, object, destination (a URL's host, recipients'
domains), bytes and count (items of a list), as polars expressions over the loader's staged frame.

Every expression is vectorised; the URL host uses literal finds and slices (see _url_host) and e-mail
domains one regex; they run on kept rows only."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import polars as pl

if TYPE_CHECKING:
    from shangmi.engines.risk.loaders import Mapping

_EMAIL_DOMAIN = r"@[A-Za-z0-9.\-]+"


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def derived_sources(mapping: Mapping) -> list[str]:
    """The source columns read by the derived fields (host, object, destination, bytes, count)."""
    wanted: list[str] = []
    for value in (mapping.host, mapping.object, mapping.destination, mapping.bytes, mapping.count):
        wanted.extend([value] if isinstance(value, str) else list(value or ()))
    return wanted


def derived_fields(mapping: Mapping, names: list[str]) -> list[list[pl.Expr]]:
    """Projection steps over the staged frame (kept rows only); the last one yields SCHEMA."""

    def column(value: str | None, dtype: pl.DataType) -> pl.Expr:
        if value is None or value not in names:
            return pl.lit(None, dtype=dtype)
        return pl.col(value).cast(dtype, strict=False)

    sep = mapping.list_separator
    obj = column(mapping.object, pl.String())
    if mapping.object_from == "list_names" and mapping.object in names:
        obj = obj.str.replace_all(r"\(\d*\)\s*(" + re.escape(sep) + "|$)", "$1")
    count = column(mapping.count, pl.Int32())
    if mapping.count_from == "list_items":
        items = column(mapping.count, pl.String()).str.split(sep)
        count = (
            items.list.eval(pl.element().str.strip_chars().str.len_bytes() > 0)
            .list.sum()
            .fill_null(0)
            .cast(pl.Int32)
        )
    steps, destination = _destination(mapping, names)
    final = [
        pl.col("time"),
        pl.col("day"),
        pl.col("user"),
        column(mapping.host, pl.String()).alias("host"),
        pl.col("action"),
        obj.alias("object"),
        destination.alias("destination"),
        column(mapping.bytes, pl.Int64()).alias("bytes"),
        count.alias("count"),
        pl.lit(mapping.name, dtype=pl.String).alias("source"),
    ]
    return [*steps, final]


def _destination(mapping: Mapping, names: list[str]) -> tuple[list[list[pl.Expr]], pl.Expr]:
    wanted = mapping.destination
    sources = [wanted] if isinstance(wanted, str) else list(wanted or ())
    sources = [name for name in sources if name in names]
    if not sources:
        return [], pl.lit(None, dtype=pl.String)
    if mapping.destination_from == "url_host":
        return _url_host(sources[0])
    if mapping.destination_from == "email_domains":
        joined = pl.concat_str([_text(name) for name in sources], separator=";", ignore_nulls=True)
        domains = (
            joined.str.extract_all(_EMAIL_DOMAIN)
            .list.eval(pl.element().str.slice(1).str.strip_chars(".").str.to_lowercase())
            .list.unique()
            .list.sort()
            .list.join(",")
        )
        return [], pl.when(domains.str.len_bytes() > 0).then(domains)
    return [], _text(sources[0])


def _url_host(name: str) -> tuple[list[list[pl.Expr]], pl.Expr]:
    """The lowercased host of a URL (``scheme://[userinfo@]host[:port]/…`` or ``host/…``).

    Literal/character-class finds and slices instead of one capturing regex: 3-4x less CPU on 10^7
    URLs; the rare authority with userinfo, port or capitals goes through a small regex."""
    big = 1 << 30
    url = _text(name)
    after_scheme = url.str.slice(url.str.find("://", literal=True).fill_null(-3) + 3)
    rest = pl.col("_url_rest")
    authority = rest.str.head(rest.str.find(r"[/?#]").fill_null(big))
    auth = pl.col("_url_authority")
    host = (
        pl.when(auth.str.contains(r"[@:A-Z]"))
        .then(auth.str.extract(r"^(?:[^@]*@)?([^:]*)", 1).str.to_lowercase())
        .otherwise(auth)
    )
    steps = [
        [after_scheme.alias("_url_rest")],
        [authority.alias("_url_authority")],
        [host.alias("_url_host")],
    ]
    found = pl.col("_url_host")
    return steps, pl.when(found.str.len_bytes() > 0).then(found)
