"""The register exported to .xlsx: the same four sheets as the template, so the file re-imports, and an
information sheet (organisation, time, who exported, filters) at the end."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.filters import filters_text
from shangmi.apps.registry.spreadsheets.rows import RegisterRows
from shangmi.apps.registry.spreadsheets.writer import write_workbook


def export_register_xlsx(target, *, secrets, member, params) -> None:
    """Write the export of `secrets` (visible to `member`, filtered by `params`) to `target`."""
    rows = RegisterRows(secrets, member)
    data = {
        cols.SECRETS.name: rows.secret_rows(),
        cols.POINTS.name: rows.point_rows(),
        cols.CARRIERS.name: rows.carrier_rows(),
        cols.GRANTS.name: rows.grant_rows(),
    }
    info = [
        [_("单位"), member.organisation.name],
        [_("导出时间"), timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")],
        [_("导出人"), member.user.name],
        [_("筛选条件"), filters_text(params)],
        [_("重新导入"), _("前四张表与导入模板格式相同，可直接导入本系统。")],
    ]
    write_workbook(target, data, info_title=_("商业秘密台账"), info_rows=info, info_first=False)
