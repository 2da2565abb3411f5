"""The downloadable import template: the four sheets with their headers, drop-downs and one example row
each, after an instructions sheet (说明)."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.spreadsheets.reader import MAX_SECRETS
from shangmi.apps.registry.spreadsheets.upload import MAX_UPLOAD_BYTES
from shangmi.apps.registry.spreadsheets.writer import write_workbook


def template_bytes(*, organisation, person_name: str = "") -> bytes:
    code = f"{organisation.short_code}-{timezone.localdate().year}-0001"
    examples = {
        "code": code,
        "secret": code,
        "responsible": person_name,
        "custodian": person_name,
        "designated_on": timezone.localdate(),
    }
    data = {}
    for sheet in cols.SHEETS:
        row = [examples.get(c.field, c.example) for c in sheet.columns]
        if sheet is cols.CARRIERS:
            row[0] = f"{code}-C01"
        data[sheet.name] = [row]
    buffer = io.BytesIO()
    write_workbook(
        buffer, data, info_title=_("商业秘密台账导入模板"), info_rows=instructions(), info_first=True
    )
    return buffer.getvalue()


def instructions() -> list[list[str]]:
    return [
        [
            _("用途"),
            _(
                "把已有的保密台账导入本系统。导入的秘密直接登记为已定密（或已解密），每个秘密留下一条“台账导入”记录并存证。"
            ),
        ],
        [
            _("工作表"),
            _(
                "商业秘密、密点、载体、知悉范围，各一张表；表名和表头请勿修改，列的顺序可以调整。红色表头为必需列。"
            ),
        ],
        [_("示例行"), _("每张表第 2 行是示例，导入前请删除或改写。")],
        [
            _("可选值"),
            _("类别、细类、密级、状态等列有下拉列表，填中文名称（也接受英文代码，如 technical）。"),
        ],
        [_("保密期限"), _("填日期（YYYY-MM-DD，如 2030-12-31）、“长期”或“至公开”。")],
        [_("人员"), _("责任人、保管人、人员填本单位在职成员的姓名；有重名时改填其电子邮箱。")],
        [
            _("编号"),
            _(
                "秘密编号留空时按本单位的编号规则自动生成；此时其他表的“秘密编号”列填该秘密的名称。载体编号留空时自动生成（秘密编号-C01…）。"
            ),
        ],
        [_("状态"), _("留空视为“已定密”。只能导入“已定密”和“已解密”的秘密；定密申请请在系统中提交。")],
        [
            _("密点"),
            _("每个秘密至少一个密点：具体的、不为公众所知悉的技术或经营信息要素。序号留空时按行顺序编号。"),
        ],
        [
            _("载体"),
            _(
                "电子载体（电子文档、图纸、源代码仓库）可填 SHA-256、SM3 和大小（字节），系统据此存证；文件本身不上传。已销毁的载体须填销毁方式、监销人和销毁日期。"
            ),
        ],
        [_("知悉范围"), _("每行授权一名人员或一个岗位（二选一）；确认时间只用于授权到人员的行。")],
        [
            _("全部或全不"),
            _(
                "每一行都通过检查才会导入；任何一行有误，什么都不导入，页面列出每个错误所在的表、行、列和原因。"
            ),
        ],
        [
            _("上限"),
            _("文件不超过 %(mb)s MB；商业秘密不超过 %(n)s 行。")
            % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024), "n": MAX_SECRETS},
        ],
    ]
