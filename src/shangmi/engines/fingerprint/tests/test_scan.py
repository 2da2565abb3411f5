"""Index and scan end to end through the engine API: matches, regions, suppression, privacy, bad input."""

from __future__ import annotations

import json
import sqlite3
import zipfile
from contextlib import closing
from pathlib import Path

import pytest

from shangmi.engines.fingerprint import index, report, scan
from shangmi.engines.fingerprint.errors import IndexError_, KeyMismatch
from shangmi.engines.fingerprint.params import Params
from shangmi.engines.fingerprint.result import ScanResult

from .helpers import (
    EN_TEXT,
    JAVA_ORIGINAL,
    JAVA_RENAMED,
    JAVA_UNRELATED,
    ZH_TEXT,
    ZH_TEXT_TRAD_FULLWIDTH,
    write_docx,
    write_dxf,
    write_xlsx,
    write_zip,
)

CUSTOMERS = [
    ["客户名称", "联系人", "手机", "邮箱", "地址"],
    ["北京星辰科技有限公司", "王伟", "13800138000", "wangwei@xingchen.cn", "北京市海淀区中关村大街1号"],
    ["上海云帆贸易有限公司", "李娜", "13911112222", "lina@yunfan.com", "上海市浦东新区世纪大道100号"],
    ["深圳远景电子有限公司", "张强", "13722223333", "zq@yuanjing.cn", "深圳市南山区科技园路8号"],
    ["Acme Widgets Co., Ltd.", "John Smith", "+1 415 555 0100", "john@acme.example", "1 Market Street"],
]


def register(tmp_path: Path) -> Path:
    root = tmp_path / "register"
    (root / "src").mkdir(parents=True)
    (root / "src" / "Bmi.java").write_text(JAVA_ORIGINAL)
    (root / "src" / "Tree.java").write_text(JAVA_UNRELATED)
    (root / "formula.txt").write_text(ZH_TEXT + "\n" + EN_TEXT + "\n", encoding="utf-8")
    write_xlsx(root / "customers.xlsx", CUSTOMERS)
    write_dxf(root / "gear.dxf")
    return root


def suspects(tmp_path: Path) -> Path:
    root = tmp_path / "seized"
    root.mkdir()
    (root / "Calc.java").write_text(JAVA_RENAMED)
    (root / "notes.md").write_text("# 笔记\n\n" + ZH_TEXT_TRAD_FULLWIDTH + "\n", encoding="utf-8")
    partial = [[r[3], r[0], r[2]] for r in CUSTOMERS[1:4]]  # other column order, fewer columns
    (root / "leads.csv").write_text("\n".join(",".join(r) for r in partial) + "\n", encoding="utf-8")
    write_dxf(root / "moved.dxf", 500, 500, "X", True)
    write_zip(
        root / "backup.zip",
        {
            "old/Bmi.java": JAVA_ORIGINAL.encode(),
            "report.docx": write_docx(tmp_path / "r.docx", [EN_TEXT]).read_bytes(),
        },
    )
    (root / "junk.bin").write_bytes(bytes(range(256)) * 4)
    (root / "broken.docx").write_bytes(b"PK\x03\x04broken")
    return root


def by_pair(result: ScanResult) -> dict[tuple[str, str], dict]:
    return {
        (Path(p["suspect"]).name if "!" not in p["suspect"] else p["suspect"].split("!")[1], p["item"]): p
        for p in result.pairs()
    }


def test_index_and_scan_find_every_kind(tmp_path):
    stats = index.build(tmp_path / "reg.idx", [register(tmp_path)], workers=1)
    assert stats.indexed == 5 and stats.skipped == []
    result = scan.run(tmp_path / "reg.idx", [suspects(tmp_path)], workers=1)
    pairs = by_pair(result)
    code = pairs[("Calc.java", "src/Bmi.java")]
    assert code["above_threshold"] and code["method"] == "code"
    assert code["channels"]["ast"]["containment_suspect_in_item"] == 1.0
    assert code["channels"]["lit"]["containment_item_in_suspect"] == 1.0
    assert ("Calc.java", "src/Tree.java") not in pairs or not pairs[("Calc.java", "src/Tree.java")][
        "above_threshold"
    ]
    region = next(r for r in code["regions"] if r["channel"] == "lit")
    assert region["suspect"][0] >= 9 and region["item"][0] >= 6
    assert pairs[("old/Bmi.java", "src/Bmi.java")]["method"] == "identical"
    assert pairs[("old/Bmi.java", "src/Bmi.java")]["score"] == 1.0
    assert pairs[("notes.md", "formula.txt")]["above_threshold"]
    assert pairs[("report.docx", "formula.txt")]["method"] == "raw"
    leads = pairs[("leads.csv", "customers.xlsx")]
    assert leads["method"] == "rec" and leads["channels"]["rec"]["containment_suspect_in_item"] == 1.0
    assert leads["channels"]["rec"]["containment_item_in_suspect"] == 0.6  # 3 of 5 rows (header included)
    assert pairs[("moved.dxf", "gear.dxf")]["score"] == 1.0
    skipped = {s["suspect"].rsplit("/", 1)[-1]: s["reason"] for s in result.skipped()}
    assert skipped == {"broken.docx": "broken_docx"}
    data = result.to_json()
    assert data["threshold"] == 0.5 and data["engine_version"].startswith("shangmi-fp")
    assert len(data["manifest"]) == 9  # 8 files (2 in the ZIP) + the ZIP itself
    assert all(len(m["sha256"]) == 64 for m in data["manifest"] if m["status"] != "skipped")
    again = ScanResult.from_json(json.loads(json.dumps(data)))
    assert again.to_json()["pairs"] == data["pairs"]
    pages = report.write_html(result, tmp_path / "html")
    page = next(p for p in pages[1:] if "Calc.java" in p.read_text())
    assert "<mark>" in page.read_text() and "Enter weight in pounds" in page.read_text()


def test_public_corpus_and_common_material_are_never_reported(tmp_path):
    reg = register(tmp_path)
    public = tmp_path / "public"
    public.mkdir()
    (public / "textbook.java").write_text(JAVA_ORIGINAL)
    index.build(tmp_path / "reg.idx", [reg], public=[public], workers=1)
    result = scan.run(tmp_path / "reg.idx", [suspects(tmp_path)], workers=1)
    pairs = by_pair(result)
    assert ("Calc.java", "src/Bmi.java") not in pairs
    # an exact copy of public material is public too
    assert ("old/Bmi.java", "src/Bmi.java") not in pairs
    # fingerprints in more than N items are dropped
    many = tmp_path / "many"
    for i in range(4):
        (many / f"c{i}").mkdir(parents=True)
        (many / f"c{i}" / "Bmi.java").write_text(JAVA_ORIGINAL)
    index.build(tmp_path / "many.idx", [many], params=Params(max_item_share=3), workers=1)
    assert scan.run(tmp_path / "many.idx", [tmp_path / "seized" / "Calc.java"], workers=1).pairs() == []


def test_incremental_index(tmp_path):
    reg = register(tmp_path)
    first = index.build(tmp_path / "reg.idx", [reg], workers=1)
    assert first.indexed == 5
    again = index.build(tmp_path / "reg.idx", [reg], workers=1)
    assert (again.indexed, again.unchanged, again.removed) == (0, 5, 0)
    (reg / "src" / "Tree.java").unlink()
    (reg / "new.txt").write_text(EN_TEXT)
    third = index.build(tmp_path / "reg.idx", [reg], workers=1)
    assert (third.indexed, third.unchanged, third.removed) == (1, 4, 1)
    with pytest.raises(IndexError_):
        index.build(tmp_path / "reg.idx", [reg], params=Params(k={"ast": 9, "raw": 8}), workers=1)


def test_privacy_mode_two_parties_compare_keyed_fingerprints(tmp_path):
    key = b"case-2026-0042 shared secret key"
    reg = register(tmp_path)
    index.build(tmp_path / "keyed.idx", [reg], key=key, workers=1)
    with pytest.raises(KeyMismatch):
        scan.run(tmp_path / "keyed.idx", [suspects(tmp_path)], workers=1)
    with pytest.raises(KeyMismatch):
        scan.run(
            tmp_path / "keyed.idx", [tmp_path / "seized"], key=b"another key of the wrong case!!", workers=1
        )
    result = scan.run(tmp_path / "keyed.idx", [tmp_path / "seized"], key=key, workers=2)
    assert by_pair(result)[("Calc.java", "src/Bmi.java")]["above_threshold"]
    assert result.key_id and result.to_json()["key_id"] == result.key_id
    # the keyed index holds no plain fingerprint of the content
    index.build(tmp_path / "plain.idx", [reg], workers=1)
    assert not _hashes(tmp_path / "keyed.idx") & _hashes(tmp_path / "plain.idx")


def _hashes(index_path):
    with closing(sqlite3.connect(index_path)) as con:
        return {h for (h,) in con.execute("SELECT hash FROM fps")}


def test_bad_input_never_crashes(tmp_path):
    reg = register(tmp_path)
    index.build(tmp_path / "reg.idx", [reg], params=Params(max_file_bytes=4096), workers=1)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "huge.txt").write_text(EN_TEXT * 100)
    (bad / "gbk.txt").write_bytes(ZH_TEXT.encode("gbk"))
    (bad / "junk.txt").write_bytes(b"\x00\xff" * 500)
    (bad / "broken.pdf").write_bytes(b"%PDF-1.7\n%%EOF")
    (bad / "broken.xlsx").write_bytes(b"PK\x05\x06" + b"\x00" * 18)
    (bad / "broken.dxf").write_text("0\nSECTION\n2\nENTITIES\n0\nCIRCLE\n40\nabc\n")
    with zipfile.ZipFile(bad / "bomb.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("zeros.txt", b"\x00" * (8 * 1024 * 1024))
    (bad / "notzip.zip").write_bytes(b"PK\x03\x04 truncated")
    result = scan.run(tmp_path / "reg.idx", [bad], workers=2)
    reasons = {s["suspect"].rsplit("/", 1)[-1]: s["reason"] for s in result.skipped()}
    assert reasons == {
        "huge.txt": "too_large",
        "junk.txt": "undecodable",
        "broken.pdf": "broken_pdf",
        "broken.xlsx": "broken_xlsx",
        "broken.dxf": "broken_dxf",
        "bomb.zip!zeros.txt": "zip_bomb",
        "notzip.zip": "broken_zip",
    }
    assert by_pair(result)[("gbk.txt", "formula.txt")]["above_threshold"]


def test_missing_or_corrupt_index(tmp_path):
    with pytest.raises(IndexError_):
        scan.run(tmp_path / "nope.idx", [tmp_path], workers=1)
    (tmp_path / "bad.idx").write_bytes(b"not sqlite at all" * 10)
    with pytest.raises(IndexError_):
        scan.run(tmp_path / "bad.idx", [tmp_path], workers=1)
