"""What an uploaded workbook must be before anything parses it: small, a real .xlsx, and no zip bomb.

An .xlsx is a zip archive whose [Content_Types].xml declares a spreadsheet main part. Old .xls files
(OLE compound documents), CSV and other files renamed to .xlsx are refused with a message saying what the
file is. The zip's central directory states each member's uncompressed size, and Python's zipfile never
inflates a member beyond that size, so summing the stated sizes bounds the memory any parser can need.
"""

from __future__ import annotations

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 2000

XLSX_MAIN = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
_OTHER_OFFICE_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml": "xlsm",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml": "xltx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": "docx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": "pptx",
}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class UploadRefused(ValidationError):
    """The file is not one we read; nothing was parsed or stored."""

    def __init__(self, message: str):
        super().__init__({"file": [message]})
        self.message_text = message


def check_upload(data: bytes) -> None:
    """Raise UploadRefused unless `data` is a plausible, bounded .xlsx workbook."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(too_large_message())
    if not data:
        raise UploadRefused(_("文件是空的"))
    if data.startswith(_OLE_MAGIC):
        raise UploadRefused(
            _(
                "这是旧版 Excel（.xls）或其他 OLE 格式文件。请在 Excel 中“另存为” Excel 工作簿（.xlsx）后再导入。"
            )
        )
    if not data.startswith(b"PK"):
        raise UploadRefused(
            _("文件不是 Excel 工作簿（.xlsx）。CSV、WPS 表格等文件请先另存为 .xlsx；请使用本页提供的模板。")
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise UploadRefused(_("文件已损坏或不是 Excel 工作簿（.xlsx）")) from None
    with archive:
        members = archive.infolist()
        if len(members) > MAX_ZIP_MEMBERS:
            raise UploadRefused(_("工作簿内部文件过多，疑似异常文件，已拒绝"))
        if sum(m.file_size for m in members) > MAX_UNCOMPRESSED_BYTES:
            raise UploadRefused(
                _("工作簿解压后超过 %(mb)s MB，已拒绝（疑似压缩炸弹或数据过多）")
                % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
            )
        try:
            content_types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
        except KeyError:
            raise UploadRefused(
                _("压缩文件中没有 Excel 工作簿（.xlsx）的内容声明，不是 Excel 工作簿")
            ) from None
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError):
            raise UploadRefused(_("文件已损坏或已加密，无法读取")) from None
    if XLSX_MAIN in content_types:
        return
    for content_type, kind in _OTHER_OFFICE_TYPES.items():
        if content_type in content_types:
            raise UploadRefused(
                _("这是 .%(kind)s 文件，不是 Excel 工作簿（.xlsx）；请另存为 .xlsx 后再导入。")
                % {"kind": kind}
            )
    raise UploadRefused(_("文件不是 Excel 工作簿（.xlsx）"))


def too_large_message() -> str:
    return _("文件超过 %(mb)s MB 上限；请分批导入") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}
