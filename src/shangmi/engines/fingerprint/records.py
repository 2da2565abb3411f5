"""Spreadsheet normaliser (.xlsx, .csv): record-level fingerprints for customer lists and the like.

Every non-empty cell of a row becomes one typed, normalised value; a row's fingerprints are the set of its
values, so column order, extra or missing columns and partial rows do not matter. Types, tried in order:

* ``E`` e-mail address: lower-cased;
* ``P`` phone number: digits only, without a +86/0086 prefix (7-15 digits, or 1[3-9] mobiles);
* ``N`` organisation name (holds 公司/集团/厂/有限 or Co/Ltd/Inc/LLC/GmbH/Corp...): NFKC, simplified,
  case-folded, punctuation and legal-form suffixes (有限责任公司, 股份有限公司, Co., Ltd. ...) removed;
* ``A`` address (holds 省/市/区/县/路/街/号/弄 or street/road/avenue...): NFKC, simplified, no spaces or punctuation;
* ``V`` any other value of at least 2 characters (a name, a product, an amount).

E, P and N values are *strong*: `match.py` counts a row as matched when it shares one strong value, or at
least two values, with a row of the other side. The strong flag is bit 0 of the fingerprint.

XLSX is read straight from its XML parts with linear regular expressions (shared strings, inline strings,
numbers; every worksheet), which is robust and about 20x faster than a full workbook model; the unit of a
row is ``sheet * 1_000_000 + row``. CSV is sniffed for its delimiter and decoded like text.
Cost: linear in the file.
"""

from __future__ import annotations

import csv
import html
import io
import re
import unicodedata
import zipfile

from .errors import Skipped
from .extract import decode
from .text import normalise

SHEET = 1_000_000
_EMAIL = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")
_PHONE_CHARS = re.compile(r"^[+\d\s()./-]+(?:(?:ext|转|分机)\.?\s*\d+)?$", re.I)
_ORG = re.compile(
    r"公司|集团|有限|厂|研究院|事务所|\b(co|ltd|inc|llc|gmbh|corp|corporation|company|limited|plc|group)\b",
    re.I,
)
_ORG_SUFFIX = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|集团公司|公司|集团|"
    r"\b(co|ltd|inc|llc|gmbh|corp|corporation|company|limited|plc|group)\b)",
    re.I,
)
_ADDR = re.compile(
    r"省|市|区|县|镇|路|街|号|弄|巷|\b(street|st|road|rd|avenue|ave|lane|floor|building)\b", re.I
)
# Every match of _ORG / _ADDR starts with one of these characters (compared under the same re.I rules), so
# a string without any of them cannot match: a one-character-class scan rules most cells out several times
# faster than the alternations with word boundaries, and the full pattern decides the rest as before.
_ORG_HINT = re.compile(r"[公集有厂研事cligp]", re.I)
_ADDR_HINT = re.compile(r"[省市区县镇路街号弄巷srafbl]", re.I)
_PHONE_EXT = re.compile(r"(?i)ext|转|分机")
_NON_DIGIT = re.compile(r"\D")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_STRIP = re.compile(r"[\W_]+")
_SHEET_NAME = re.compile(r"xl/worksheets/sheet(\d+)\.xml$")
_ROW = re.compile(rb"<row\b([^>]*)>(.*?)</row>", re.S)
_ROW_NUM = re.compile(rb'\br="(\d+)"')
_CELL = re.compile(rb"<c\b([^>]*?)(?:/>|>(.*?)</c>)", re.S)
_TYPE = re.compile(rb'\bt="(\w+)"')
_V = re.compile(rb"<v>([^<]*)</v>")
_T = re.compile(rb"<t(?: [^>]*)?>([^<]*)</t>")
_SI = re.compile(rb"<si>(.*?)</si>", re.S)


def cell_value(raw: str, norm: str | None = None) -> tuple[str, bool] | None:
    """Typed normalised value of a cell and whether it is strong; None for an empty or trivial cell.
    `norm` is `text.normalise(raw)` when the caller has it already (batch normalisation)."""
    text = unicodedata.normalize("NFKC", raw).strip()
    if not text:
        return None
    low = text.casefold()
    if "@" in low and _EMAIL.match(low):
        return "E" + low, True
    if _PHONE_CHARS.match(text):
        digits = _NON_DIGIT.sub("", _PHONE_EXT.split(text)[0])
        if digits.startswith("0086"):
            digits = digits[4:]
        elif digits.startswith("86") and len(digits) == 13:
            digits = digits[2:]
        mobile = _MOBILE.fullmatch(digits) is not None
        plausible = 7 <= len(digits) <= 15 and (
            len(digits) >= 10 or text.startswith(("+", "(")) or "-" in text or " " in text
        )
        if mobile or plausible:
            return "P" + digits, True
    norm = normalise(text) if norm is None else norm.strip()
    if _ORG_HINT.search(norm) and _ORG.search(norm):
        core = _STRIP.sub("", _ORG_SUFFIX.sub("", norm))
        if len(core) >= 2:
            return "N" + core, True
    flat = _STRIP.sub("", norm)
    if len(flat) < 2:
        return None
    if _ADDR_HINT.search(norm) and _ADDR.search(norm):
        return "A" + flat, False
    return "V" + flat, False


def row_values(cells: list[str]) -> list[tuple[bytes, bool]]:
    """Distinct typed values of a row, in cell order. The row is normalised in one call (cheaper)."""
    joined = normalise("\x1f".join(cells)).split("\x1f")
    norms = joined if len(joined) == len(cells) else [None] * len(cells)
    seen: dict[str, bool] = {}
    for cell, norm in zip(cells, norms, strict=True):
        value = cell_value(cell, norm)
        if value is not None:
            seen.setdefault(value[0], value[1])
    return [(v.encode("utf-8"), strong) for v, strong in seen.items()]


def csv_rows(data: bytes) -> list[tuple[int, list[str]]]:
    """(row number, cells) of a CSV/TSV file (1-based rows)."""
    text = decode(data)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        return [(i, row) for i, row in enumerate(csv.reader(io.StringIO(text), dialect), start=1) if row]
    except csv.Error as exc:
        raise Skipped("broken_csv", f"broken CSV: {exc}") from None


def xlsx_rows(data: bytes, max_bytes: int) -> list[tuple[int, list[str]]]:
    """(sheet * 1_000_000 + row, cells) of every worksheet of an .xlsx."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))

        def part(name: str) -> bytes:
            info = zf.getinfo(name)
            if info.file_size > max_bytes:
                raise Skipped("zip_bomb", f"{name} expands to {info.file_size} bytes (limit {max_bytes})")
            with zf.open(info) as fh:
                body = fh.read(max_bytes + 1)
            if len(body) > max_bytes:
                raise Skipped("zip_bomb", f"{name} expands beyond {max_bytes} bytes")
            return body

        names = zf.namelist()
        sheets = sorted((int(m.group(1)), n) for n in names if (m := _SHEET_NAME.match(n)))
        if not sheets:
            raise Skipped("broken_xlsx", "not an Excel workbook: no xl/worksheets/sheetN.xml")
        shared: list[str] = []
        if "xl/sharedStrings.xml" in names:
            for si in _SI.findall(part("xl/sharedStrings.xml")):
                shared.append(html.unescape(b"".join(_T.findall(si)).decode("utf-8", "replace")))
        rows: list[tuple[int, list[str]]] = []
        for sheet_no, name in sheets:
            for attrs, body in _ROW.findall(part(name)):
                m = _ROW_NUM.search(attrs)
                row_no = int(m.group(1)) if m else len(rows) + 1
                cells = []
                for cattrs, cbody in _CELL.findall(body):
                    if not cbody:
                        continue
                    t = _TYPE.search(cattrs)
                    kind = t.group(1) if t else b"n"
                    if kind == b"s":
                        v = _V.search(cbody)
                        idx = int(v.group(1)) if v and v.group(1).strip().isdigit() else -1
                        if 0 <= idx < len(shared):
                            cells.append(shared[idx])
                    elif kind == b"inlineStr":
                        cells.append(html.unescape(b"".join(_T.findall(cbody)).decode("utf-8", "replace")))
                    else:
                        v = _V.search(cbody)
                        if v:
                            cells.append(_number_text(html.unescape(v.group(1).decode("utf-8", "replace"))))
                if cells:
                    rows.append((sheet_no * SHEET + min(row_no, SHEET - 1), cells))
        return rows
    except Skipped:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, OSError, EOFError, ValueError) as exc:
        raise Skipped("broken_xlsx", f"broken XLSX: {exc}") from None
    except RuntimeError as exc:
        raise Skipped("encrypted", f"encrypted XLSX: {exc}") from None


def _number_text(value: str) -> str:
    """Excel stores 13800138000 as "13800138000" or "1.3800138E10"; give integers back their digits."""
    if "E" in value or "e" in value or value.endswith(".0"):
        try:
            number = float(value)
        except ValueError:
            return value
        if number.is_integer() and abs(number) < 1e16:
            return str(int(number))
    return value
