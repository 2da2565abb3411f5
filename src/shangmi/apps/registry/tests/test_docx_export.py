"""The printable register (.docx): it opens with python-docx and holds the title, organisation, filters,
the table of secrets and each secret's points and carriers; landscape, Chinese fonts, page numbers;
visibility and filters as for the Excel export."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn

from shangmi.apps.registry.spreadsheets import export_docx
from shangmi.apps.registry.tests.excel_support import build_register, download

pytestmark = pytest.mark.django_db
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUMMARY_HEADERS = ["编号", "名称", "类别", "密级", "保密期限", "部门", "责任人", "状态", "载体数"]


def open_docx(response):
    assert response.status_code == 200 and response["Content-Type"] == DOCX
    assert "attachment" in response["Content-Disposition"]
    return Document(io.BytesIO(download(response)))


def summary_rows(document) -> list[list[str]]:
    table = document.tables[0]
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_the_printable_register(members, application, enterprise, login):
    register = build_register(members, application)
    org, people = enterprise
    document = open_docx(login(people["officer"]).get("/registry/export.docx"))

    paragraphs = [p.text for p in document.paragraphs]
    assert paragraphs[0] == "商业秘密台账" and document.paragraphs[0].style.name == "Title"
    assert f"单位：{org.name}" in paragraphs and "筛选条件：全部（未筛选）" in paragraphs
    assert "共计：4 项商业秘密" in paragraphs

    rows = summary_rows(document)
    assert rows[0] == SUMMARY_HEADERS
    core = register["core"]
    by_code = {row[0]: row for row in rows[1:]}
    assert sorted(by_code) == sorted(s.code for s in register.values())
    assert by_code[core.code] == [
        core.code,
        core.name,
        "技术信息",
        "核心",
        core.period_until.isoformat(),
        "研发部",
        people["employee"].name,
        "已定密",
        "2",
    ]
    assert by_code[register["declassified"].code][7] == "已解密"
    assert by_code[register["business"].code][4] == "至公开"
    # The header row repeats on every printed page.
    assert document.tables[0].rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None

    # Per secret: a heading, its points, its carriers.
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 2"]
    assert f"{core.code}  {core.name}" in headings and len(headings) == 4
    assert "1. 模具预热曲线：分三段升温" in paragraphs and "2. 保压时间：随壁厚调整" in paragraphs
    carrier_tables = [t for t in document.tables[1:] if t.rows[0].cells[0].text == "载体编号"]
    carrier_names = {row.cells[2].text for t in carrier_tables for row in t.rows[1:]}
    assert carrier_names == {"压铸工艺参数表.xlsx", "工艺卡（纸质）", "试样 7 号", "crm-export"}

    # Landscape A4, Chinese fonts named for East Asian text, page numbers in the footer.
    section = document.sections[0]
    assert section.orientation == WD_ORIENT.LANDSCAPE and section.page_width > section.page_height
    normal_fonts = document.styles["Normal"].element.rPr.rFonts
    assert normal_fonts.get(qn("w:eastAsia")) == "宋体"
    heading_fonts = document.styles["Heading 2"].element.rPr.rFonts
    assert heading_fonts.get(qn("w:eastAsia")) == "黑体" and heading_fonts.get(qn("w:eastAsiaTheme")) is None
    fields = [f.get(qn("w:instr")) for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]


def test_visibility_and_filters(members, application, enterprise, login):
    register = build_register(members, application)
    org, people = enterprise
    employee = open_docx(login(people["employee"]).get("/registry/export.docx"))
    assert [row[0] for row in summary_rows(employee)[1:]] == [register["core"].code]
    assert register["business"].code not in "\n".join(p.text for p in employee.paragraphs)

    officer = login(people["officer"])
    for url in ("/registry/export.docx?level=important", "/api/v1/registry/export.docx?level=important"):
        filtered = open_docx(officer.get(url))
        assert [row[0] for row in summary_rows(filtered)[1:]] == [register["business"].code], url
        assert "筛选条件：密级：重要" in [p.text for p in filtered.paragraphs]


def test_too_many_for_print_is_refused_with_a_way_out(members, application, enterprise, login, monkeypatch):
    build_register(members, application)
    org, people = enterprise
    monkeypatch.setattr(export_docx, "MAX_DOCX_SECRETS", 2)
    client = login(people["officer"])
    page = client.get("/registry/export.docx?category=technical")
    assert page.status_code == 302 and page["Location"] == "/registry/?category=technical"
    message = "筛选结果有 3 项，可打印台账一次最多 2 项；请先筛选，或导出 Excel。"
    assert message in client.get(page["Location"]).content.decode()
    api = client.get("/api/v1/registry/export.docx?category=technical")
    assert api.status_code == 422 and api.json()["errors"] == [{"field": "__all__", "message": message}]
    assert open_docx(client.get("/registry/export.docx?level=core"))  # two secrets: within the limit
