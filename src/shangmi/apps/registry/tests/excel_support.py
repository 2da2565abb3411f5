"""Helpers shared by the Excel and Word tests: a register built through the actions, and workbooks
written cell by cell the way a user would fill the template. (No tests here.)"""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.utils import timezone
from openpyxl import Workbook, load_workbook

from shangmi.apps.registry import actions
from shangmi.apps.registry.spreadsheets import columns as cols

SHA_A, SM3_A = "a" * 64, "b" * 64
SHA_B, SM3_B = "c" * 64, "d" * 64
POSITION = "工艺工程师"


def designate(officer, manager, secret):
    actions.secret_review(
        member=officer, secret=secret, decision="pass", searched="专利库、CNKI", found="未检索到相同信息"
    )
    actions.secret_approve(member=manager, secret=secret, approve=True)
    secret.refresh_from_db()
    return secret


def build_register(members, application) -> dict:
    """Four secrets through the real lifecycle: points, carriers (an electronic one with digests, a marked
    paper one, a destroyed sample), grants to a person (acknowledged) and to a position, a declassified
    secret, a value estimate, each kind of protection period."""
    officer, manager, employee = members["officer"], members["manager"], members["employee"]
    today = timezone.localdate()
    core = designate(
        officer,
        manager,
        application(
            officer,
            responsible=employee.user,
            value_estimate="120.5",
            value_basis="近三年节约的成本",
            period_kind="date",
            period_until=today + timedelta(days=400),
        ),
    )
    business = designate(
        officer,
        manager,
        application(
            officer,
            name="华东区重点客户名单",
            category="business",
            subcategory="customers",
            description="",
            level="important",
            period_kind="until_public",
            department="销售部",
            points=[("客户联系人及采购周期", "")],
        ),
    )
    general = designate(
        officer,
        manager,
        application(
            officer, name="试验数据汇总", subcategory="test_data", level="general", department="质量部"
        ),
    )
    old = designate(
        officer, manager, application(officer, name="旧版配方", subcategory="formula", department="研发部")
    )
    actions.secret_declassify(member=officer, secret=old, reason="patented", note="已申请发明专利")

    actions.carrier_add(
        member=officer,
        secret=core,
        kind="document",
        name="压铸工艺参数表.xlsx",
        location="研发部文件服务器",
        custodian=employee.user,
        sha256=SHA_A,
        sm3=SM3_A,
        size=48213,
    )
    paper = actions.carrier_add(
        member=officer, secret=core, kind="paper", name="工艺卡（纸质）", location="档案室 A-3", copies=3
    )
    actions.carrier_mark(member=officer, carrier=paper)
    sample = actions.carrier_add(
        member=officer, secret=general, kind="sample", name="试样 7 号", location="实验室"
    )
    actions.carrier_destroy(
        member=officer,
        carrier=sample,
        method="shred",
        witness="王监销",
        destroyed_on=today - timedelta(days=1),
    )
    actions.carrier_add(
        member=officer, secret=business, kind="repository", name="crm-export", sha256=SHA_B, sm3=SM3_B, size=0
    )

    grant = actions.grant_add(
        member=officer,
        secret=core,
        reason="负责压铸工艺调试",
        user=employee.user,
        expires_on=today + timedelta(days=90),
    )
    actions.grant_acknowledge(member=employee, grant=grant)
    actions.grant_add(member=officer, secret=core, reason="岗位需要", position=POSITION)
    actions.grant_add(member=officer, secret=business, reason="销售支持", user=manager.user)
    return {"core": core, "business": business, "general": general, "declassified": old}


def download(response) -> bytes:
    """The body of a download, whether sent whole or streamed (large exports)."""
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content) if response.streaming else response.content


def sheet_values(data: bytes, name: str) -> list[tuple]:
    """Every row of a sheet as a tuple of cell values (read the way the import reads them)."""
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return [tuple(row) for row in workbook[name].iter_rows(values_only=True)]
    finally:
        workbook.close()


def make_workbook(**sheets: list[dict]) -> bytes:
    """A workbook like a filled-in template: `secrets=[{"编号": …}], points=[…], carriers=[…], grants=[…]`,
    each row a dict from header to value. Sheets not given are left out."""
    keys = {"secrets": cols.SECRETS, "points": cols.POINTS, "carriers": cols.CARRIERS, "grants": cols.GRANTS}
    workbook = Workbook()
    workbook.remove(workbook.active)
    for key, rows in sheets.items():
        sheet = keys[key]
        worksheet = workbook.create_sheet(sheet.name)
        headers = [c.header for c in sheet.columns]
        worksheet.append(headers)
        for row in rows:
            unknown = set(row) - set(headers)
            assert not unknown, unknown
            worksheet.append([row.get(h) for h in headers])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def secret_row(code: str, **overrides) -> dict:
    row = {
        "编号": code,
        "名称": f"秘密 {code}",
        "类别": "技术信息",
        "细类": "工艺流程",
        "描述": "说明",
        "密级": "核心",
        "保密期限": "长期",
        "归属部门": "研发部",
        "状态": "已定密",
        "定密日期": date(2024, 5, 6),
    }
    row.update(overrides)
    return row


def point_row(code: str, title: str = "密点一", number=None, description: str = "") -> dict:
    return {"秘密编号": code, "序号": number, "密点": title, "说明": description}
