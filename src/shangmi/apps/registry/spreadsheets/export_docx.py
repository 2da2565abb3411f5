"""The printable register (python-docx): a landscape A4 document with the title, organisation, date and
filters, a table of the secrets, then each secret's points and carriers; page numbers in the footer.
Fonts and page numbers come from shangmi.office.word.
"""

from __future__ import annotations

import re
from collections import defaultdict
from xml.sax.saxutils import escape

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import parse_xml
from docx.shared import Cm, Pt
from lxml import etree

from shangmi.apps.registry.spreadsheets.filters import filters_text
from shangmi.apps.registry.spreadsheets.rows import RegisterRows
from shangmi.apps.registry.wording import labelled
from shangmi.office.word import BODY_FONT, HEADING_FONT, east_asian_fonts, page_numbers

MAX_DOCX_SECRETS = 2000


class TooManyForDocx(ValidationError):
    def __init__(self, count: int):
        super().__init__(
            _("筛选结果有 %(n)s 项，可打印台账一次最多 %(max)s 项；请先筛选，或导出 Excel。")
            % {"n": count, "max": MAX_DOCX_SECRETS}
        )


def export_register_docx(target, *, secrets, member, params) -> None:
    """Write the printable register of `secrets` (visible to `member`, filtered by `params`) to `target`.
    Raises TooManyForDocx above MAX_DOCX_SECRETS: a Word table of more is neither printable nor quick."""
    count = secrets.count()
    if count > MAX_DOCX_SECRETS:
        raise TooManyForDocx(count)
    rows = RegisterRows(secrets, member)
    secret_rows = list(rows.secret_rows())
    points = defaultdict(list)
    for code, number, title, description in rows.point_rows():
        points[code].append((number, title, description))
    carriers = defaultdict(list)
    for carrier in rows.carrier_rows():
        carriers[carrier[1]].append(carrier)

    document = Document()
    _set_up(document)
    _heading(document, member, params, count)
    body = _Body(document)
    _summary_table(body, secret_rows, carriers)
    for secret in secret_rows:
        _secret_details(body, secret, points[secret[0]], carriers[secret[0]])
    body.flush()
    document.save(target)


def _set_up(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(1.8))
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    east_asian_fonts(normal, BODY_FONT)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3"):
        east_asian_fonts(document.styles[name], HEADING_FONT)
    page_numbers(section.footer.paragraphs[0])


def _heading(document, member, params, count: int) -> None:
    title = document.add_paragraph(style="Title")
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run(_("商业秘密台账"))
    lines = [
        (_("单位"), member.organisation.name),
        (_("日期"), timezone.localdate().isoformat()),
        (_("制表人"), member.user.name),
        (_("筛选条件"), filters_text(params)),
        (_("共计"), _("%(n)s 项商业秘密") % {"n": count}),
    ]
    for label, value in lines:
        paragraph = document.add_paragraph()
        paragraph.add_run(labelled(label, "")).bold = True
        paragraph.add_run(str(value))


class _Body:
    """The register's tables and per-secret sections, written as WordprocessingML text and parsed once.
    python-docx's object API resolves the style by name on every heading and lays out a table's whole
    grid on every cell access: filling the register that way costs minutes for a few thousand secrets
    (n² in the rows); this costs one pass."""

    def __init__(self, document):
        self.document = document
        self.styles = {
            name: document.styles[name].style_id for name in ("Heading 2", "Heading 3", "Table Grid")
        }
        self.chunks: list[str] = []

    def paragraph(self, *runs: tuple[str, bool], style: str = "") -> None:
        properties = f'<w:pPr><w:pStyle w:val="{self.styles[style]}"/></w:pPr>' if style else ""
        self.chunks.append(f"<w:p>{properties}{''.join(_run(text, bold) for text, bold in runs)}</w:p>")

    def table(self, headers: list[str], body: list[list[str]], widths) -> None:
        """A grid table whose header row repeats at the top of every printed page."""
        grid = "".join(f'<w:gridCol w:w="{w.twips}"/>' for w in widths)
        rows = [_row(headers, widths, header=True)] + [_row(values, widths) for values in body]
        self.chunks.append(
            f'<w:tbl><w:tblPr><w:tblStyle w:val="{self.styles["Table Grid"]}"/>'
            '<w:tblW w:w="0" w:type="auto"/><w:jc w:val="center"/>'
            '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0"'
            ' w:noHBand="0" w:noVBand="1"/></w:tblPr>'
            f"<w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"
        )

    def flush(self) -> None:
        """Put what was written at the end of the document body, before its section settings.

        Done as text and one parse of the whole document part: moving a large parsed table into another
        lxml document costs time quadratic in its rows (lxml 6: 3.5 s for a 2,000-row table), whereas
        parsing the whole part once is linear. python-docx has no public way to replace a part's XML,
        hence `part._element`; the Document object is only saved after this."""
        part = self.document.part
        xml = etree.tostring(part._element, encoding="unicode")
        end = xml.rindex("<w:sectPr")  # the body's own section settings close the document
        part._element = parse_xml(xml[:end] + "".join(self.chunks) + xml[end:])
        self.chunks = []


def _run(text: str, bold: bool = False) -> str:
    properties = "<w:rPr><w:b/></w:rPr>" if bold else ""
    return f'<w:r>{properties}<w:t xml:space="preserve">{_xml_text(text)}</w:t></w:r>'


def _row(values: list, widths, *, header: bool = False) -> str:
    cells = "".join(
        f'<w:tc><w:tcPr><w:tcW w:w="{width.twips}" w:type="dxa"/></w:tcPr><w:p>{_run(value, header)}</w:p></w:tc>'
        for value, width in zip(values, widths, strict=True)
    )
    repeat = "<w:trPr><w:tblHeader/></w:trPr>" if header else ""
    return f"<w:tr>{repeat}{cells}</w:tr>"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_text(value) -> str:
    """Escaped, and without the control characters XML cannot carry."""
    return escape(_NOT_XML.sub("", str(value)))


def _summary_table(body: _Body, secret_rows: list[list], carriers) -> None:
    headers = [
        _("编号"),
        _("名称"),
        _("类别"),
        _("密级"),
        _("保密期限"),
        _("部门"),
        _("责任人"),
        _("状态"),
        _("载体数"),
    ]
    widths = [Cm(3.6), Cm(6.4), Cm(2.0), Cm(1.5), Cm(2.6), Cm(2.6), Cm(2.2), Cm(1.8), Cm(1.4)]
    rows = [
        [s[0], s[1], s[2], s[5], _text(s[6]), s[7], s[8] or "", s[11], str(len(carriers[s[0]]))]
        for s in secret_rows
    ]
    body.table(headers, rows, widths)


def _secret_details(body: _Body, secret: list, points: list, carriers: list) -> None:
    body.paragraph((f"{secret[0]}  {secret[1]}", False), style="Heading 2")
    facts = [
        (_("类别"), f"{secret[2]} / {secret[3]}"),
        (_("密级"), secret[5]),
        (_("保密期限"), _text(secret[6])),
        (_("状态"), secret[11]),
    ]
    body.paragraph(("　".join(f"{label}：{value}" for label, value in facts), False))
    if secret[4]:
        body.paragraph((secret[4], False))
    body.paragraph((_("密点"), False), style="Heading 3")
    for number, title, description in points:
        body.paragraph((f"{number}. {title}", True), (f"：{description}" if description else "", False))
    body.paragraph((_("载体"), False), style="Heading 3")
    if not carriers:
        body.paragraph((_("无"), False))
        return
    headers = [
        _("载体编号"),
        _("类型"),
        _("名称"),
        _("存放位置"),
        _("保管人"),
        _("份数"),
        _("标识"),
        _("状态"),
    ]
    rows = [[c[0], c[2], c[3], c[4] or "", c[5] or "", str(c[7]), c[6], c[11]] for c in carriers]
    widths = [Cm(4.2), Cm(2.2), Cm(6.0), Cm(4.6), Cm(2.2), Cm(1.2), Cm(1.8), Cm(1.8)]
    body.table(headers, rows, widths)


def _text(value) -> str:
    return value.isoformat() if hasattr(value, "isoformat") else str(value or "")
