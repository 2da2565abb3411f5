"""`shangmi risk ingest`, run as a real command: CERT r6 and DLP logs into a Parquet store, no database."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from shangmi.engines.risk.store import EventStore
from shangmi.engines.risk.tests.cert_files import KEPT, write_cert

from .support import cli_env, ok, shangmi, tree

NO_DJANGO = """
import sys
from shangmi.cli import app
app(["risk", "ingest", "--preset", "cert-r6", "--store", sys.argv[2], sys.argv[1]], standalone_mode=False)
assert not any(name == "django" or name.startswith("django.") for name in sys.modules), "django was imported"
"""


def _row(stdout: str, label: str) -> list[str]:
    line = next(line for line in stdout.splitlines() if label in line)
    return [cell.strip() for cell in line.strip().split("│")][2:-1]


def test_ingests_a_cert_folder_then_skips_it(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), tmp_path / "store"
    first = ok(shangmi("risk", "ingest", "--preset", "cert-r6", "--store", str(store), str(logs),
                       data_dir=tmp_path / "unused"))  # fmt: skip
    assert not (tmp_path / "unused").exists()  # no data directory, no database
    assert _row(first.stdout, "files ingested") == ["5", "5"]
    assert _row(first.stdout, "rows read") == ["21", ""]
    assert _row(first.stdout, "events kept") == ["15", "15"]
    assert _row(first.stdout, "/ bad_time") == ["1", ""]
    assert _row(first.stdout, "/ missing_user") == ["1", ""]
    assert _row(first.stdout, "/ ignored_action") == ["3", ""]
    assert _row(first.stdout, "/ unknown_action") == ["1", ""]
    assert _row(first.stdout, "days") == ["2", "2"]
    assert _row(first.stdout, "users") == ["", "2"]
    assert _row(first.stdout, "LDAP rows") == ["", "3"]
    assert "2010-01-02 … 2010-01-03" in first.stdout
    assert "http.csv: 4 kept, 0 dropped" in first.stderr  # progress lines go to stderr
    event_store = EventStore(store)
    assert event_store.count() == KEPT and event_store.days() == [date(2010, 1, 2), date(2010, 1, 3)]
    assert event_store.ldap().height == 3

    snapshot = tree(store)
    again = ok(shangmi("risk", "ingest", "--preset", "cert-r6", "--store", str(store), str(logs),
                       data_dir=tmp_path / "unused"))  # fmt: skip
    assert _row(again.stdout, "files ingested") == ["0", "5"]
    assert _row(again.stdout, "files skipped") == ["5", ""]
    assert "unchanged, skipped" in again.stderr
    assert tree(store) == snapshot


def test_a_changed_file_exits_2_until_replace(tmp_path):
    logs, store = write_cert(tmp_path / "cert"), tmp_path / "store"
    args = ("risk", "ingest", "--preset", "cert-r6", "--store", str(store), str(logs))
    ok(shangmi(*args, data_dir=tmp_path / "unused"))
    with (logs / "logon.csv").open("a", encoding="utf-8") as handle:
        handle.write("{L9},01/04/2010 08:00:00,CCC0003,PC-0003,Logon\n")
    snapshot = tree(store)
    refused = shangmi(*args, data_dir=tmp_path / "unused")
    assert refused.returncode == 2
    assert refused.stderr.count("\n") == 1 and "错误 / error:" in refused.stderr
    assert "logon.csv has grown since it was ingested" in refused.stderr and "--replace" in refused.stderr
    assert tree(store) == snapshot
    replaced = ok(shangmi(*args, "--replace", data_dir=tmp_path / "unused"))
    assert _row(replaced.stdout, "events kept") == ["16", "16"]
    assert EventStore(store).days()[-1] == date(2010, 1, 4)


def test_bad_input_exits_2_with_one_line_naming_the_problem(tmp_path):
    store = tmp_path / "store"
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "export.csv").write_text("time,who\n1,2\n", encoding="utf-8")
    (tmp_path / "logs" / "blob.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    cases = [
        (("--preset", "splunk", str(tmp_path / "logs")), "unknown preset 'splunk'"),
        (("--preset", "dlp", str(tmp_path / "nowhere")), "nowhere: no such file or folder"),
        (
            ("--preset", "dlp", str(tmp_path / "logs" / "export.csv")),
            "export.csv: missing required column 'timestamp'",
        ),
        (("--preset", "dlp", str(tmp_path / "logs" / "blob.csv")), "blob.csv: binary content"),
        (
            ("--preset", "cert-r6", "--tz", "Mars/Base", str(tmp_path / "logs")),
            "unknown time zone 'Mars/Base'",
        ),
        (("--preset", "cert-r6", str(tmp_path / "logs")), "logs: no CERT r6 log files here"),
    ]
    for args, message in cases:
        process = shangmi("risk", "ingest", "--store", str(store), *args, data_dir=tmp_path / "unused")
        assert process.returncode == 2, (args, process.stderr)
        assert message in process.stderr and process.stderr.count("\n") == 1, process.stderr
        assert "Traceback" not in process.stderr
    assert not store.exists()


def test_dlp_export(tmp_path):
    export = tmp_path / "dlp.csv"
    export.write_text(
        "timestamp,user,host,action,object,destination,bytes,count\n"
        "2026-03-02T09:15:00+08:00,zhang.san,PC-01,usb,D:\\a.dwg,KINGSTON,1024,1\n"
        "2026-03-02T09:16:00+08:00,zhang.san,PC-01,mail,b.xlsx,rival.cn,2048,1\n",
        encoding="utf-8",
    )
    result = ok(shangmi("risk", "ingest", "--preset", "dlp", "--store", str(tmp_path / "s"), str(export),
                        "--tz", "UTC", data_dir=tmp_path / "unused"))  # fmt: skip
    assert _row(result.stdout, "events kept") == ["2", "2"]
    rows = EventStore(tmp_path / "s").scan().sort("time").collect().select("day", "action").rows()
    assert rows == [(date(2026, 3, 2), "usb_copy"), (date(2026, 3, 2), "email_send")]


def test_does_not_import_django(tmp_path):
    logs = write_cert(tmp_path / "cert", ("logon.csv",))
    process = subprocess.run(
        [sys.executable, "-c", NO_DJANGO, str(logs), str(tmp_path / "store")],
        env=cli_env(tmp_path / "unused"),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert process.returncode == 0, process.stderr
    assert EventStore(tmp_path / "store").count() == 3
