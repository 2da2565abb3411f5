"""Word documents for Chinese readers (python-docx): A4 pages, 宋体/黑体 fonts named where Word looks for
East Asian text, and page numbers in the footer.

Chinese text needs an East Asian font named in w:rFonts/@w:eastAsia: python-docx's `font.name` sets only
the Latin ones, and Word would otherwise fall back to whatever the reader's machine picks.
"""

from __future__ import annotations

import io
import re

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"


def chinese_document(*, landscape: bool = False, margin_cm: float = 2.2, body_pt: float = 12):
    """A new A4 document whose styles name Chinese fonts, with page numbers in the footer."""
    document = Document()
    section = document.sections[0]
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    else:
        section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(margin_cm))
    normal = document.styles["Normal"]
    normal.font.size = Pt(body_pt)
    east_asian_fonts(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        east_asian_fonts(document.styles[name], HEADING_FONT)
    page_numbers(section.footer.paragraphs[0])
    return document


def east_asian_fonts(style, east_asian: str) -> None:
    style.font.name = LATIN_FONT
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asian)
    # The built-in heading styles name theme fonts, which win over explicit names: drop them.
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)


def page_numbers(paragraph) -> None:
    """One translatable sentence; Word fills its two placeholders with PAGE and NUMPAGES fields."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    fields = {"page": "PAGE", "pages": "NUMPAGES"}
    text = _("第 %(page)s 页，共 %(pages)s 页")
    for part in re.split(r"(%\((?:page|pages)\)s)", text):
        name = re.fullmatch(r"%\((\w+)\)s", part)
        if name:
            _field(paragraph, fields[name.group(1)])
        elif part:
            paragraph.add_run(part)


def _field(paragraph, instruction: str) -> None:
    """A simple field (w:fldSimple): Word computes the value when it lays out the page."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def title(document, text: str) -> None:
    paragraph = document.add_paragraph(style="Title")
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run(text)


def field_lines(document, lines: list[tuple[str, object]]) -> None:
    """'label：value' lines with the label in bold."""
    for label, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{label}：").bold = True
        paragraph.add_run("" if value is None else str(value))


def table(document, header: list[str], rows: list[list[object]], *, empty: str | None = None) -> None:
    """A bordered table with a bold header row; None becomes an empty cell. With no rows and `empty`
    given, that paragraph instead of an empty table."""
    if not rows and empty is not None:
        document.add_paragraph(empty)
        return
    grid = document.add_table(rows=1, cols=len(header))
    grid.style = "Table Grid"
    for cell, text in zip(grid.rows[0].cells, header, strict=True):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in rows:
        for cell, value in zip(grid.add_row().cells, row, strict=True):
            cell.text = "" if value is None else str(value)


def to_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
