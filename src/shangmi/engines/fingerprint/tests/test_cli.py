"""`shangmi fp …` through the real command line (Typer's CliRunner): index, scan, report, keygen, errors."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from shangmi.cli import app

from .helpers import JAVA_ORIGINAL, JAVA_RENAMED, write_zip

runner = CliRunner()


def test_index_scan_report_with_case_key(tmp_path):
    reg = tmp_path / "reg"
    reg.mkdir()
    (reg / "Bmi.java").write_text(JAVA_ORIGINAL)
    seized = tmp_path / "seized.zip"
    write_zip(seized, {"home/Calc.java": JAVA_RENAMED.encode(), "home/x.bin": b"\x00" * 10})
    key = tmp_path / "case.key"
    assert runner.invoke(app, ["fp", "keygen", str(key)]).exit_code == 0
    assert len(bytes.fromhex(key.read_text().strip())) == 32
    assert runner.invoke(app, ["fp", "keygen", str(key)]).exit_code == 2  # never overwrites a key

    res = runner.invoke(
        app, ["fp", "index", "-q", "--out", str(tmp_path / "i.idx"), "--key-file", str(key), str(reg)]
    )
    assert res.exit_code == 0, res.output
    assert "indexed 1 files" in res.output

    out = tmp_path / "r.json"
    res = runner.invoke(
        app,
        [
            "fp",
            "scan",
            "-q",
            "--index",
            str(tmp_path / "i.idx"),
            "--key-file",
            str(key),
            "--json",
            str(out),
            "--html",
            str(tmp_path / "html"),
            str(seized),
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(out.read_text())
    assert data["format"] == "shangmi-fp-scan/1" and data["threshold"] == 0.5
    assert [(p["suspect"].split("!")[1], p["item"], p["above_threshold"]) for p in data["pairs"]] == [
        ("home/Calc.java", "Bmi.java", True)
    ]
    assert {m["path"].split("!")[-1] for m in data["manifest"]} == {
        "home/Calc.java",
        "home/x.bin",
        str(seized),
    }
    assert (tmp_path / "html" / "index.html").is_file()
    assert "1 matches" in res.output

    res = runner.invoke(app, ["fp", "report", str(out), "--html", str(tmp_path / "again"), "--no-content"])
    assert res.exit_code == 0, res.output
    assert "content not available here" in "".join(
        p.read_text() for p in (tmp_path / "again").glob("s-*.html")
    )

    wrong = runner.invoke(app, ["fp", "scan", "-q", "--index", str(tmp_path / "i.idx"), str(seized)])
    assert wrong.exit_code == 2 and "case key does not match" in wrong.output


def test_bad_arguments_exit_2(tmp_path):
    res = runner.invoke(app, ["fp", "scan", "--index", str(tmp_path / "none.idx"), str(tmp_path)])
    assert res.exit_code == 2 and "no index" in res.output
    res = runner.invoke(app, ["fp", "index", "--out", str(tmp_path / "i.idx"), str(tmp_path / "missing")])
    assert res.exit_code == 2 and "no such file or folder" in res.output
    (tmp_path / "short.key").write_text("abcd")
    res = runner.invoke(
        app,
        [
            "fp",
            "index",
            "--out",
            str(tmp_path / "i.idx"),
            "--key-file",
            str(tmp_path / "short.key"),
            str(tmp_path),
        ],
    )
    assert res.exit_code == 2 and "at least 16 bytes" in res.output
    (tmp_path / "bad.json").write_text("{}")
    res = runner.invoke(app, ["fp", "report", str(tmp_path / "bad.json"), "--html", str(tmp_path / "h")])
    assert res.exit_code == 2 and "not a scan result" in res.output
