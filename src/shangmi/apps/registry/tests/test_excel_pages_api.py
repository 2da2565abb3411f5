"""The import page, the template and the exports over HTTP (pages and API): who may import, the report on
the page and in the API's error schema, and exports that respect visibility and the list's filters."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from shangmi.apps.registry.models import TradeSecret
from shangmi.apps.registry.spreadsheets import columns as cols
from shangmi.apps.registry.tests.excel_support import (
    build_register,
    designate,
    download,
    make_workbook,
    point_row,
    secret_row,
    sheet_values,
)
from shangmi.apps.registry.tests.test_excel_import_errors import stored

pytestmark = pytest.mark.django_db
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GOOD = make_workbook(
    secrets=[secret_row("S-1"), secret_row("S-2")], points=[point_row("S-1"), point_row("S-2")]
)
BAD = make_workbook(secrets=[secret_row("S-1"), secret_row("S-2", 密级="绝密")], points=[point_row("S-1")])


def upload(data: bytes, name: str = "台账.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


def body(response) -> bytes:
    return download(response)


def codes_in(data: bytes) -> list[str]:
    return [row[0] for row in sheet_values(data, cols.SECRETS.name)[1:]]


# ---- the import page -------------------------------------------------------------------------------


def test_import_page_success_shows_counts_and_the_way_back(enterprise, login):
    org, people = enterprise
    client = login(people["officer"])
    page = client.get("/registry/import/")
    assert page.status_code == 200
    assert b'href="/registry/import/template.xlsx"' in page.content and b'name="file"' in page.content

    response = client.post("/registry/import/", {"file": upload(GOOD)})
    assert response.status_code == 302 and response["Location"] == "/registry/import/"
    assert sorted(TradeSecret.objects.filter(organisation=org).values_list("code", flat=True)) == [
        "S-1",
        "S-2",
    ]
    result = client.get("/registry/import/")
    text = result.content.decode()
    assert (
        'id="import-result"' in text and "已导入商业秘密 2 项、密点 2 个、载体 0 件、知悉授权 0 条。" in text
    )
    assert 'href="/registry/"' in text
    # The result is shown once: reloading does not repeat it (nor the import).
    assert 'id="import-result"' not in client.get("/registry/import/").content.decode()


def test_import_page_reports_every_bad_row_and_stores_nothing(enterprise, login):
    org, people = enterprise
    before = stored()
    response = login(people["officer"]).post("/registry/import/", {"file": upload(BAD)})
    assert response.status_code == 422
    assert stored() == before
    rows = response.context["problems"]
    assert [(p.sheet, p.row, p.column, p.cell) for p in rows] == [
        ("商业秘密", 3, "编号", "A3"),  # no points
        ("商业秘密", 3, "密级", "F3"),
    ]
    text = response.content.decode()
    assert 'id="import-problems"' in text and "“绝密”不是可选值；应为：核心、重要、一般" in text
    assert "<td>商业秘密</td><td>3</td><td>密级</td>" in text


def test_import_page_refuses_a_file_that_is_not_xlsx(enterprise, login):
    org, people = enterprise
    before = stored()
    response = login(people["officer"]).post(
        "/registry/import/", {"file": upload(b"a,b\n1,2\n", "台账.xlsx")}
    )
    assert response.status_code == 422 and stored() == before
    assert "文件不是 Excel 工作簿（.xlsx）" in response.content.decode()
    empty = login(people["officer"]).post("/registry/import/", {})
    assert empty.status_code == 422 and "请选择要导入的 .xlsx 文件" in empty.content.decode()


@pytest.mark.parametrize("role", ["employee", "manager"])
def test_only_officers_and_admins_import(enterprise, login, role):
    org, people = enterprise
    client = login(people[role])
    before = stored()
    assert client.get("/registry/import/").status_code == 403
    assert client.post("/registry/import/", {"file": upload(GOOD)}).status_code == 403
    api = client.post("/api/v1/registry/import", {"file": upload(GOOD)})
    assert api.status_code == 403 and api.json()["detail"] == "无权执行此操作"
    assert stored() == before


def test_admin_imports(enterprise, login):
    org, people = enterprise
    response = login(people["admin"]).post("/registry/import/", {"file": upload(GOOD)})
    assert response.status_code == 302
    assert TradeSecret.objects.filter(organisation=org).count() == 2


def test_regulators_get_no_register_files(make_org, make_member, login):
    regulator = make_member(make_org("regulator"), "staff")
    client = login(regulator)
    for url in ("/registry/import/", "/registry/export.xlsx", "/registry/export.docx"):
        assert client.get(url).status_code == 403, url
    assert client.get("/api/v1/registry/export.xlsx").status_code == 403


# ---- the template ----------------------------------------------------------------------------------


def test_the_template_has_the_layout_and_imports_as_it_is(enterprise, login):
    org, people = enterprise
    response = login(people["officer"]).get("/registry/import/template.xlsx")
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "attachment" in response["Content-Disposition"]
    data = body(response)
    workbook = load_workbook(io.BytesIO(data))
    assert workbook.sheetnames == ["说明", "商业秘密", "密点", "载体", "知悉范围"]
    for sheet in cols.SHEETS:
        worksheet = workbook[sheet.name]
        assert [c.value for c in worksheet[1]] == [c.header for c in sheet.columns]
        assert worksheet.freeze_panes == "A2" and worksheet.max_row == 2  # headers and one example
    lists = {
        str(dv.sqref).split(":")[0]: dv.formula1
        for dv in workbook["商业秘密"].data_validations.dataValidation
        if dv.type == "list"
    }
    assert lists["C2"] == '"技术信息,经营信息"' and lists["F2"] == '"核心,重要,一般"'
    assert lists["L2"] == '"已定密,已解密"'
    assert "全部或全不" in [row[0].value for row in workbook["说明"].iter_rows()]

    api = login(people["officer"]).get("/api/v1/registry/import/template.xlsx")
    assert api.status_code == 200 and api["Content-Type"] == XLSX
    # The example rows form a valid register of one secret.
    response = login(people["officer"]).post("/registry/import/", {"file": upload(data)})
    assert response.status_code == 302
    secret = TradeSecret.objects.get(organisation=org)
    assert secret.responsible == people["officer"] and secret.carriers.count() == 1


# ---- the API ---------------------------------------------------------------------------------------


def test_api_import_success_and_report(enterprise, login):
    org, people = enterprise
    client = login(people["officer"])
    before = stored()
    bad = client.post("/api/v1/registry/import", {"file": upload(BAD)})
    assert bad.status_code == 422 and stored() == before
    assert bad.json()["detail"] == "工作簿有 2 处错误，未导入任何内容"
    assert [e["field"] for e in bad.json()["errors"]] == ["商业秘密!A3 编号", "商业秘密!F3 密级"]
    errors = {e["field"]: e for e in bad.json()["errors"]}
    assert errors["商业秘密!F3 密级"] == {
        "field": "商业秘密!F3 密级",
        "message": "“绝密”不是可选值；应为：核心、重要、一般",
        "sheet": "商业秘密",
        "row": 3,
        "column": "密级",
    }
    assert errors["商业秘密!A3 编号"]["message"].startswith("没有密点")

    refused = client.post(
        "/api/v1/registry/import", {"file": upload(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 99)}
    )
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "file"
    assert refused.json()["errors"][0]["message"].startswith("这是旧版 Excel（.xls）")

    good = client.post("/api/v1/registry/import", {"file": upload(GOOD)})
    assert good.status_code == 201
    assert {k: v for k, v in good.json().items() if k != "workbook_sha256"} == {
        "secrets": 2,
        "points": 2,
        "carriers": 0,
        "grants": 0,
        "designated": 2,
        "declassified": 0,
    }
    assert len(good.json()["workbook_sha256"]) == 64


# ---- exports ---------------------------------------------------------------------------------------


def test_exports_respect_visibility(members, application, enterprise, other_enterprise, login):
    register = build_register(members, application)
    org, people = enterprise
    everything = sorted(s.code for s in register.values())
    officer = body(login(people["officer"]).get("/registry/export.xlsx"))
    assert codes_in(officer) == everything
    assert len(sheet_values(officer, cols.GRANTS.name)) == 1 + 3

    # The employee is entrusted with one secret: its points and carriers, and only their own grant.
    employee_client = login(people["employee"])
    for response in (
        employee_client.get("/registry/export.xlsx"),
        employee_client.get("/api/v1/registry/export.xlsx"),
    ):
        assert response.status_code == 200 and response["Content-Type"] == XLSX
        data = body(response)
        assert codes_in(data) == [register["core"].code]
        assert {row[0] for row in sheet_values(data, cols.POINTS.name)[1:]} == {register["core"].code}
        assert {row[1] for row in sheet_values(data, cols.CARRIERS.name)[1:]} == {register["core"].code}
        assert [row[1] for row in sheet_values(data, cols.GRANTS.name)[1:]] == [people["employee"].name]

    # Another enterprise exports its own (empty) register.
    other = body(login(other_enterprise[1]["officer"]).get("/registry/export.xlsx"))
    assert codes_in(other) == []


def test_exports_apply_the_list_filters(members, application, enterprise, login):
    register = build_register(members, application)
    org, people = enterprise
    client = login(people["officer"])
    cases = {
        "level=important": [register["business"].code],
        "state=declassified": [register["declassified"].code],
        "category=technical&level=core": sorted([register["core"].code, register["declassified"].code]),
        "q=客户名单": [register["business"].code],
        "unmarked=1": sorted([register["core"].code, register["business"].code]),
        "level=nonsense": sorted(s.code for s in register.values()),
    }
    for query, expected in cases.items():
        assert codes_in(body(client.get(f"/registry/export.xlsx?{query}"))) == expected, query
        assert codes_in(body(client.get(f"/api/v1/registry/export.xlsx?{query}"))) == expected, query
    info = dict(
        row[:2]
        for row in sheet_values(body(client.get("/registry/export.xlsx?level=important")), "说明")
        if len(row) > 1
    )
    assert info["筛选条件"] == "密级：重要" and info["单位"] == org.name


def test_large_exports_stream_from_a_temporary_file(members, application, enterprise, login, monkeypatch):
    from shangmi.apps.registry.spreadsheets import downloads

    register = build_register(members, application)
    org, people = enterprise
    client = login(people["officer"])
    small = client.get("/registry/export.xlsx")
    assert not small.streaming and int(small["Content-Length"]) == len(small.content)
    monkeypatch.setattr(downloads, "IN_MEMORY_BYTES", 0)
    large = client.get("/registry/export.xlsx")
    assert large.streaming and large["Content-Type"] == XLSX
    assert "attachment" in large["Content-Disposition"]
    assert codes_in(download(large)) == sorted(s.code for s in register.values())


def test_exported_text_never_becomes_a_formula(members, application, enterprise, login):
    """A name typed as =HYPERLINK(…) stays text in the officer's Excel; control characters (which a
    form may let through, and openpyxl refuses) are dropped."""
    org, people = enterprise
    name = '=HYPERLINK("http://evil.example","点我")'
    designate(
        members["officer"],
        members["manager"],
        application(members["officer"], name=name, description="控制\x01字符"),
    )
    exported = load_workbook(io.BytesIO(download(login(people["officer"]).get("/registry/export.xlsx"))))
    cell = exported["商业秘密"]["B2"]
    assert (cell.value, cell.data_type) == (name, "s")
    assert exported["商业秘密"]["E2"].value == "控制字符"
