"""Text extraction from .txt/.md (and code), .docx and .pdf, with typed skips for bad input.

* `decode`: BOM-aware UTF-8/UTF-16, else GB18030 (the Chinese national superset of GBK/GB2312); text that
  is neither, or that looks binary (NUL bytes, many control characters), is skipped as ``undecodable``.
* `docx_paragraphs`: reads ``word/document.xml`` (plus headers, footers, footnotes) straight from the ZIP with
  linear regular expressions, never expanding XML entities; the unit is the paragraph number (1-based, in
  document order). A file that is not a ZIP or lacks the part is skipped as ``broken_docx``.
* `pdf_lines`: the text layer of every page through pypdf; the unit is ``page * 10000 + line``. Encrypted or
  unparsable PDFs are skipped as ``encrypted`` / ``broken_pdf``; a PDF without a text layer is ``no_text``.

Cost: linear in the file for text and DOCX; pypdf is pure Python (about 1-5 MB/s).
"""

from __future__ import annotations

import codecs
import html
import io
import re
import zipfile

from .errors import Skipped

PAGE = 10000
_CONTROL = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f]")
_PARA = re.compile(rb"<w:p(?: [^>]*)?>.*?</w:p>|<w:p(?: [^>]*)?/>", re.S)
_RUN_TEXT = re.compile(rb"<w:t(?: [^>]*)?>([^<]*)</w:t>|<w:(tab|br|cr)\b[^>]*/>")
_DOCX_PARTS = re.compile(r"word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")


def looks_binary(data: bytes) -> bool:
    """True when the first 8 KiB hold a NUL byte or more than 10 % control characters."""
    head = data[:8192]
    if not head:
        return False
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head or len(_CONTROL.findall(head)) > len(head) // 10


def decode(data: bytes) -> str:
    """Decode a text file; raise Skipped('undecodable') for binary or undecodable bytes."""
    if data.startswith(codecs.BOM_UTF8):
        return data[3:].decode("utf-8", "replace")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", "replace")
    if looks_binary(data):
        raise Skipped("undecodable", "binary content (NUL or control bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    text = data.decode("utf-8", "replace")
    if text.count("\ufffd") > max(8, len(text) // 100):
        raise Skipped("undecodable", "neither UTF-8 nor GB18030 text")
    return text


def _paragraph_text(xml: bytes) -> str:
    out = []
    for text, special in _RUN_TEXT.findall(xml):
        out.append(" " if special else text.decode("utf-8", "replace"))
    return html.unescape("".join(out))


def docx_paragraphs(data: bytes, max_bytes: int) -> list[tuple[int, str]]:
    """(paragraph number, text) of a .docx; headers/footers/notes follow the body."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        names = [n for n in zf.namelist() if _DOCX_PARTS.match(n)]
        if "word/document.xml" not in names:
            raise Skipped("broken_docx", "not a Word document: word/document.xml is missing")
        names.sort(key=lambda n: (n != "word/document.xml", n))
        segments: list[tuple[int, str]] = []
        number = 0
        for name in names:
            info = zf.getinfo(name)
            if info.file_size > max_bytes:
                raise Skipped("zip_bomb", f"{name} expands to {info.file_size} bytes (limit {max_bytes})")
            with zf.open(info) as fh:
                xml = fh.read(max_bytes + 1)
            if len(xml) > max_bytes:
                raise Skipped("zip_bomb", f"{name} expands beyond {max_bytes} bytes")
            for para in _PARA.findall(xml):
                number += 1
                text = _paragraph_text(para)
                if text.strip():
                    segments.append((number, text))
        return segments
    except Skipped:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise Skipped("broken_docx", f"broken DOCX: {exc}") from None
    except RuntimeError as exc:  # encrypted members
        raise Skipped("encrypted", f"encrypted DOCX: {exc}") from None


def pdf_lines(data: bytes, max_pages: int = 5000) -> list[tuple[int, str]]:
    """(page * 10000 + line, text) of a PDF's text layer."""
    import logging

    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            try:
                if not reader.decrypt(""):
                    raise Skipped("encrypted", "encrypted PDF (a password is needed)")
            except Skipped:
                raise
            except Exception:
                raise Skipped("encrypted", "encrypted PDF (a password is needed)") from None
        segments: list[tuple[int, str]] = []
        for number, page in enumerate(reader.pages, start=1):
            if number > max_pages:
                break
            text = page.extract_text() or ""
            for line_no, line in enumerate(text.split("\n"), start=1):
                if line.strip():
                    segments.append((number * PAGE + min(line_no, PAGE - 1), line))
    except Skipped:
        raise
    except RecursionError:
        raise Skipped("broken_pdf", "broken PDF: object nesting too deep") from None
    except Exception as exc:  # pypdf raises many types on malformed files
        raise Skipped("broken_pdf", f"broken PDF: {type(exc).__name__}: {exc}"[:300]) from None
    if not segments:
        raise Skipped("no_text", "PDF without a text layer (scanned image?)")
    return segments
