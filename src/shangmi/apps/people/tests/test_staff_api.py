"""The staff API: 401 anonymous, 404 foreign, 403 role, 422 bad input (nothing written), the happy paths,
and the HR import's row report as 422."""

from __future__ import annotations

from datetime import date

import pytest
from django.test import Client

from shangmi.apps.people.actions import staff
from shangmi.apps.people.models import Department, Employee, PersonEvent, Position
from shangmi.apps.people.tests.test_staff_support import API, Api, person_row, stored, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def apis(enterprise):
    org, people = enterprise
    return {role: Api(user, org) for role, user in people.items()}


@pytest.fixture
def outsider(other_enterprise):
    org, people = other_enterprise
    return Api(people["officer"], org)


@pytest.fixture
def roster(members):
    officer = members["officer"]
    dept = staff.department_add(member=officer, name="研发部")
    pos = staff.position_add(member=officer, name="工艺工程师", sensitivity="core")
    a = staff.employee_add(
        officer, number="E001", name="张三", hired_on=date(2024, 1, 1), department=dept, position=pos
    )
    b = staff.employee_add(
        officer, number="E002", name="李四", hired_on=date(2024, 1, 1), user=members["employee"].user_id
    )
    return {"dept": dept, "pos": pos, "a": a, "b": b}


def test_anonymous_gets_401_everywhere(roster):
    client = Client()
    a = roster["a"].pk
    for method, path in (
        ("get", "/employees"),
        ("post", "/employees"),
        ("get", f"/employees/{a}"),
        ("patch", f"/employees/{a}"),
        ("post", f"/employees/{a}/employ"),
        ("get", "/departments"),
        ("post", "/departments"),
        ("get", "/positions"),
        ("post", "/positions"),
        ("post", "/import"),
    ):
        response = getattr(client, method)(API + path, content_type="application/json")
        assert response.status_code == 401, (method, path)


def test_list_with_filters_and_pages(apis, roster):
    body = apis["manager"].get("/employees").json()
    assert body["count"] == 2 and [e["number"] for e in body["items"]] == ["E001", "E002"]
    first = body["items"][0]
    assert (
        first["department"] == "研发部" and first["sensitivity"] == "core" and first["is_entrusted"] is True
    )
    assert [e["number"] for e in apis["officer"].get("/employees", entrusted=True).json()["items"]] == [
        "E001"
    ]
    assert apis["officer"].get("/employees", q="李").json()["count"] == 1
    assert apis["officer"].get("/employees", department=roster["dept"].pk).json()["count"] == 1
    assert apis["officer"].get("/employees", page_size=1, page=2).json()["items"][0]["number"] == "E002"
    # The employee sees their own record only.
    assert [e["number"] for e in apis["employee"].get("/employees").json()["items"]] == ["E002"]


def test_detail_access(apis, outsider, roster):
    a, b = roster["a"].pk, roster["b"].pk
    assert apis["officer"].get(f"/employees/{a}").json()["name"] == "张三"
    assert apis["employee"].get(f"/employees/{b}").status_code == 200
    assert apis["employee"].get(f"/employees/{a}").status_code == 404
    assert outsider.get(f"/employees/{a}").status_code == 404
    assert apis["officer"].get("/employees/999999").status_code == 404
    assert outsider.get("/employees").json()["count"] == 0


def test_add_employee(apis, roster, members):
    response = apis["officer"].post(
        "/employees",
        {
            "number": "E010",
            "name": "王五",
            "hired_on": "2024-05-01",
            "position": roster["pos"].pk,
            "state": "employed",
        },
    )
    assert response.status_code == 201
    assert response.json()["state"] == "employed" and response.json()["position"] == "工艺工程师"
    assert PersonEvent.objects.filter(employee_id=response.json()["id"], kind="hire").count() == 1
    before = stored()
    bad = apis["officer"].post("/employees", {"number": "E001", "name": "", "email": "x", "hired_on": None})
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"number", "name", "email", "hired_on"}
    assert (
        apis["employee"]
        .post("/employees", {"number": "E011", "name": "赵六", "hired_on": "2024-05-01"})
        .status_code
        == 403
    )
    assert (
        apis["manager"]
        .post("/employees", {"number": "E011", "name": "赵六", "hired_on": "2024-05-01"})
        .status_code
        == 403
    )
    assert stored() == before


def test_patch_employee(apis, outsider, roster, members):
    a = roster["a"].pk
    response = apis["officer"].patch(
        f"/employees/{a}", {"phone": "13800138000", "user": members["manager"].user_id}
    )
    assert response.status_code == 200
    assert (
        response.json()["phone"] == "13800138000" and response.json()["user_id"] == members["manager"].user_id
    )
    before = stored()
    # The employee's account is linked to 李四 already.
    taken = apis["officer"].patch(f"/employees/{a}", {"user": members["employee"].user_id})
    assert taken.status_code == 422 and taken.json()["errors"] == [
        {"field": "user", "message": "该账号已关联员工 李四（E002）"}
    ]
    assert apis["officer"].patch(f"/employees/{a}", {"state": "left"}).status_code == 422
    assert outsider.patch(f"/employees/{a}", {"name": "x"}).status_code == 404
    assert outsider.patch(f"/employees/{a}", "garbage").status_code == 404
    assert apis["employee"].patch(f"/employees/{roster['b'].pk}", {"name": "改名"}).status_code == 403
    assert apis["employee"].patch(f"/employees/{a}", {"name": "改名"}).status_code == 404
    assert apis["manager"].patch(f"/employees/{a}", {"name": "改名"}).status_code == 403
    assert stored() == before
    # Unlinking with null.
    assert apis["officer"].patch(f"/employees/{a}", {"user": None}).json()["user_id"] is None


def test_employ(apis, outsider, roster):
    a = roster["a"].pk
    before = stored()
    assert outsider.post(f"/employees/{a}/employ").status_code == 404
    assert apis["employee"].post(f"/employees/{roster['b'].pk}/employ").status_code == 403
    assert apis["manager"].post(f"/employees/{a}/employ").status_code == 403
    assert stored() == before
    response = apis["officer"].post(f"/employees/{a}/employ")
    assert response.status_code == 200 and response.json()["state"] == "employed"
    before = stored()
    again = apis["officer"].post(f"/employees/{a}/employ")
    assert (
        again.status_code == 422 and "只有“入职中”的人员可以转为在职" in again.json()["errors"][0]["message"]
    )
    assert stored() == before


def test_departments_and_positions(apis, outsider, roster):
    assert [d["name"] for d in apis["manager"].get("/departments").json()["items"]] == ["研发部"]
    assert outsider.get("/departments").json()["count"] == 0
    assert apis["employee"].get("/positions").json()["count"] == 0
    created = apis["officer"].post("/departments", {"name": "销售部"})
    assert (
        created.status_code == 201
        and Department.objects.filter(pk=created.json()["id"], name="销售部").exists()
    )
    pos = apis["admin"].post("/positions", {"name": "销售经理", "sensitivity": "general"})
    assert pos.status_code == 201 and pos.json()["is_sensitive"] is True
    listed = apis["officer"].get("/positions").json()["items"]
    assert [(p["name"], p["sensitivity"]) for p in listed] == [
        ("工艺工程师", "core"),
        ("销售经理", "general"),
    ]
    before = stored()
    assert apis["officer"].post("/departments", {"name": "研发部"}).status_code == 422
    bad = apis["officer"].post("/positions", {"name": "采购", "sensitivity": "top"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "sensitivity"
    assert apis["employee"].post("/departments", {"name": "x"}).status_code == 403
    assert apis["manager"].post("/positions", {"name": "x"}).status_code == 403
    assert outsider.get("/positions").json()["count"] == 0
    assert stored() == before


def test_import_over_the_api(apis, outsider, roster):
    same = {
        "部门": "研发部",
        "岗位": "工艺工程师",
        "手机号": "",
        "电子邮箱": "",
        "入职日期": date(2024, 1, 1),
    }
    good = workbook([person_row("E001", "张三", **same), person_row("E050", "孙七")])
    before = stored()
    assert apis["employee"].upload("/import", good).status_code == 403
    assert apis["manager"].upload("/import", good).status_code == 403
    bad = workbook([person_row("E051", "", 电子邮箱="a@@b"), person_row("E052", 入职日期="明天")])
    response = apis["officer"].upload("/import", bad)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "工作簿有 3 处错误，未导入任何内容"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [
        (2, "姓名"),
        (2, "电子邮箱"),
        (3, "入职日期"),
    ]
    assert body["errors"][0]["field"] == "第2行 姓名"
    not_xlsx = apis["officer"].upload("/import", b"plain text")
    assert not_xlsx.status_code == 422 and not_xlsx.json()["errors"][0]["field"] == "file"
    assert stored() == before
    ok = apis["officer"].upload("/import", good)
    assert ok.status_code == 201
    assert (ok.json()["created"], ok.json()["updated"]) == (1, 0)
    assert ok.json()["unchanged"] == 1  # E001 as stored already
    assert Employee.objects.filter(number="E050", organisation=roster["a"].organisation).exists()
    # The other enterprise's import lands in its own organisation only.
    assert outsider.upload("/import", good).json()["created"] == 2
    assert Position.objects.filter(name="工艺工程师").count() == 2
