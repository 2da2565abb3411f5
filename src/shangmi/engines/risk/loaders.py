"""Loading CSV and JSON Lines logs into normalised events (schema.SCHEMA) with polars.

A :class:`Mapping` says which source column gives each event field and how values are translated. The
loaders are lazy: :func:`load_csv` / :func:`load_jsonl` only read the first 64 KiB of the file (to check
that it is UTF-8 text with the mapped columns) and return a :class:`LoadResult` holding a polars plan.
The file is parsed when the result is run: :meth:`LoadResult.collect` for small inputs, or
``EventStore.ingest`` which streams it straight into Parquet (memory bounded by polars' streaming engine,
not by the file size). Every row is read once; the drop counts are computed in the same pass.

Rows are dropped, and counted per reason (:data:`DROP_REASONS`, checked in this order), when
``bad_time`` the time is missing, unparseable, or does not exist in the source time zone (a DST gap);
``missing_user`` the user is missing or empty;
``ignored_action`` the action is one the mapping ignores on purpose (CERT e-mail "View");
``unknown_action`` the action has no equivalent in schema.ACTIONS.

Cost: one pass over the file, vectorised (no Python per row): an explicit strptime format (times:
see loadtime), hash look-ups for actions, and derived fields (URL host, recipient domains, attachment
lists) computed on kept rows only. About 1 µs of CPU per CSV row including the Parquet write.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl

from shangmi.engines.risk.loadfields import derived_fields, derived_sources
from shangmi.engines.risk.loadtime import check_tz, fixed_offset, time_steps
from shangmi.engines.risk.schema import ACTION, ACTIONS, COLUMNS, SchemaError

__all__ = [
    "DROP_REASONS",
    "LoadCounts",
    "LoadError",
    "LoadResult",
    "Mapping",
    "Promote",
    "check_tz",
    "csv_header",
    "fixed_offset",
    "load_csv",
    "load_jsonl",
]

DROP_REASONS = ("bad_time", "missing_user", "ignored_action", "unknown_action")
DROP = pl.Enum(DROP_REASONS)
SNIFF_BYTES = 64 * 1024
TRUE_VALUES = ("True", "true", "TRUE", "1", "yes", "Yes", "YES", "Y", "y", "T", "t")


class LoadError(SchemaError):
    """A source file that cannot be loaded; ``str()`` names the file and the problem."""

    def __init__(self, path: Path | str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = Path(path)
        self.problem = problem


@dataclass(frozen=True)
class Promote:
    """Change the action of a row to ``action`` when its mapped action is in ``when`` and the boolean
    source column ``column`` is true (CERT file.csv: a copy or write with to_removable_media → usb_copy)."""

    column: str
    when: tuple[str, ...]
    action: str


@dataclass(frozen=True)
class Mapping:
    """Where each normalised field comes from in one kind of source file.

    Field names (``time``, ``user`` …) hold the *source column* (CSV header name or JSON key). ``time``
    and ``user`` are required; ``action`` is a column unless ``constant_action`` is given. Columns named
    in ``optional`` may be absent from a file (they become nulls); all other mapped columns must exist.

    ``time_format`` is a strptime format (e.g. ``"%m/%d/%Y %H:%M:%S"``) or None for ISO 8601 (``T`` or
    space, optional fraction, optional ``Z``/offset); times without an offset are local times of
    ``source_tz``. ``action_map`` translates source values (None: values must already be in ACTIONS);
    ``fold_case`` lowercases source actions first. Values in ``ignore_actions`` are dropped as
    ``ignored_action``, other unmapped values as ``unknown_action``.

    Derived fields: ``destination_from="url_host"`` takes the lowercased host of a URL column;
    ``"email_domains"`` takes the recipients' domains from one or more address-list columns (tuple),
    lowercased, de-duplicated, sorted and comma-joined. ``count_from="list_items"`` counts the non-empty
    items of a ``list_separator``-separated column (0 when empty); ``object_from="list_names"`` keeps that
    list with each item's trailing ``(size)`` removed (CERT attachments ``name(size);name(size)``).
    """

    name: str
    time: str
    user: str
    action: str | None = None
    host: str | None = None
    object: str | None = None
    destination: str | tuple[str, ...] | None = None
    bytes: str | None = None
    count: str | None = None
    time_format: str | None = None
    source_tz: str = "Asia/Shanghai"
    action_map: dict[str, str] | None = None
    fold_case: bool = False
    ignore_actions: frozenset[str] = frozenset()
    constant_action: str | None = None
    destination_from: Literal["value", "url_host", "email_domains"] = "value"
    count_from: Literal["value", "list_items"] = "value"
    object_from: Literal["value", "list_names"] = "value"
    list_separator: str = ";"
    promote: Promote | None = None
    optional: frozenset[str] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if (self.action is None) == (self.constant_action is None):
            raise ValueError(f"mapping {self.name!r}: give exactly one of action and constant_action")
        targets = set((self.action_map or {}).values())
        targets |= {self.constant_action} if self.constant_action else set()
        targets |= {self.promote.action, *self.promote.when} if self.promote else set()
        unknown = sorted(targets - set(ACTIONS))
        if unknown:
            raise ValueError(f"mapping {self.name!r}: {', '.join(unknown)} not in schema.ACTIONS")
        check_tz(self.source_tz)

    def columns(self) -> list[str]:
        """Every source column the mapping reads, in a stable order."""
        names: list[str] = [self.time, self.user]
        for value in (self.action, self.host, self.object, self.destination, self.bytes, self.count):
            if isinstance(value, tuple):
                names.extend(value)
            elif value is not None:
                names.append(value)
        if self.promote:
            names.append(self.promote.column)
        return list(dict.fromkeys(names))

    def required(self) -> list[str]:
        return [name for name in self.columns() if name not in self.optional]


@dataclass
class LoadCounts:
    """What one run over a source file found: ``rows_read == rows_kept + sum(dropped.values())``."""

    rows_read: int
    rows_kept: int
    dropped: dict[str, int]


@dataclass
class LoadResult:
    """A source file mapped onto the event schema, not yet parsed (see the module docstring).

    ``staged`` has the kept-or-not columns (time, day, user, action, drop reason) plus the raw columns
    the derived fields need; :meth:`events` turns it into SCHEMA rows. ``counts`` is filled by the first
    run (:meth:`run`, :meth:`collect`, or the store's ingest)."""

    path: Path
    source: str
    staged: pl.LazyFrame
    derived: list[list[pl.Expr]]
    counts: LoadCounts | None = None

    def events(self) -> pl.LazyFrame:
        """The kept rows, SCHEMA columns in schema order (lazy; parsing happens when collected)."""
        frame = self.staged.filter(pl.col("drop").is_null())
        for step in self.derived[:-1]:  # helper columns, one step each so nothing is computed twice
            frame = frame.with_columns(step)
        return frame.select(self.derived[-1])

    def run(self, *sinks: pl.LazyFrame) -> list[pl.DataFrame]:
        """Execute the drop counts and ``sinks`` (lazy frames built from :meth:`events`, e.g. lazy
        ``sink_parquet``) in one pass over the file; sets ``counts`` and returns the sinks' frames.
        Raises LoadError naming the file when polars cannot parse it."""
        tally = self.staged.group_by("drop").agg(pl.len())
        try:
            frames = pl.collect_all([tally, *sinks], engine="streaming")
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
            raise LoadError(self.path, _polars_problem(error)) from None
        dropped = dict.fromkeys(DROP_REASONS, 0)
        kept = 0
        for reason, rows in frames[0].iter_rows():
            if reason is None:
                kept = rows
            else:
                dropped[reason] = rows
        self.counts = LoadCounts(kept + sum(dropped.values()), kept, dropped)
        return frames[1:]

    def collect(self) -> pl.DataFrame:
        """Parse the whole file into memory: the kept events (SCHEMA). Small inputs and tests only."""
        return self.run(self.events())[0]

    def count(self) -> LoadCounts:
        if self.counts is None:
            self.run()
        assert self.counts is not None
        return self.counts


def load_csv(
    path: Path | str, mapping: Mapping, *, tz: str = "Asia/Shanghai", separator: str = ","
) -> LoadResult:
    """Map a CSV file with a header row (UTF-8, optional BOM). Reads 64 KiB now; see LoadResult.
    Raises LoadError for a missing/empty/binary/non-UTF-8 file or a missing mapped column."""
    path = Path(path)
    header = csv_header(path, separator)
    _require(path, mapping, header, "column", "the header has")
    frame = pl.scan_csv(
        path,
        separator=separator,
        infer_schema=False,
        encoding="utf8",
        with_column_names=lambda names: [name.strip() for name in names],  # "id, date, user"
    )
    return _map(path, frame, header, mapping, check_tz(tz))


def load_jsonl(path: Path | str, mapping: Mapping, *, tz: str = "Asia/Shanghai") -> LoadResult:
    """Map a JSON Lines file (one object per line, UTF-8). The first object must hold the mapped
    required keys; later objects may omit keys (nulls). Values are read as text and converted, so
    ``"bytes": 12`` and ``"bytes": "12"`` are the same. Raises LoadError like load_csv."""
    path = Path(path)
    text = _sniff(path)
    lines = [line for line in text.splitlines() if line.strip()]
    schema = dict.fromkeys(mapping.columns(), pl.String())
    if not lines:
        return _map(path, pl.LazyFrame(schema=schema), list(schema), mapping, check_tz(tz))
    try:
        first = json.loads(lines[0])
    except ValueError:
        first = None  # also when the first line is longer than the sniffed sample
    if first is not None and not isinstance(first, dict):
        raise LoadError(path, "not JSON Lines: the first line is not a JSON object")
    if isinstance(first, dict):
        _require(path, mapping, list(first), "key", "the first object has")
    frame = pl.scan_ndjson(path, schema=schema)
    return _map(path, frame, list(schema), mapping, check_tz(tz))


def csv_header(path: Path | str, separator: str = ",") -> list[str]:
    """The column names in the first line of a CSV file. Reads at most 64 KiB. Raises LoadError for a
    missing, empty, binary or non-UTF-8 file."""
    path = Path(path)
    text = _sniff(path)
    if not text.strip():
        raise LoadError(path, "empty file: no header row")
    first = text.splitlines()[0]
    return [name.strip() for name in next(csv.reader([first], delimiter=separator))]


# --- internals ---------------------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    """The decoded first 64 KiB of ``path`` (BOM removed); LoadError when it is not UTF-8 text."""
    try:
        with path.open("rb") as handle:
            sample = handle.read(SNIFF_BYTES)
    except FileNotFoundError:
        raise LoadError(path, "no such file") from None
    except IsADirectoryError:
        raise LoadError(path, "is a folder, not a file") from None
    except OSError as error:
        raise LoadError(path, f"cannot read: {error.strerror}") from None
    if b"\x00" in sample:
        raise LoadError(path, "binary content: not a CSV / JSON Lines text file")
    sample = sample.removeprefix(b"\xef\xbb\xbf")
    for cut in range(4):  # the sample may end inside a multi-byte character
        try:
            return sample[: len(sample) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    raise LoadError(path, _NOT_UTF8)


_NOT_UTF8 = "not UTF-8 text (a GBK/GB18030 export? convert it first: iconv -f GB18030 -t UTF-8)"


def _require(path: Path, mapping: Mapping, present: list[str], noun: str, where: str) -> None:
    missing = [name for name in mapping.required() if name not in present]
    if missing:
        names = ", ".join(repr(name) for name in missing)
        raise LoadError(
            path, f"missing required {noun} {names} for {mapping.name} ({where}: {', '.join(present)})"
        )


def _polars_problem(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if "utf-8" in text.lower() or "utf8" in text.lower():
        return _NOT_UTF8
    if "more fields than defined" in text:
        return "a line has more fields than the header (not CSV, or an unquoted separator in a value)"
    return f"cannot parse: {text}"


def _text(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String)


def _action(mapping: Mapping) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Two projections: the source value (``_a``, lowercased with fold_case) and promotion flag
    (``_flag``); then ``action`` (schema.ACTION or null) and ``_ignored`` (dropped on purpose).

    The look-up is a when/then chain of equality tests, not ``replace_strict``: polars 2.1 does not
    stream ``replace``/``replace_strict`` (it holds the whole column: +0.5 GB per 10^7 rows), while a
    chain of a few comparisons streams and costs less CPU."""
    if mapping.constant_action is not None:
        return [], [
            pl.lit(mapping.constant_action, dtype=ACTION).alias("action"),
            pl.lit(False).alias("_ignored"),
        ]
    assert mapping.action is not None
    table = mapping.action_map if mapping.action_map is not None else {a: a for a in ACTIONS}
    ignored = mapping.ignore_actions
    raw = _text(mapping.action)
    if mapping.fold_case:
        raw = raw.str.to_lowercase()
        table = {key.lower(): value for key, value in table.items()}
        ignored = frozenset(value.lower() for value in ignored)
    first = [raw.alias("_a")]
    if mapping.promote:
        first.append(_text(mapping.promote.column).is_in(TRUE_VALUES).alias("_flag"))
    value = pl.col("_a")
    chain: Any = pl
    for key, target in table.items():
        chain = chain.when(value == key).then(pl.lit(target, dtype=ACTION))
    action = chain.otherwise(pl.lit(None, dtype=ACTION)) if table else pl.lit(None, dtype=ACTION)
    if mapping.promote:
        sources = [key for key, target in table.items() if target in mapping.promote.when]
        action = (
            pl.when(pl.col("_flag") & value.is_in(sources))
            .then(pl.lit(mapping.promote.action, dtype=ACTION))
            .otherwise(action)
        )
    is_ignored = value.is_in(sorted(ignored)) if ignored else pl.lit(False)
    return first, [action.alias("action"), is_ignored.alias("_ignored")]


def _map(path: Path, frame: pl.LazyFrame, names: list[str], mapping: Mapping, tz: str) -> LoadResult:
    first, steps = time_steps(mapping.time, mapping.time_format, mapping.source_tz, tz)
    action_source, action = _action(mapping)
    helpers = ("_t", "_aware", "_naive", "_a", "_flag", "_ignored")
    keys = ("time", "day", "user", "action", "drop", *helpers)
    # Carry only the raw columns the derived fields read (time, user, action, flag are consumed here).
    needed = set(derived_sources(mapping))
    raw = [name for name in mapping.columns() if name in names and name in needed and name not in keys]
    # One projection per step, so that every expression is evaluated once.
    frame = frame.select(
        first.alias("_t"),
        _text(mapping.user).alias("user"),
        *action_source,
        *(pl.col(name) for name in raw),
    ).with_columns(action)
    for step in steps[:-1]:
        frame = frame.with_columns(step)
    user = pl.col("user")
    drop = (
        pl.when(pl.col("time").is_null())
        .then(pl.lit("bad_time", dtype=DROP))
        .when(user.is_null() | (user.str.len_bytes() == 0))
        .then(pl.lit("missing_user", dtype=DROP))
        .when(pl.col("_ignored"))
        .then(pl.lit("ignored_action", dtype=DROP))
        .when(pl.col("action").is_null())
        .then(pl.lit("unknown_action", dtype=DROP))
        .otherwise(pl.lit(None, dtype=DROP))
    )
    staged = frame.with_columns(*steps[-1], drop.alias("drop")).drop(helpers, strict=False)
    derived = derived_fields(mapping, names)
    assert [e.meta.output_name() for e in derived[-1]] == list(COLUMNS)
    return LoadResult(path=path, source=mapping.name, staged=staged, derived=derived)
