"""Export of audit events to .xlsx (write-only mode, so memory stays flat for long trails)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from shangmi.apps.audit.models import AuditEvent

MAX_ROWS = 1_000_000


def events_to_xlsx(events: Iterable[AuditEvent], organisation_name: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_("审计日志"))
    sheet.column_dimensions["B"].width = 20
    sheet.column_dimensions["E"].width = 40
    sheet.column_dimensions["G"].width = 66
    header = [
        _("序号"),
        _("时间"),
        _("操作人"),
        _("操作"),
        _("对象"),
        _("IP 地址"),
        _("哈希（SHA-256）"),
        _("前一哈希"),
        _("变更内容"),
    ]
    title_cell = WriteOnlyCell(
        sheet,
        value=f"{organisation_name} — {_('审计日志')} ({timezone.localtime().strftime('%Y-%m-%d %H:%M')})",
    )
    title_cell.font = Font(bold=True, size=13)
    sheet.append([title_cell])
    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=str(text))
        cell.font = Font(bold=True)
        cells.append(cell)
    sheet.append(cells)
    for count, event in enumerate(events, start=1):
        if count > MAX_ROWS:
            break
        sheet.append(
            [
                event.seq,
                timezone.localtime(event.created_at).replace(tzinfo=None),
                event.actor_label,
                event.verb,
                event.object_repr,
                event.ip or "",
                event.hash,
                event.prev_hash,
                _json(event.changes),
            ]
        )
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
