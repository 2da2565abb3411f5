"""Reading one cell of an uploaded workbook into a Python value, by the column's kind.

Excel hands over what the user typed or what a formula produced: numbers as int or float, dates as
datetime (when the cell is formatted as a date) or as text. Each reader accepts both and raises CellError
with a message naming what was expected.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.registry.models.choices import PeriodKind
from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.columns import Column
from shangmi.apps.registry.wording import series

_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_DATETIME = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")


class CellError(ValueError):
    """The cell's value cannot be read as its column's kind; the message says what is expected."""


def read_cell(column: Column, raw: object) -> object:
    """The cell's value for `column`, or raise CellError. Empty cells read as "" (text) or None."""
    if isinstance(raw, str):
        raw = raw.strip()
    if raw is None or raw == "":
        return "" if column.kind in (cols.TEXT, cols.PERSON, cols.DIGEST, cols.CHOICE) else None
    reader = _READERS[column.kind]
    return reader(column, raw)


def _text(column: Column, raw: object) -> str:
    if isinstance(raw, bool):
        raise CellError(_("应为文字"))
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # a code typed as 1001 comes back as 1001.0
    if isinstance(raw, datetime):
        raw = raw.date() if raw.time() == time(0) else raw.isoformat(sep=" ")
    if isinstance(raw, date):
        raw = raw.isoformat()
    text = str(raw).strip()
    if column.max_length and len(text) > column.max_length:
        raise CellError(_("最长 %(n)s 字") % {"n": column.max_length})
    return text


def _choice(column: Column, raw: object) -> str:
    code = cols.codes_by_text(column.choices).get(cols.normalise_header(raw))
    offered = series(cols.choice_list(column))
    if code is None:
        raise CellError(_("“%(value)s”不是可选值；应为：%(offered)s") % {"value": raw, "offered": offered})
    return code


def _date(column: Column, raw: object) -> date:
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    match = _DATE.match(str(raw).strip())
    if match:
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise CellError(_("“%(value)s”不是有效日期；应为 YYYY-MM-DD，如 2030-12-31") % {"value": raw})


def _period(column: Column, raw: object) -> tuple[str, date | None]:
    text = cols.normalise_header(raw) if isinstance(raw, str) else ""
    if text in (cols.LONG_TERM_LABEL, PeriodKind.LONG_TERM):
        return PeriodKind.LONG_TERM, None
    if text in (cols.UNTIL_PUBLIC_LABEL, PeriodKind.UNTIL_PUBLIC):
        return PeriodKind.UNTIL_PUBLIC, None
    try:
        return PeriodKind.UNTIL_DATE, _date(column, raw)
    except CellError:
        raise CellError(
            _("“%(value)s”不是有效的保密期限；应为日期（YYYY-MM-DD）、长期或至公开") % {"value": raw}
        ) from None


def _int(column: Column, raw: object) -> int:
    if isinstance(raw, bool):
        raise CellError(_("应为整数"))
    if isinstance(raw, int):
        return raw
    if isinstance(raw, float) and raw.is_integer():
        return int(raw)
    text = str(raw).strip().replace(",", "")
    if re.fullmatch(r"-?\d{1,19}", text):
        return int(text)
    raise CellError(_("“%(value)s”不是整数") % {"value": raw})


def _decimal(column: Column, raw: object) -> Decimal:
    if isinstance(raw, bool):
        raise CellError(_("应为数字"))
    try:
        value = Decimal(str(raw).strip().replace(",", ""))
    except InvalidOperation:
        raise CellError(_("“%(value)s”不是数字") % {"value": raw}) from None
    if not value.is_finite():
        raise CellError(_("“%(value)s”不是数字") % {"value": raw})
    return value


def _datetime(column: Column, raw: object) -> datetime:
    """Times in the workbook are local times (Asia/Shanghai by default), as Excel shows them."""
    zone = timezone.get_current_timezone()
    if isinstance(raw, datetime):
        return raw.replace(microsecond=0, tzinfo=zone)
    if isinstance(raw, date):
        return datetime.combine(raw, time(0), tzinfo=zone)
    text = str(raw).strip()
    match = _DATETIME.match(text)
    try:
        if match:
            return datetime(*(int(p) if p else 0 for p in match.groups()), tzinfo=zone)
        return datetime.combine(_date(column, text), time(0), tzinfo=zone)
    except (ValueError, CellError):
        raise CellError(_("“%(value)s”不是有效时间；应为 YYYY-MM-DD HH:MM:SS") % {"value": raw}) from None


def _digest(column: Column, raw: object) -> str:
    return str(raw).strip().lower()


_READERS = {
    cols.TEXT: _text,
    cols.PERSON: _text,
    cols.CHOICE: _choice,
    cols.DATE: _date,
    cols.PERIOD: _period,
    cols.INT: _int,
    cols.DECIMAL: _decimal,
    cols.DATETIME: _datetime,
    cols.DIGEST: _digest,
}
