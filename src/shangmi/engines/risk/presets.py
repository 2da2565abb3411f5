"""Ready-made mappings for the log layouts we meet: the CMU CERT insider-threat r6.x data set
(``cert-r6``), a generic DLP export (``dlp``) and JSON Lines already in the normalised field names
(``jsonl``); plus the CERT LDAP snapshots (:func:`load_ldap`).

CERT r6 (a folder, or single files named as below; absent files are skipped; every file has a header;
dates are ``MM/DD/YYYY HH:MM:SS`` local time, taken to be in the organisation's time zone ``tz``):

============  ======================================================  =================================
file          columns used                                            events
============  ======================================================  =================================
logon.csv     date, user, pc, activity                                Logon → logon, Logoff → logoff
device.csv    date, user, pc, file_tree, activity                     Connect → usb_connect
                                                                      (Disconnect ignored)
file.csv      date, user, pc, filename, activity, to_removable_media  File Open/Write/Copy → file_open/
                                                                      file_write/file_copy; Write or Copy
                                                                      to removable media → usb_copy
                                                                      (File Delete ignored)
email.csv     date, user, pc, to, cc, bcc, activity, size,            Send → email_send (View ignored);
              attachments                                             destination = recipient domains,
                                                                      count = attachments, object = their
                                                                      names, bytes = size
http.csv      date, user, pc, url, activity                           WWW Visit/Download/Upload →
                                                                      web_visit/download/upload;
                                                                      destination = URL host
LDAP/*.csv    monthly ``YYYY-MM.csv`` staff snapshots                 see load_ldap
============  ======================================================  =================================

The ``content`` columns are never read into memory (projection pushdown skips them).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import polars as pl

from shangmi.engines.risk.loaders import (
    LoadError,
    LoadResult,
    Mapping,
    Promote,
    check_tz,
    csv_header,
    load_csv,
    load_jsonl,
)
from shangmi.engines.risk.schema import ACTIONS

PRESETS = ("cert-r6", "dlp", "jsonl")
CERT_TIME = "%m/%d/%Y %H:%M:%S"
CERT_FILES = ("logon.csv", "device.csv", "file.csv", "email.csv", "http.csv")
LDAP_SCHEMA: dict[str, pl.DataType] = {
    "month": pl.Date(),
    "user": pl.String(),
    "name": pl.String(),
    "email": pl.String(),
    "role": pl.String(),
    "department": pl.String(),
    "business_unit": pl.String(),
    "functional_unit": pl.String(),
    "team": pl.String(),
    "supervisor": pl.String(),
}
# LDAP output column → CERT column.
_LDAP_SOURCE = {
    "user": "user_id",
    "name": "employee_name",
    "email": "email",
    "role": "role",
    "department": "department",
    "business_unit": "business_unit",
    "functional_unit": "functional_unit",
    "team": "team",
    "supervisor": "supervisor",
}
_LDAP_NAME = re.compile(r"^(\d{4})-(\d{2})\.csv$")

# Common DLP vocabulary → schema.ACTIONS (matched case-insensitively).
DLP_ACTIONS: dict[str, str] = {a: a for a in ACTIONS} | {
    "usb": "usb_copy",
    "usb_write": "usb_copy",
    "removable": "usb_copy",
    "mail": "email_send",
    "email": "email_send",
    "send": "email_send",
    "export": "app_export",
    "login": "logon",
    "logout": "logoff",
    "copy": "file_copy",
    "open": "file_open",
    "write": "file_write",
    "visit": "web_visit",
    "web": "web_visit",
    "rename": "file_rename",
    "move": "file_rename",
}


class PresetError(ValueError):
    """An unknown preset name."""


def cert_mappings(tz: str = "Asia/Shanghai") -> dict[str, Mapping]:
    """The CERT r6 mappings by file name; local times are read in ``tz``."""
    base = Mapping(
        "cert-r6", time="date", user="user", host="pc", action="activity", time_format=CERT_TIME, source_tz=tz
    )
    return {
        "logon.csv": replace(base, name="cert-r6/logon", action_map={"Logon": "logon", "Logoff": "logoff"}),
        "device.csv": replace(
            base,
            name="cert-r6/device",
            action_map={"Connect": "usb_connect"},
            ignore_actions=frozenset({"Disconnect"}),
            object="file_tree",
            optional=frozenset({"file_tree"}),
        ),
        "file.csv": replace(
            base,
            name="cert-r6/file",
            action_map={"File Open": "file_open", "File Write": "file_write", "File Copy": "file_copy"},
            ignore_actions=frozenset({"File Delete"}),
            object="filename",
            promote=Promote("to_removable_media", ("file_copy", "file_write"), "usb_copy"),
        ),
        "email.csv": replace(
            base,
            name="cert-r6/email",
            action_map={"Send": "email_send"},
            ignore_actions=frozenset({"View"}),
            destination=("to", "cc", "bcc"),
            destination_from="email_domains",
            bytes="size",
            count="attachments",
            count_from="list_items",
            object="attachments",
            object_from="list_names",
            optional=frozenset({"cc", "bcc", "size", "attachments"}),
        ),
        "http.csv": replace(
            base,
            name="cert-r6/http",
            action_map={"WWW Visit": "web_visit", "WWW Download": "download", "WWW Upload": "upload"},
            object="url",
            destination="url",
            destination_from="url_host",
        ),
    }


def dlp_mapping(tz: str = "Asia/Shanghai") -> Mapping:
    """``timestamp,user,host,action,object,destination,bytes,count`` with ISO 8601 times (offset-less
    times are read in ``tz``); only timestamp, user and action must be present."""
    return Mapping(
        "dlp",
        time="timestamp",
        user="user",
        action="action",
        host="host",
        object="object",
        destination="destination",
        bytes="bytes",
        count="count",
        source_tz=tz,
        action_map=DLP_ACTIONS,
        fold_case=True,
        optional=frozenset({"host", "object", "destination", "bytes", "count"}),
    )


def jsonl_mapping(tz: str = "Asia/Shanghai") -> Mapping:
    """JSON Lines in the normalised field names; ``time`` ISO 8601 (offset-less times are read in ``tz``)."""
    return Mapping(
        "jsonl",
        time="time",
        user="user",
        action="action",
        host="host",
        object="object",
        destination="destination",
        bytes="bytes",
        count="count",
        source_tz=tz,
        optional=frozenset({"host", "object", "destination", "bytes", "count"}),
    )


def load_preset(name: str, paths: Iterable[Path | str], *, tz: str = "Asia/Shanghai") -> Iterator[LoadResult]:
    """One LoadResult per source file, in a stable order (lazy; see loaders). ``paths`` are files or
    folders: for cert-r6 a folder holds the CERT files; for dlp / jsonl a folder's ``*.csv`` /
    ``*.jsonl``, ``*.ndjson`` files are taken (sorted). Raises PresetError for an unknown name and
    LoadError for a path that does not exist or holds nothing of the preset."""
    if name not in PRESETS:
        raise PresetError(f"unknown preset {name!r} (choose one of: {', '.join(PRESETS)})")
    check_tz(tz)
    for path in map(Path, paths):
        if not path.exists():
            raise LoadError(path, "no such file or folder")
        if name == "cert-r6":
            yield from _cert(path, tz)
        elif name == "dlp":
            for file in _files(path, ("*.csv",), "DLP CSV"):
                yield load_csv(file, dlp_mapping(tz), tz=tz)
        else:
            for file in _files(path, ("*.jsonl", "*.ndjson"), "JSON Lines"):
                yield load_jsonl(file, jsonl_mapping(tz), tz=tz)


def _cert(path: Path, tz: str) -> Iterator[LoadResult]:
    mappings = cert_mappings(tz)
    if path.is_file():
        if path.name not in mappings:
            raise LoadError(path, f"not a CERT r6 log file name (expected one of {', '.join(CERT_FILES)})")
        yield load_csv(path, mappings[path.name], tz=tz)
        return
    present = [path / name for name in CERT_FILES if (path / name).is_file()]
    if not present:
        raise LoadError(path, f"no CERT r6 log files here (expected {', '.join(CERT_FILES)})")
    for file in present:
        yield load_csv(file, mappings[file.name], tz=tz)


def _files(path: Path, patterns: tuple[str, ...], kind: str) -> list[Path]:
    if path.is_file():
        return [path]
    found = sorted({f for pattern in patterns for f in path.glob(pattern) if f.is_file()})
    if not found:
        raise LoadError(path, f"no {kind} files ({', '.join(patterns)}) in this folder")
    return found


def ldap_folders(paths: Iterable[Path | str]) -> list[Path]:
    """The CERT ``LDAP/`` folders below the given dataset folders (for the CLI)."""
    return [Path(p) / "LDAP" for p in paths if (Path(p) / "LDAP").is_dir()]


def load_ldap(directory: Path | str) -> pl.DataFrame:
    """Every monthly snapshot ``YYYY-MM.csv`` in ``directory`` (the LDAP folder, or a CERT folder that
    contains ``LDAP/``), as LDAP_SCHEMA rows with ``month`` = the first day of the file's month, sorted by
    (month, user). Files with other names are ignored. Reads each file fully (they are small: one row per
    employee). Raises LoadError naming a file that is unreadable or lacks a column."""
    directory = Path(directory)
    if (directory / "LDAP").is_dir():
        directory = directory / "LDAP"
    if not directory.is_dir():
        raise LoadError(directory, "no such folder")
    frames = []
    for file in sorted(directory.iterdir()):
        match = _LDAP_NAME.match(file.name)
        if not match or not file.is_file():
            continue
        month = date(int(match[1]), int(match[2]), 1) if 1 <= int(match[2]) <= 12 else None
        if month is None:
            raise LoadError(file, "the file name is not a month (YYYY-MM.csv)")
        header = csv_header(file)
        missing = [name for name in _LDAP_SOURCE.values() if name not in header]
        if missing:
            raise LoadError(file, f"missing LDAP column {', '.join(map(repr, missing))}")
        try:
            raw = pl.read_csv(file, infer_schema=False, columns=list(_LDAP_SOURCE.values()))
        except (pl.exceptions.PolarsError, pl.exceptions.PanicException) as error:
            raise LoadError(file, f"cannot parse: {str(error).splitlines()[0]}") from None
        frames.append(
            raw.select(
                pl.lit(month, dtype=pl.Date).alias("month"),
                *(pl.col(source).alias(target) for target, source in _LDAP_SOURCE.items()),
            )
        )
    if not frames:
        return pl.DataFrame(schema=LDAP_SCHEMA)
    return pl.concat(frames).filter(pl.col("user").is_not_null()).sort("month", "user")
