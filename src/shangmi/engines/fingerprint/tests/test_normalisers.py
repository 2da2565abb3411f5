"""Normalisers through `document.fingerprint`: code, text, DOCX, PDF, spreadsheets, DXF, other files."""

from __future__ import annotations

import pytest

from shangmi.engines.fingerprint import code, extract, records
from shangmi.engines.fingerprint.document import fingerprint
from shangmi.engines.fingerprint.errors import Skipped
from shangmi.engines.fingerprint.params import Params
from shangmi.engines.fingerprint.winnow import Hasher

from .helpers import (
    EN_TEXT,
    JAVA_ORIGINAL,
    JAVA_RENAMED,
    ZH_TEXT,
    ZH_TEXT_TRAD_FULLWIDTH,
    write_docx,
    write_dxf,
    write_pdf,
    write_xlsx,
)

P = Params()
H = Hasher()

SNIPPETS = {
    "a.java": ("class A { int f(int x) { return x + 1; } }", "class B { int g(int y) { return y + 1; } }"),
    "a.c": ("int f(int x) { return x * 2; }", "int g(int q) { return q * 2; }"),
    "a.cpp": ("template<class T> T f(T x) { return x; }", "template<class U> U g(U y) { return y; }"),
    "a.py": ("def f(x):\n    return x + 1\n", "def g(y):\n    return y + 1\n"),
    "a.js": ("function f(x) { return x + 1; }", "function g(y) { return y + 1; }"),
    "a.ts": (
        "function f(x: number): number { return x + 1; }",
        "function g(y: number): number { return y + 1; }",
    ),
    "a.go": (
        "package m\nfunc f(x int) int { return x + 1 }",
        "package m\nfunc g(y int) int { return y + 1 }",
    ),
    "a.cs": ("class A { int F(int x) { return x + 1; } }", "class B { int G(int y) { return y + 1; } }"),
}


@pytest.mark.parametrize("name", sorted(SNIPPETS))
def test_every_language_abstracts_identifiers(name):
    lang = code.language_for(name)
    first, renamed = SNIPPETS[name]
    a = code.tokenize(first.encode(), lang)
    b = code.tokenize(renamed.encode(), lang)
    assert len(a.ast) >= 8
    assert list(a.ast) == list(b.ast)
    assert a.literals == b.literals


def test_java_renaming_and_comments_keep_ast_and_literals():
    a = fingerprint("Bmi.java", JAVA_ORIGINAL.encode(), P, H)
    b = fingerprint("Calc.java", JAVA_RENAMED.encode(), P, H)
    assert a.kind == b.kind == "code" and a.language == "java"
    assert set(a.channels["ast"].fps) == set(b.channels["ast"].fps)
    assert set(a.channels["lit"].fps) == set(b.channels["lit"].fps)
    # positions map back to lines: the first literal "Enter weight in pounds: " is on line 6
    lit = a.channels["lit"]
    assert lit.first[0] == 6 and lit.last[0] == 6
    ast = a.channels["ast"]
    assert min(ast.first) >= 1 and max(ast.last) <= JAVA_ORIGINAL.count("\n") + 1


def test_text_width_and_traditional_variants_normalise_alike():
    a = fingerprint("a.txt", ZH_TEXT.encode("utf-8"), P, H)
    b = fingerprint("b.txt", ZH_TEXT_TRAD_FULLWIDTH.encode("gb18030", "replace"), P, H)
    c = fingerprint("c.md", ZH_TEXT_TRAD_FULLWIDTH.replace("，", " ,  ").encode("utf-8"), P, H)
    assert set(a.channels["raw"].fps) == set(c.channels["raw"].fps)
    assert (
        len(set(a.channels["raw"].fps) & set(b.channels["raw"].fps)) >= len(set(a.channels["raw"].fps)) // 2
    )
    full = "ＨＥＬＬＯ　Ｗｏｒｌｄ　１２３ " + EN_TEXT
    d = fingerprint("d.txt", full.encode(), P, H)
    e = fingerprint("e.txt", ("hello world 123 " + EN_TEXT.upper()).encode(), P, H)
    assert set(d.channels["raw"].fps) == set(e.channels["raw"].fps)


def test_docx_pdf_and_txt_share_raw_fingerprints(tmp_path):
    words = EN_TEXT.split()
    lines = [" ".join(words[:10]), " ".join(words[10:20]), " ".join(words[20:])]
    docx_path = write_docx(tmp_path / "a.docx", lines)
    pdf_path = write_pdf(tmp_path / "a.pdf", lines)
    txt = fingerprint("a.txt", "\n".join(lines).encode(), P, H)
    doc = fingerprint("a.docx", docx_path.read_bytes(), P, H)
    pdf = fingerprint("a.pdf", pdf_path.read_bytes(), P, H)
    assert doc.kind == "docx" and doc.unit == "paragraph"
    assert pdf.kind == "pdf" and pdf.unit == "page-line"
    base = set(txt.channels["raw"].fps)
    assert set(doc.channels["raw"].fps) == base
    assert set(pdf.channels["raw"].fps) == base
    assert extract.docx_paragraphs(docx_path.read_bytes(), 10**6)[0] == (1, lines[0])
    assert extract.pdf_lines(pdf_path.read_bytes())[0] == (10001, lines[0])


def test_records_are_typed_and_normalised():
    assert records.cell_value("Sales@Example.COM ") == ("Esales@example.com", True)
    assert records.cell_value("+86 138-0013-8000") == ("P13800138000", True)
    assert records.cell_value("13800138000") == ("P13800138000", True)
    assert records.cell_value("北京星辰科技有限公司") == ("N北京星辰科技", True)
    assert records.cell_value("北京星辰科技股份有限公司") == ("N北京星辰科技", True)
    assert records.cell_value("Acme Widgets Co., Ltd.") == ("Nacmewidgets", True)
    assert records.cell_value("上海市浦東新區 世紀大道 100 號") == ("A上海市浦东新区世纪大道100号", False)
    assert records.cell_value("7") is None


def test_spreadsheet_rows_ignore_column_order(tmp_path):
    rows = [["公司", "电话", "邮箱"], ["北京星辰科技有限公司", "13800138000", "a@x.cn"]]
    a = write_xlsx(tmp_path / "a.xlsx", rows)
    b = tmp_path / "b.csv"
    b.write_text("邮箱,公司,电话\na@x.cn,北京星辰科技股份有限公司,138-0013-8000\n", encoding="utf-8")
    fa = fingerprint("a.xlsx", a.read_bytes(), P, H)
    fb = fingerprint("b.csv", b.read_bytes(), P, H)
    assert fa.kind == fb.kind == "sheet"
    strong_a = {fp for fp in fa.channels["rec"].fps if fp & 1}
    strong_b = {fp for fp in fb.channels["rec"].fps if fp & 1}
    assert len(strong_a & strong_b) == 3
    assert records.xlsx_rows(a.read_bytes(), 10**6)[1] == (
        1_000_002,
        ["北京星辰科技有限公司", "13800138000", "a@x.cn"],
    )


def test_dxf_invariant_to_translation_layer_and_order(tmp_path):
    a = fingerprint("a.dxf", write_dxf(tmp_path / "a.dxf").read_bytes(), P, H)
    b = fingerprint("b.dxf", write_dxf(tmp_path / "b.dxf", 1234.5, -77, "SECRET", True).read_bytes(), P, H)
    assert a.kind == "drawing" and len(a.channels["ent"].fps) == 10
    assert set(a.channels["ent"].fps) == set(b.channels["ent"].fps)


def test_other_files_get_digest_and_tlsh():
    data = bytes(range(256)) * 8
    doc = fingerprint("blob.bin", data, P, H)
    assert doc.kind == "other" and set(doc.channels) == {"sha"} and doc.tlsh.startswith("T1")


@pytest.mark.parametrize(
    "name,data,reason",
    [
        ("x.docx", b"PK\x03\x04 not really a zip", "broken_docx"),
        ("x.xlsx", b"garbage", "broken_xlsx"),
        ("x.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> garbage", "broken_pdf"),
        ("x.dxf", b"0\nSECTION\n2\nENTITIES\n0\nLINE\n10\nnot-a-number\n", "broken_dxf"),
        ("x.txt", b"\x00\x01\x02\x03" * 100, "undecodable"),
        ("x.java", b"\x89PNG\r\n\x1a\n" + bytes(range(256)), "undecodable"),
    ],
)
def test_bad_input_is_skipped_with_reason(name, data, reason):
    with pytest.raises(Skipped) as info:
        fingerprint(name, data, P, H)
    assert info.value.reason == reason
