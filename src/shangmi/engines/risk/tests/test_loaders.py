"""Loaders: mappings, time zones, drop reasons, derived fields, and bad input as LoadError."""

from __future__ import annotations

import random
import zoneinfo
from datetime import UTC, date, datetime, timedelta

import polars as pl
import pytest

from shangmi.engines.risk.loaders import (
    DROP_REASONS,
    LoadError,
    Mapping,
    Promote,
    fixed_offset,
    load_csv,
    load_jsonl,
)
from shangmi.engines.risk.schema import COLUMNS, SCHEMA, SchemaError

PROXY = Mapping(
    "proxy",
    time="when",
    user="who",
    action="what",
    host="pc",
    object="url",
    destination="url",
    destination_from="url_host",
    bytes="size",
    time_format="%Y/%m/%d %H:%M:%S",
    action_map={"GET": "web_visit", "PUT": "upload", "POST": "upload"},
    ignore_actions=frozenset({"HEAD"}),
)


def _write(tmp_path, text: str, name: str = "log.csv", encoding: str = "utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def test_csv_mapping_produces_schema_rows_and_exact_counts(tmp_path):
    path = _write(
        tmp_path,
        "when,who,what,pc,url,size,noise\n"
        "2026/03/02 07:30:00,zhang,GET,PC-1,https://Pan.Baidu.com/s/1,120,x\n"
        "2026/03/02 08:00:00,zhang,PUT,PC-1,pan.baidu.com/upload,9000000,x\n"
        "2026/03/02 08:00:01,zhang,HEAD,PC-1,https://a.cn/,0,x\n"
        "2026/03/02 08:00:02,zhang,DELETE,PC-1,https://a.cn/,0,x\n"
        "2026/02/30 08:00:00,zhang,GET,PC-1,https://a.cn/,0,x\n"
        ",zhang,GET,PC-1,https://a.cn/,0,x\n"
        "2026/03/02 08:00:03,,GET,PC-1,https://a.cn/,0,x\n"
        "2026/03/02 08:00:04,li,GET,,http://b.cn:81/x,lots,x\n",
    )
    result = load_csv(path, PROXY)
    assert result.counts is None  # nothing parsed yet
    frame = result.collect()
    assert frame.columns == list(COLUMNS) and frame.schema == pl.Schema(SCHEMA)
    assert frame.rows() == [
        (
            _utc(2026, 3, 1, 23, 30),
            date(2026, 3, 2),
            "zhang",
            "PC-1",
            "web_visit",
            "https://Pan.Baidu.com/s/1",
            "pan.baidu.com",
            120,
            None,
            "proxy",
        ),
        (
            _utc(2026, 3, 2, 0, 0),
            date(2026, 3, 2),
            "zhang",
            "PC-1",
            "upload",
            "pan.baidu.com/upload",
            "pan.baidu.com",
            9000000,
            None,
            "proxy",
        ),
        (
            _utc(2026, 3, 2, 0, 0, 4),
            date(2026, 3, 2),
            "li",
            None,
            "web_visit",
            "http://b.cn:81/x",
            "b.cn",
            None,
            None,
            "proxy",
        ),
    ]
    counts = result.counts
    assert (counts.rows_read, counts.rows_kept) == (8, 3)
    assert counts.dropped == {"bad_time": 2, "missing_user": 1, "ignored_action": 1, "unknown_action": 1}
    assert tuple(counts.dropped) == DROP_REASONS


def test_the_organisation_time_zone_decides_the_day(tmp_path):
    path = _write(tmp_path, "when,who,what\n2026/03/02 23:30:00,zhang,GET\n2026/03/03 00:30:00,zhang,GET\n")
    mapping = Mapping("m", time="when", user="who", action="what", time_format="%Y/%m/%d %H:%M:%S",
                      action_map={"GET": "web_visit"})  # fmt: skip
    shanghai = load_csv(path, mapping).collect()
    assert shanghai.select("time", "day").rows() == [
        (_utc(2026, 3, 2, 15, 30), date(2026, 3, 2)),
        (_utc(2026, 3, 2, 16, 30), date(2026, 3, 3)),
    ]
    # Same source times (Shanghai), but an organisation in UTC counts both on 2 March.
    in_utc = load_csv(path, mapping, tz="UTC").collect()
    assert in_utc.select("time", "day").rows() == [
        (_utc(2026, 3, 2, 15, 30), date(2026, 3, 2)),
        (_utc(2026, 3, 2, 16, 30), date(2026, 3, 2)),
    ]
    with pytest.raises(ValueError, match="unknown time zone 'Asia/Beijing'"):
        load_csv(path, mapping, tz="Asia/Beijing")


def test_daylight_saving_gaps_are_bad_times_and_ambiguous_times_take_the_earlier(tmp_path):
    path = _write(
        tmp_path,
        "when,who,what\n"
        "2021/03/14 02:30:00,a,GET\n"  # does not exist in New York
        "2021/11/07 01:30:00,a,GET\n"  # happens twice: EDT first
        "2021/07/01 12:00:00,a,GET\n",
    )
    mapping = Mapping("ny", time="when", user="who", action="what", time_format="%Y/%m/%d %H:%M:%S",
                      source_tz="America/New_York", action_map={"GET": "web_visit"})  # fmt: skip
    result = load_csv(path, mapping, tz="America/New_York")
    assert result.collect().select("time", "day").rows() == [
        (_utc(2021, 11, 7, 5, 30), date(2021, 11, 7)),
        (_utc(2021, 7, 1, 16, 0), date(2021, 7, 1)),
    ]
    assert result.counts.dropped["bad_time"] == 1


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "UTC", "Europe/Berlin", "Asia/Kolkata", "Europe/Moscow"])
def test_time_zone_fast_path_agrees_with_zoneinfo(tmp_path, zone):
    """Local → UTC and UTC → local day, both sides of each zone's last offset change."""
    rng = random.Random(zone)
    info = zoneinfo.ZoneInfo(zone)
    start = datetime(1985, 1, 1, tzinfo=UTC)
    instants = [start + timedelta(seconds=rng.randrange(45 * 365 * 86400)) for _ in range(3000)]
    # Local wall times that exist exactly once, so that the expected answer is unambiguous.
    locals_ = [i.astimezone(info).replace(tzinfo=None) for i in instants]
    unique = [(lt, i) for lt, i in zip(locals_, instants, strict=True) if _unambiguous(lt, info)]
    text = "when,who\n" + "".join(f"{lt:%Y-%m-%d %H:%M:%S},u\n" for lt, _ in unique)
    mapping = Mapping("tz", time="when", user="who", constant_action="logon", time_format="%Y-%m-%d %H:%M:%S",
                      source_tz=zone)  # fmt: skip
    got = load_csv(_write(tmp_path, text), mapping, tz="Asia/Shanghai").collect()
    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    assert got["time"].to_list() == [i for _, i in unique]
    assert got["day"].to_list() == [i.astimezone(shanghai).date() for _, i in unique]


def _unambiguous(local: datetime, info: zoneinfo.ZoneInfo) -> bool:
    first, second = local.replace(tzinfo=info, fold=0), local.replace(tzinfo=info, fold=1)
    return first.utcoffset() == second.utcoffset()


def test_fixed_offset_eras():
    assert fixed_offset("Asia/Shanghai") == (timedelta(hours=8), datetime(1991, 9, 16))  # noqa: DTZ001
    offset, since = fixed_offset("Europe/Berlin")
    assert since.year == 2099  # daylight saving: no fixed-offset era, every time takes the exact path


def test_iso_8601_variants(tmp_path):
    mapping = Mapping("iso", time="t", user="u", constant_action="print", source_tz="Asia/Shanghai")
    path = _write(
        tmp_path,
        "t,u\n"
        "2026-03-02T09:00:00+08:00,a\n"
        "2026-03-02 09:00:00+0800,a\n"
        "2026-03-02T01:00:00Z,a\n"
        "2026-03-02T01:00:00.5-00:00,a\n"
        "2026-03-02T09:00:00,a\n"
        "2026-03-02 09:00:00.123456,a\n"
        "03/02/2026 09:00,a\n",
    )
    result = load_csv(path, mapping)
    assert result.collect()["time"].to_list() == [
        _utc(2026, 3, 2, 1, 0),
        _utc(2026, 3, 2, 1, 0),
        _utc(2026, 3, 2, 1, 0),
        _utc(2026, 3, 2, 1, 0, 0, 500000),
        _utc(2026, 3, 2, 1, 0),
        _utc(2026, 3, 2, 1, 0, 0, 123456),
    ]
    assert result.counts.dropped["bad_time"] == 1


def test_fold_case_promote_and_list_fields(tmp_path):
    mapping = Mapping(
        "mail",
        time="t",
        user="u",
        action="a",
        action_map={"Send": "email_send", "Copy": "file_copy"},
        fold_case=True,
        ignore_actions=frozenset({"Read"}),
        destination=("to", "cc"),
        destination_from="email_domains",
        count="files",
        count_from="list_items",
        object="files",
        object_from="list_names",
        list_separator="|",
        promote=Promote("usb", ("file_copy",), "usb_copy"),
        time_format="%Y-%m-%d %H:%M",
    )
    path = _write(
        tmp_path,
        "t,u,a,to,cc,files,usb\n"
        "2026-03-02 09:00,a,SEND,B@X.cn;c@y.COM,b@x.cn,a.doc(12)|b c.pdf(3)|,no\n"
        "2026-03-02 09:01,a,send,,,,\n"
        "2026-03-02 09:02,a,COPY,,,x.doc,TRUE\n"
        "2026-03-02 09:03,a,copy,,,x.doc,0\n"
        "2026-03-02 09:04,a,READ,,,x.doc,0\n",
    )
    result = load_csv(path, mapping)
    assert result.collect().select("action", "destination", "count", "object").rows() == [
        ("email_send", "x.cn,y.com", 2, "a.doc|b c.pdf|"),
        ("email_send", None, 0, None),
        ("usb_copy", None, 1, "x.doc"),
        ("file_copy", None, 1, "x.doc"),
    ]
    assert result.counts.dropped["ignored_action"] == 1


def test_jsonl_with_a_mapping_reads_values_as_text(tmp_path):
    mapping = Mapping("app", time="ts", user="actor", action="op", object="record", count="n",
                      action_map={"export": "app_export"}, time_format="%s")  # fmt: skip
    path = _write(
        tmp_path,
        '{"ts": "1772413200", "actor": "wang", "op": "export", "record": 17, "n": 5000}\n'
        '{"ts": 1772413260, "actor": "wang", "op": "export", "n": "12"}\n',
        name="app.jsonl",
    )
    frame = load_jsonl(path, mapping).collect()
    assert frame.select("time", "user", "action", "object", "count").rows() == [
        (_utc(2026, 3, 2, 1, 0), "wang", "app_export", "17", 5000),
        (_utc(2026, 3, 2, 1, 1), "wang", "app_export", None, 12),
    ]
    empty = _write(tmp_path, "", name="empty.jsonl")
    result = load_jsonl(empty, mapping)
    assert result.collect().is_empty() and result.counts.rows_read == 0


def test_mapping_validation():
    with pytest.raises(ValueError, match="exactly one of action and constant_action"):
        Mapping("x", time="t", user="u")
    with pytest.raises(ValueError, match=r"teleport not in schema\.ACTIONS"):
        Mapping("x", time="t", user="u", action="a", action_map={"T": "teleport"})
    with pytest.raises(ValueError, match="unknown time zone"):
        Mapping("x", time="t", user="u", action="a", source_tz="Nowhere/Land")
    assert PROXY.columns() == ["when", "who", "what", "pc", "url", "size"]


# --- bad input: LoadError naming the file ------------------------------------------------------


def test_bad_files_raise_load_error_naming_the_file(tmp_path):
    cases = {
        "missing.csv": None,
        "empty.csv": b"",
        "binary.csv": b"PK\x03\x04\x00\x00binary zip",
        "gbk.csv": "when,who,what\n2026/03/02 07:30:00,张三,GET\n".encode("gbk"),
        "columns.csv": b"time,user\n1,2\n",
    }
    messages = {
        "missing.csv": "no such file",
        "empty.csv": "empty file: no header row",
        "binary.csv": "binary content: not a CSV / JSON Lines text file",
        "gbk.csv": "not UTF-8 text",
        "columns.csv": "missing required column 'when', 'who', 'what', 'pc', 'url', 'size' for proxy "
        "(the header has: time, user)",
    }
    for name, data in cases.items():
        path = tmp_path / name
        if data is not None:
            path.write_bytes(data)
        with pytest.raises(LoadError) as caught:
            load_csv(path, PROXY)
        assert str(caught.value).startswith(f"{path}: {messages[name]}"), str(caught.value)
        assert caught.value.path == path
    with pytest.raises(LoadError, match="is a folder"):
        load_csv(tmp_path, PROXY)
    assert issubclass(LoadError, SchemaError)


def test_errors_found_while_parsing_name_the_file(tmp_path):
    """Problems past the sniffed first 64 KiB surface when the file is run, still as LoadError."""
    good = "2026/03/02 07:30:00,zhang,GET,PC-1,https://a.cn/,1\n" * 5000
    late_gbk = _write(tmp_path, "when,who,what,pc,url,size\n", name="late.csv")
    late_gbk.write_bytes(
        late_gbk.read_bytes() + good.encode() + "2026/03/02 07:30:00,张三,GET,PC,u,1\n".encode("gbk")
    )
    result = load_csv(late_gbk, PROXY)
    with pytest.raises(LoadError) as caught:
        result.collect()
    assert str(caught.value).startswith(f"{late_gbk}: not UTF-8 text")
    ragged = _write(tmp_path, "when,who,what,pc,url,size\n" + good + "a,b,c,d,e,f,g,h\n", name="ragged.csv")
    with pytest.raises(LoadError, match=r"ragged\.csv: a line has more fields than the header"):
        load_csv(ragged, PROXY).collect()
    broken = _write(tmp_path, '{"ts": "1", "actor": "a", "op": "export"}\n{"ts": \n', name="broken.jsonl")
    mapping = Mapping("app", time="ts", user="actor", action="op", action_map={"export": "app_export"})
    with pytest.raises(LoadError, match=r"broken\.jsonl: cannot parse"):
        load_jsonl(broken, mapping).collect()
    not_objects = _write(tmp_path, "[1, 2]\n", name="list.jsonl")
    with pytest.raises(LoadError, match=r"list\.jsonl: not JSON Lines: the first line is not a JSON object"):
        load_jsonl(not_objects, mapping)
    no_key = _write(tmp_path, '{"ts": "1", "op": "export"}\n', name="nokey.jsonl")
    with pytest.raises(LoadError, match=r"nokey\.jsonl: missing required key 'actor' for app"):
        load_jsonl(no_key, mapping)
