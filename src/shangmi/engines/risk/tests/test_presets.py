"""Presets: CERT r6 (every file kind, LDAP), the DLP export and normalised JSON Lines."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
import pytest

from shangmi.engines.risk.loaders import LoadError
from shangmi.engines.risk.presets import LDAP_SCHEMA, PresetError, ldap_folders, load_ldap, load_preset
from shangmi.engines.risk.schema import SCHEMA

from .cert_files import COUNTS, write_cert


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def _load(folder, **kwargs) -> dict[str, tuple]:
    out = {}
    for result in load_preset("cert-r6", [folder], **kwargs):
        frame = result.collect()
        assert frame.schema == pl.Schema(SCHEMA)
        out[result.path.name] = (result, frame)
    return out


def test_cert_r6_every_file_kind_with_exact_counts(tmp_path):
    loaded = _load(write_cert(tmp_path))
    assert list(loaded) == ["logon.csv", "device.csv", "file.csv", "email.csv", "http.csv"]
    for name, (result, frame) in loaded.items():
        rows, kept, dropped = COUNTS[name]
        assert (result.counts.rows_read, result.counts.rows_kept, result.counts.dropped) == (
            rows,
            kept,
            dropped,
        )
        assert frame.height == kept
        assert frame["source"].unique().to_list() == [f"cert-r6/{name.removesuffix('.csv')}"]


def test_cert_logon_times_are_utc_and_days_local_across_midnight(tmp_path):
    frame = _load(write_cert(tmp_path, ("logon.csv",)))["logon.csv"][1]
    assert frame.select("time", "day", "user", "host", "action").rows() == [
        (_utc(2010, 1, 1, 23, 59), date(2010, 1, 2), "AAA0001", "PC-0001", "logon"),
        (_utc(2010, 1, 2, 15, 30), date(2010, 1, 2), "AAA0001", "PC-0001", "logoff"),
        # 00:10 on 3 January in Shanghai is still 2 January in UTC: the day follows the organisation.
        (_utc(2010, 1, 2, 16, 10), date(2010, 1, 3), "BBB0002", "PC-0002", "logon"),
    ]
    utc_days = _load(tmp_path, tz="UTC")["logon.csv"][1]
    # Local CERT times are read in the organisation's zone, so with tz=UTC the times shift too.
    assert utc_days.select("time", "day").rows()[2] == (_utc(2010, 1, 3, 0, 10), date(2010, 1, 3))


def test_cert_files_usb_copy_promotion_and_ignored_deletes(tmp_path):
    frame = _load(write_cert(tmp_path, ("file.csv", "device.csv")))
    files = frame["file.csv"][1]
    assert files.select("object", "action").rows() == [
        ("C:\\secret\\plan.docx", "file_open"),
        ("R:\\plan.docx", "usb_copy"),
        ("R:\\notes.txt", "usb_copy"),
        ("C:\\tmp\\a.txt", "file_write"),
        ("R:\\b.txt", "file_open"),
    ]
    assert files["destination"].null_count() == 5 and files["count"].null_count() == 5
    device = frame["device.csv"][1]
    assert device.select("time", "action", "object").rows() == [
        (_utc(2010, 1, 2, 2, 0), "usb_connect", "R:\\;R:\\docs")
    ]


def test_cert_email_recipient_domains_attachments_and_size(tmp_path):
    frame = _load(write_cert(tmp_path, ("email.csv",)))["email.csv"][1]
    assert frame.select("user", "action", "destination", "count", "object", "bytes").rows() == [
        (
            "AAA0001",
            "email_send",
            "dtaa.com,gmail.com,rival.cn",
            2,
            "C:\\a\\plan.docx;C:\\b c\\spec.pdf",
            45634,
        ),
        ("BBB0002", "email_send", "yahoo.com", 0, None, 2048),
    ]


def test_cert_http_hosts_lowercased(tmp_path):
    frame = _load(write_cert(tmp_path, ("http.csv",)))["http.csv"][1]
    assert frame.select("action", "destination").rows() == [
        ("upload", "www.dropbox.com"),
        ("web_visit", "mail.example.org"),
        ("download", "www.rival.cn"),
        ("web_visit", "intranet"),
    ]
    assert frame["object"][0] == "http://WWW.Dropbox.com/upload/x?y=1"


def test_cert_single_files_absent_files_and_errors(tmp_path):
    write_cert(tmp_path, ("http.csv", "logon.csv"))
    assert [r.path.name for r in load_preset("cert-r6", [tmp_path])] == ["logon.csv", "http.csv"]
    assert [r.path.name for r in load_preset("cert-r6", [tmp_path / "http.csv"])] == ["http.csv"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(LoadError, match=r"empty: no CERT r6 log files here"):
        list(load_preset("cert-r6", [tmp_path / "empty"]))
    (tmp_path / "pcs.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"pcs\.csv: not a CERT r6 log file name"):
        list(load_preset("cert-r6", [tmp_path / "pcs.csv"]))
    with pytest.raises(LoadError, match=r"nowhere: no such file or folder"):
        list(load_preset("cert-r6", [tmp_path / "nowhere"]))
    with pytest.raises(PresetError, match="unknown preset 'splunk'"):
        list(load_preset("splunk", [tmp_path]))
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        list(load_preset("cert-r6", [tmp_path], tz="Mars/Olympus"))


def test_cert_header_missing_a_column_names_the_file(tmp_path):
    (tmp_path / "http.csv").write_text("id,date,user,pc,activity\n{H},01/02/2010 12:00:00,A,P,WWW Visit\n")
    with pytest.raises(LoadError) as caught:
        list(load_preset("cert-r6", [tmp_path]))
    assert str(caught.value) == (
        f"{tmp_path / 'http.csv'}: missing required column 'url' for cert-r6/http "
        "(the header has: id, date, user, pc, activity)"
    )


def test_ldap_snapshots_by_month(tmp_path):
    write_cert(tmp_path)
    assert ldap_folders([tmp_path, tmp_path / "LDAP"]) == [tmp_path / "LDAP"]
    frame = load_ldap(tmp_path)
    assert frame.schema == pl.Schema(LDAP_SCHEMA)
    assert frame.select("month", "user", "role", "department", "supervisor").rows() == [
        (date(2010, 1, 1), "AAA0001", "Engineer", "Design", "Carl Cc"),
        (date(2010, 1, 1), "BBB0002", "Salesman", "Sales", None),
        (date(2010, 2, 1), "AAA0001", "Senior Engineer", "Design", "Carl Cc"),
    ]
    assert load_ldap(tmp_path / "LDAP").equals(frame)
    assert frame.row(0, named=True) | {"month": None} == {
        "month": None,
        "user": "AAA0001",
        "name": "Alice Aa",
        "email": "alice@dtaa.com",
        "role": "Engineer",
        "department": "Design",
        "business_unit": "1",
        "functional_unit": "1 - R&D",
        "team": "Team A",
        "supervisor": "Carl Cc",
    }


def test_ldap_errors_name_the_file(tmp_path):
    (tmp_path / "2010-03.csv").write_text("employee_name,user_id,email\nA,B,C\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"2010-03\.csv: missing LDAP column 'role'"):
        load_ldap(tmp_path)
    (tmp_path / "2010-03.csv").unlink()
    (tmp_path / "2010-13.csv").write_text("x\n", encoding="utf-8")
    with pytest.raises(LoadError, match=r"2010-13\.csv: the file name is not a month"):
        load_ldap(tmp_path)
    (tmp_path / "2010-13.csv").unlink()
    assert load_ldap(tmp_path).is_empty() and load_ldap(tmp_path).schema == pl.Schema(LDAP_SCHEMA)
    with pytest.raises(LoadError, match="no such folder"):
        load_ldap(tmp_path / "missing")


DLP = """timestamp,user,host,action,object,destination,bytes,count
2026-03-02T09:15:00+08:00,zhang.san,PC-01,USB,D:\\图纸\\P01.dwg,KINGSTON-0001,1048576,1
2026-03-02 01:15:00Z,zhang.san,PC-01,Mail,报价单.xlsx,rival.cn,2048,1
2026-03-02T23:30:00.250,li.si,PC-02,upload,plan.pdf,pan.baidu.com,99,
2026-03-02T16:00:00+00:00,li.si,PC-02,EXPORT,crm:customers,,not-a-number,5000
2026-03-02T16:00:00+00:00,li.si,PC-02,teleport,x,,,
2026-03-02T16:30:00+00:00,li.si,PC-02,Rename,D:\\图纸\\P01.dwg,D:\\照片.jpg,,
yesterday,li.si,PC-02,print,x,,,
"""


def test_dlp_synonyms_iso_times_and_optional_columns(tmp_path):
    path = tmp_path / "dlp.csv"
    path.write_text(DLP, encoding="utf-8")
    (result,) = load_preset("dlp", [tmp_path])
    frame = result.collect()
    assert frame.select("time", "day", "user", "action", "destination", "bytes", "count").rows() == [
        (_utc(2026, 3, 2, 1, 15), date(2026, 3, 2), "zhang.san", "usb_copy", "KINGSTON-0001", 1048576, 1),
        (_utc(2026, 3, 2, 1, 15), date(2026, 3, 2), "zhang.san", "email_send", "rival.cn", 2048, 1),
        # No offset: local time of the organisation.
        (_utc(2026, 3, 2, 15, 30, 0, 250000), date(2026, 3, 2), "li.si", "upload", "pan.baidu.com", 99, None),
        # 16:00 UTC is midnight in Shanghai: the next day.
        (_utc(2026, 3, 2, 16, 0), date(2026, 3, 3), "li.si", "app_export", None, None, 5000),
        # a rename: the old path is the object, the new one its destination
        (_utc(2026, 3, 2, 16, 30), date(2026, 3, 3), "li.si", "file_rename", "D:\\照片.jpg", None, None),
    ]
    assert result.counts.dropped == {
        "bad_time": 1,
        "missing_user": 0,
        "ignored_action": 0,
        "unknown_action": 1,
    }
    minimal = tmp_path / "minimal" / "a.csv"
    minimal.parent.mkdir()
    minimal.write_text("timestamp, user ,action\n2026-03-02T09:15:00+08:00,wang,print\n", encoding="utf-8")
    (only,) = load_preset("dlp", [minimal.parent])
    assert only.collect().select("user", "action", "host", "object").rows() == [("wang", "print", None, None)]


def test_jsonl_preset(tmp_path):
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"time": "2026-03-02T09:15:00+08:00", "user": "zhang.san", "action": "upload", "bytes": 12, '
        '"destination": "pan.baidu.com", "extra": {"ignored": true}}\n'
        "\n"
        '{"time": "2026-03-02T09:16:00+08:00", "user": "zhang.san", "action": "print", "count": "3"}\n'
        '{"time": "2026-03-02T09:17:00+08:00", "user": null, "action": "print"}\n',
        encoding="utf-8",
    )
    (result,) = load_preset("jsonl", [tmp_path])
    assert result.collect().select("time", "action", "destination", "bytes", "count", "source").rows() == [
        (_utc(2026, 3, 2, 1, 15), "upload", "pan.baidu.com", 12, None, "jsonl"),
        (_utc(2026, 3, 2, 1, 16), "print", None, None, 3, "jsonl"),
    ]
    assert result.counts.rows_read == 3 and result.counts.dropped["missing_user"] == 1
    with pytest.raises(LoadError, match=r"no JSON Lines files"):
        list(load_preset("jsonl", [tmp_path / "sub"] if (tmp_path / "sub").mkdir() is None else []))
