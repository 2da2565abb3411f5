"""The event store: layout, incremental ingest, changed files, replace, recovery, LDAP, locking."""

from __future__ import annotations

import json
import os
import re
import threading
import time
from datetime import date

import polars as pl
import pytest

from shangmi.engines.risk import keys
from shangmi.engines.risk.loaders import LoadError
from shangmi.engines.risk.presets import load_ldap, load_preset
from shangmi.engines.risk.schema import SCHEMA
from shangmi.engines.risk.store import ChangedSourceError, EventStore, StoreError, fingerprint

from .cert_files import COUNTS, KEPT, write_cert

PART = re.compile(r"^events/day=\d{4}-\d{2}-\d{2}/part-[0-9a-f]{32}\.parquet$")


def _files(folder) -> dict[str, int]:
    return {
        p.relative_to(folder).as_posix(): p.stat().st_mtime_ns
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _parts(store: EventStore) -> list[str]:
    """The committed files: event parts, then the sources' key dictionaries."""
    parts = [p.relative_to(store.path).as_posix() for p in store.parts()]
    return parts + [e["keys"] for e in store.manifest()["sources"].values()]


def _ingest(store: EventStore, folder, **kwargs):
    return store.ingest(load_preset("cert-r6", [folder]), **kwargs)


def _sorted(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.sort("time", "source", "user", "action", "object", nulls_last=True)


def test_ingest_writes_day_partitions_and_scan_returns_the_events(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "store")
    report = _ingest(store, logs)
    assert [(s.path, s.status) for s in report.sources] == [
        (str((logs / name).resolve()), "ingested") for name in COUNTS
    ]
    assert (report.files_ingested, report.files_skipped) == (5, 0)
    assert report.rows_read == sum(c[0] for c in COUNTS.values()) == 21
    assert report.rows_kept == KEPT == 15
    assert report.dropped == {"bad_time": 1, "missing_user": 1, "ignored_action": 3, "unknown_action": 1}
    assert report.days == [date(2010, 1, 2), date(2010, 1, 3)]

    expected = pl.concat([r.collect() for r in load_preset("cert-r6", [logs])])
    events = store.scan().collect()
    assert events.schema == pl.Schema(SCHEMA)
    assert _sorted(events).equals(_sorted(expected))
    assert store.count() == 15 and store.days() == [date(2010, 1, 2), date(2010, 1, 3)]
    assert store.users() == ["AAA0001", "BBB0002"]
    # Day pruning: one partition, one row (the logon after local midnight).
    third = store.scan().filter(pl.col("day") == date(2010, 1, 3)).collect()
    assert third.select("user", "action").rows() == [("BBB0002", "logon")]

    manifest = json.loads((tmp_path / "store" / "manifest.json").read_text(encoding="utf-8"))
    entry = manifest["sources"][str((logs / "logon.csv").resolve())]
    assert entry["source"] == "cert-r6/logon" and entry["rows_read"] == 6 and entry["rows_kept"] == 3
    assert entry["dropped"] == COUNTS["logon.csv"][2]
    assert sorted(p.split("/")[1] for p in entry["parts"]) == ["day=2010-01-02", "day=2010-01-03"]
    fp = fingerprint(logs / "logon.csv")
    assert (entry["size"], entry["mtime_ns"], entry["head"], entry["tail"]) == (
        fp.size,
        fp.mtime_ns,
        fp.head,
        fp.tail,
    )
    parts = [p for e in manifest["sources"].values() for p in e["parts"]]
    assert all(PART.match(p) for p in parts)
    assert sorted(parts) == sorted(p for p in _files(tmp_path / "store") if p.startswith("events/"))
    assert pl.read_parquet(tmp_path / "store" / parts[0]).columns == [*SCHEMA, *keys.KEY_COLUMNS]
    # every key of the events is in the source's dictionary, spelled as in the events
    dictionary = pl.read_parquet(tmp_path / "store" / entry["keys"])
    assert entry["keys"].startswith("keys/") and dictionary.schema == keys.DICTIONARY_SCHEMA
    logons = pl.read_parquet([tmp_path / "store" / p for p in entry["parts"]])
    users = dictionary.filter(pl.col("kind") == keys.USER).select("key", "value").sort("key")
    assert users.rows() == logons.select("user_key", "user").unique().sort("user_key").rows()
    keyed = {e["keys"] for e in manifest["sources"].values()}
    assert sorted(keyed) == sorted(p for p in _files(tmp_path / "store") if p.startswith("keys/"))


def test_scan_by_day_range_and_a_store_under_any_folder_name(tmp_path):
    # A "key=value" folder above the store must not be taken for a partition column.
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "org=acme" / "store")
    _ingest(store, logs)
    assert store.scan().collect().height == 15
    assert store.scan(start=date(2010, 1, 3)).collect().select("user", "action").rows() == [
        ("BBB0002", "logon")
    ]
    assert store.scan(end=date(2010, 1, 2)).collect().height == 14
    assert store.scan(date(2010, 1, 4), date(2010, 1, 9)).collect().schema == pl.Schema(SCHEMA)
    assert store.scan(date(2010, 1, 4)).collect().is_empty()


def test_reingesting_unchanged_files_is_skipped(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "store")
    _ingest(store, logs)
    before = _files(tmp_path / "store")
    report = _ingest(store, logs)
    assert (report.files_ingested, report.files_skipped, report.rows_read) == (0, 5, 0)
    assert {s.status for s in report.sources} == {"skipped"}
    after = _files(tmp_path / "store")
    assert {k: v for k, v in after.items() if k != ".lock"} == {
        k: v for k, v in before.items() if k != ".lock"
    }
    assert store.count() == 15


def test_a_grown_file_is_refused_and_nothing_changes(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "store")
    _ingest(store, logs)
    before = _files(tmp_path / "store")
    with (logs / "http.csv").open("a", encoding="utf-8") as handle:
        handle.write("{H5},01/04/2010 09:00:00,CCC0003,PC-0003,http://x.cn/,WWW Visit,\n")
    write_cert(tmp_path / "more", ("logon.csv",))
    with pytest.raises(ChangedSourceError) as caught:
        store.ingest([*load_preset("cert-r6", [tmp_path / "more"]), *load_preset("cert-r6", [logs])])
    message = str(caught.value)
    assert message.startswith(f"{(logs / 'http.csv').resolve()} has grown since it was ingested on ")
    assert "--replace" in message and caught.value.paths == [str((logs / "http.csv").resolve())]
    after = _files(tmp_path / "store")
    assert {k: v for k, v in after.items() if k != ".lock"} == {
        k: v for k, v in before.items() if k != ".lock"
    }


def test_replace_removes_the_earlier_rows_of_a_changed_file(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "store")
    _ingest(store, logs)
    old_parts = store.manifest()["sources"][str((logs / "http.csv").resolve())]["parts"]
    (logs / "http.csv").write_text(
        "id,date,user,pc,url,activity,content\n{H9},01/05/2010 09:00:00,CCC0003,PC-0003,http://x.cn/,WWW Upload,\n",
        encoding="utf-8",
    )
    report = _ingest(store, logs, replace=True)
    assert [s.status for s in report.sources] == ["replaced"] * 5  # replace re-reads every given file
    assert store.count() == 15 - 4 + 1
    http = store.scan().filter(pl.col("source") == "cert-r6/http").collect()
    assert http.select("day", "user", "action", "destination").rows() == [
        (date(2010, 1, 5), "CCC0003", "upload", "x.cn")
    ]
    assert not any((tmp_path / "store" / p).exists() for p in old_parts)
    assert store.days() == [date(2010, 1, 2), date(2010, 1, 3), date(2010, 1, 5)]
    files = _files(tmp_path / "store")
    assert sorted(p for p in files if p.endswith(".parquet")) == sorted(_parts(store))


def test_a_broken_file_stops_the_ingest_after_committing_the_earlier_ones(tmp_path):
    logs = write_cert(tmp_path / "cert", ("logon.csv", "http.csv"))
    good = (logs / "http.csv").read_text(encoding="utf-8")
    row = good.splitlines()[1] + "\n"
    # Non-UTF-8 bytes beyond the first 64 KiB: found only while parsing.
    (logs / "http.csv").write_bytes(
        good.encode() + row.encode() * 2000 + "{X},01/02/2010 12:00:00,张,P,u,WWW Visit,\n".encode("gbk")
    )
    store = EventStore(tmp_path / "store")
    with pytest.raises(LoadError) as caught:
        _ingest(store, logs)
    assert str(caught.value).startswith(f"{logs / 'http.csv'}: not UTF-8 text")
    assert list(store.manifest()["sources"]) == [str((logs / "logon.csv").resolve())]
    assert store.count() == 3 and store.scan().collect().height == 3
    left = sorted(str(p) for p in (tmp_path / "store" / ".staging").rglob("*"))
    assert not left
    assert sorted(p for p in _files(tmp_path / "store") if p.endswith(".parquet")) == sorted(_parts(store))


def test_leftovers_of_a_crashed_writer_are_never_read_and_removed_by_the_next(tmp_path):
    logs, store = write_cert(tmp_path / "cert", ("logon.csv",)), EventStore(tmp_path / "store")
    _ingest(store, logs)
    some_part = tmp_path / "store" / _parts(store)[0]
    stray = some_part.parent / "part-0123456789abcdef0123456789abcdef.parquet"
    stray.write_bytes(some_part.read_bytes())
    staging = tmp_path / "store" / ".staging" / "dead" / "day=2010-01-02"
    staging.mkdir(parents=True)
    (staging / "00000000.parquet").write_bytes(b"half")
    (tmp_path / "store" / ".manifest-dead.tmp").write_text("{", encoding="utf-8")
    assert store.count() == 3 and store.scan().collect().height == 3  # the stray copy is not read
    write_cert(tmp_path / "cert", ("device.csv",))
    _ingest(store, logs)
    assert not stray.exists() and not (tmp_path / "store" / ".staging" / "dead").exists()
    assert not (tmp_path / "store" / ".manifest-dead.tmp").exists()
    assert store.count() == 4


def test_ldap_snapshots_merge_by_month_and_user(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), EventStore(tmp_path / "store")
    assert store.ldap().is_empty()
    assert store.ingest_ldap(load_ldap(logs)) == 3
    update = load_ldap(logs).filter(pl.col("month") == date(2010, 2, 1)).with_columns(role=pl.lit("Manager"))
    later = update.with_columns(month=pl.lit(date(2010, 3, 1)))
    assert store.ingest_ldap(pl.concat([update, later])) == 4
    assert store.ldap().select("month", "user", "role").rows() == [
        (date(2010, 1, 1), "AAA0001", "Engineer"),
        (date(2010, 1, 1), "BBB0002", "Salesman"),
        (date(2010, 2, 1), "AAA0001", "Manager"),
        (date(2010, 3, 1), "AAA0001", "Manager"),
    ]
    assert store.ingest_ldap(load_ldap(logs)) == 4  # idempotent: the (month, user) keys already exist


def test_a_second_writer_waits_for_the_lock(tmp_path):
    logs, store = write_cert(tmp_path / "cert", ("logon.csv",)), EventStore(tmp_path / "store")
    finished = []
    with store.lock():
        worker = threading.Thread(
            target=lambda: finished.append(_ingest(EventStore(tmp_path / "store"), logs))
        )
        worker.start()
        time.sleep(0.5)
        assert not finished and store.count() == 0
    worker.join(timeout=30)
    assert finished and finished[0].files_ingested == 1 and store.count() == 3


def test_empty_store_and_foreign_folders(tmp_path):
    store = EventStore(tmp_path / "new")
    assert store.scan().collect().schema == pl.Schema(SCHEMA) and store.count() == 0
    assert store.days() == [] and store.users() == [] and not (tmp_path / "new").exists()
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_bytes(b"x")
    with pytest.raises(StoreError, match="not an event store"):
        _ingest(EventStore(foreign), write_cert(tmp_path / "cert", ("logon.csv",)))
    assert sorted(os.listdir(foreign)) == ["thesis.docx"]
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "manifest.json").write_text('{"format": "other/9"}', encoding="utf-8")
    with pytest.raises(StoreError, match="unknown store format 'other/9'"):
        EventStore(tmp_path / "bad").count()


def test_a_store_written_before_keys_were_kept_scores_the_same(tmp_path):
    """Sources without a key dictionary (older stores) are keyed when scoring, with the same result."""
    from shangmi.engines.risk import features
    from shangmi.engines.risk.context import Context

    logs = write_cert(tmp_path / "cert")
    keyed, old = EventStore(tmp_path / "keyed"), EventStore(tmp_path / "old")
    _ingest(keyed, logs)
    _ingest(old, logs)
    manifest = json.loads(old.manifest_path.read_text(encoding="utf-8"))
    for entry in manifest["sources"].values():
        (old.path / entry.pop("keys")).unlink()
        for part in entry["parts"]:  # as the earlier format wrote them: SCHEMA columns only
            path = old.path / part
            pl.read_parquet(path).select(list(SCHEMA)).write_parquet(path)
    old.manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    assert all(pl.read_parquet(p).columns == list(SCHEMA) for p in old.parts())
    context = Context(own_domains=("dtaa.com",))
    new_table, new_matches, _ = features.build(keyed, context)
    old_table, old_matches, _ = features.build(old, context)
    assert new_table.height > 0 and new_table.equals(old_table)
