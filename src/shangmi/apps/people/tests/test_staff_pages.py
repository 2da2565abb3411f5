"""The staff pages: the list with filters, search, pages and export; add/edit/employ; departments and
positions; the HR import page and template; the settings page. Each: anonymous refused, other enterprise
404, employee refused, the happy path, and bad input that writes nothing."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.people.actions import staff
from shangmi.apps.people.models import Department, Employee, PeoplePolicy, Position
from shangmi.apps.people.tests.test_staff_support import person_row, stored, upload, workbook

pytestmark = pytest.mark.django_db


@pytest.fixture
def roster(members):
    """研发部 with a core-sensitive position; three people, one key person, one linked to the employee."""
    officer = members["officer"]
    dept = staff.department_add(member=officer, name="研发部")
    sales = staff.department_add(member=officer, name="销售部")
    core = staff.position_add(member=officer, name="工艺工程师", sensitivity="core")
    plain = staff.position_add(member=officer, name="销售代表")
    a = staff.employee_add(
        officer, number="E001", name="张三", hired_on=date(2024, 1, 1), department=dept, position=core
    )
    b = staff.employee_add(
        officer,
        number="E002",
        name="李四",
        hired_on=date(2024, 1, 1),
        department=sales,
        position=plain,
        is_key_person=True,
    )
    c = staff.employee_add(
        officer,
        number="E003",
        name="王五",
        hired_on=date(2024, 1, 1),
        department=sales,
        position=plain,
        user=members["employee"].user_id,
    )
    staff.employee_employ(officer, c)
    return {"dept": dept, "sales": sales, "core": core, "plain": plain, "a": a, "b": b, "c": c}


def _numbers(response) -> list[str]:
    return re.findall(r'class="mono">([^<]+)</a>', response.content.decode())


def _urls(roster) -> list[str]:
    a = roster["a"].pk
    return [
        "/people/",
        "/people/export.xlsx",
        "/people/add/",
        f"/people/{a}/edit/",
        f"/people/{a}/employ/",
        "/people/departments/",
        f"/people/departments/{roster['dept'].pk}/edit/",
        "/people/positions/",
        f"/people/positions/{roster['core'].pk}/edit/",
        "/people/import/",
        "/people/import/template/",
        "/people/settings/",
    ]


def test_anonymous_is_sent_to_log_in(client, roster):
    for url in _urls(roster):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    before = stored()
    assert (
        client.post("/people/add/", {"number": "X", "name": "X", "hired_on": "2024-01-01"}).status_code == 302
    )
    assert stored() == before


def test_other_enterprise_finds_no_object(login, roster, other_enterprise):
    client = login(other_enterprise[1]["officer"])
    a = roster["a"].pk
    for url in (
        f"/people/{a}/edit/",
        f"/people/{a}/employ/",
        f"/people/departments/{roster['dept'].pk}/edit/",
        f"/people/positions/{roster['core'].pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    before = stored()
    assert client.post(f"/people/{a}/employ/").status_code == 404
    assert client.post(f"/people/departments/{roster['dept'].pk}/edit/", {"name": "被改"}).status_code == 404
    assert stored() == before
    # Its lists and export show none of our people.
    assert _numbers(client.get("/people/")) == []
    sheet = load_workbook(io.BytesIO(client.get("/people/export.xlsx").content)).active
    assert sheet.max_row == 1
    assert "研发部" not in client.get("/people/departments/").content.decode()


def test_employee_is_refused_officer_pages(login, roster, members):
    client = login(members["employee"].user)
    own, other = roster["c"].pk, roster["a"].pk
    for url in (
        "/people/export.xlsx",
        "/people/add/",
        f"/people/{own}/edit/",
        f"/people/{own}/employ/",
        "/people/departments/",
        "/people/positions/",
        "/people/import/",
        "/people/import/template/",
        "/people/settings/",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/people/{other}/edit/",
        f"/people/departments/{roster['dept'].pk}/edit/",
        f"/people/positions/{roster['core'].pk}/edit/",
    ):
        assert client.get(url).status_code == 404, url
    before = stored()
    assert (
        client.post(
            f"/people/{own}/edit/", {"number": "E003", "name": "改名", "hired_on": "2024-01-01"}
        ).status_code
        == 403
    )
    assert client.post("/people/import/", {"file": upload(workbook([person_row()]))}).status_code == 403
    assert stored() == before
    # The roster takes an employee straight to their own record.
    response = client.get("/people/")
    assert response.status_code == 302 and response["Location"] == f"/people/{own}/"


def test_manager_reads_but_does_not_write(login, roster, members):
    client = login(members["manager"].user)
    assert _numbers(client.get("/people/")) == ["E001", "E002", "E003"]
    assert client.get("/people/departments/").status_code == 200
    assert client.get("/people/positions/").status_code == 200
    assert client.get("/people/export.xlsx").status_code == 200
    before = stored()
    assert client.post("/people/departments/", {"name": "新部门"}).status_code == 403
    assert client.post("/people/positions/", {"name": "新岗位", "sensitivity": "none"}).status_code == 403
    assert client.get("/people/add/").status_code == 403
    assert client.get("/people/settings/").status_code == 403
    assert stored() == before


# ---- the list --------------------------------------------------------------------------------------


def test_list_links_rows_to_the_person_page(login, roster, members):
    page = login(members["officer"].user).get("/people/").content.decode()
    assert f'href="/people/{roster["a"].pk}/"' in page
    assert 'href="/people/add/"' in page and 'href="/people/import/"' in page


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "李"}, ["E002"]),
        ({"q": "e00"}, ["E001", "E002", "E003"]),
        ({"state": "employed"}, ["E003"]),
        ({"key": "1"}, ["E002"]),
        ({"entrusted": "1"}, ["E001", "E002"]),
        ({"state": "nonsense"}, []),
        ({"department": "abc"}, []),
    ],
)
def test_list_filters(login, roster, members, params, expected):
    assert _numbers(login(members["officer"].user).get("/people/", params)) == expected


def test_list_filters_by_department_and_position(login, roster, members):
    client = login(members["officer"].user)
    assert _numbers(client.get("/people/", {"department": roster["sales"].pk})) == ["E002", "E003"]
    assert _numbers(client.get("/people/", {"position": roster["core"].pk})) == ["E001"]


def test_list_pages_of_fifty(login, members):
    officer = members["officer"]
    for n in range(55):
        staff.employee_add(officer, number=f"N{n:03d}", name=f"人{n}", hired_on=date(2024, 1, 1))
    client = login(officer.user)
    first = client.get("/people/", {"q": "N"})
    assert len(_numbers(first)) == 50
    assert "?q=N&page=2" in first.content.decode()
    assert _numbers(client.get("/people/", {"q": "N", "page": 2})) == [f"N{n:03d}" for n in range(50, 55)]


def test_export_respects_filters(login, roster, members):
    response = login(members["officer"].user).get("/people/export.xlsx", {"entrusted": "1"})
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("工号", "姓名", "部门", "岗位")
    assert [r[0] for r in rows[1:]] == ["E001", "E002"]
    assert rows[1][4] == "核心涉密岗位" and rows[2][8] == "是"


# ---- add, edit, employ -----------------------------------------------------------------------------


def test_add_page_registers_and_redirects_to_the_person(login, roster, members):
    client = login(members["officer"].user)
    assert client.get("/people/add/").status_code == 200
    response = client.post(
        "/people/add/",
        {
            "number": "E010",
            "name": "钱九",
            "department": roster["dept"].pk,
            "position": roster["core"].pk,
            "hired_on": "2024-06-01",
            "phone": "13600136000",
            "is_key_person": "on",
        },
    )
    employee = Employee.objects.get(number="E010")
    assert response.status_code == 302 and response["Location"] == f"/people/{employee.pk}/"
    assert employee.is_key_person and employee.department == roster["dept"] and employee.state == "onboarding"


def test_add_page_bad_input_shows_errors_and_writes_nothing(login, roster, members):
    client = login(members["officer"].user)
    before = stored()
    response = client.post("/people/add/", {"number": "E001", "name": "", "email": "x@", "hired_on": ""})
    assert response.status_code == 200
    page = response.content.decode()
    for message in ("工号“E001”已被使用", "请填写姓名", "电子邮箱格式不正确", "请填写入职日期"):
        assert message in page
    assert stored() == before


def test_edit_page_links_an_account(login, roster, members, enterprise):
    client = login(members["officer"].user)
    a = roster["a"]
    form = client.get(f"/people/{a.pk}/edit/")
    assert form.status_code == 200 and 'value="E001"' in form.content.decode()
    data = {"number": "E001", "name": "张三", "hired_on": "2024-01-01", "user": members["manager"].user_id}
    response = client.post(f"/people/{a.pk}/edit/", data)
    assert response.status_code == 302
    assert Employee.objects.get(pk=a.pk).user_id == members["manager"].user_id
    # The employee's account is linked to 王五 already: refused on the field, nothing written.
    before = stored()
    response = client.post(f"/people/{a.pk}/edit/", {**data, "user": members["employee"].user_id})
    assert response.status_code == 200 and "该账号已关联员工 王五（E003）" in response.content.decode()
    assert stored() == before


def test_employ_page(login, roster, members):
    client = login(members["officer"].user)
    a = roster["a"]
    assert "确认转为在职" in client.get(f"/people/{a.pk}/employ/").content.decode()
    response = client.post(f"/people/{a.pk}/employ/")
    assert response.status_code == 302 and response["Location"] == f"/people/{a.pk}/"
    assert Employee.objects.get(pk=a.pk).state == "employed"
    before = stored()
    again = client.post(f"/people/{a.pk}/employ/")
    assert again.status_code == 422 and "只有“入职中”的人员可以转为在职" in again.content.decode()
    assert stored() == before


# ---- departments and positions ----------------------------------------------------------------------


def test_department_pages(login, roster, members):
    client = login(members["officer"].user)
    page = client.get("/people/departments/").content.decode()
    assert "研发部" in page and f"/people/departments/{roster['dept'].pk}/edit/" in page
    assert client.post("/people/departments/", {"name": "质量部"}).status_code == 302
    assert Department.objects.filter(name="质量部").exists()
    before = stored()
    dup = client.post("/people/departments/", {"name": "研发部"})
    assert dup.status_code == 200 and "“研发部”已存在" in dup.content.decode()
    renamed = client.post(f"/people/departments/{roster['dept'].pk}/edit/", {"name": ""})
    assert renamed.status_code == 200 and "请填写部门名称" in renamed.content.decode()
    assert stored() == before
    assert (
        client.post(f"/people/departments/{roster['dept'].pk}/edit/", {"name": "技术部"}).status_code == 302
    )
    assert Department.objects.get(pk=roster["dept"].pk).name == "技术部"


def test_position_pages(login, roster, members):
    client = login(members["officer"].user)
    page = client.get("/people/positions/").content.decode()
    assert "核心涉密岗位" in page and "工艺工程师" in page
    assert client.post("/people/positions/", {"name": "采购员", "sensitivity": "general"}).status_code == 302
    assert Position.objects.get(name="采购员").sensitivity == "general"
    before = stored()
    bad = client.post("/people/positions/", {"name": "", "sensitivity": ""})
    assert bad.status_code == 200 and "请填写岗位名称" in bad.content.decode()
    assert stored() == before
    url = f"/people/positions/{roster['plain'].pk}/edit/"
    assert client.post(url, {"name": "销售代表", "sensitivity": "important"}).status_code == 302
    assert Employee.objects.select_related("position").get(pk=roster["c"].pk).is_entrusted


# ---- import ----------------------------------------------------------------------------------------


def test_import_page_success_then_result(login, members):
    client = login(members["officer"].user)
    page = client.get("/people/import/")
    assert page.status_code == 200 and 'href="/people/import/template/"' in page.content.decode()
    response = client.post(
        "/people/import/", {"file": upload(workbook([person_row("E001"), person_row("E002", "李四")]))}
    )
    assert response.status_code == 302 and response["Location"] == "/people/import/"
    result = client.get("/people/import/").content.decode()
    assert "新登记 2 人，更新 0 人" in result
    assert Employee.objects.filter(organisation=members["officer"].organisation).count() == 2


def test_import_page_reports_every_bad_row(login, members):
    client = login(members["officer"].user)
    before = stored()
    response = client.post(
        "/people/import/", {"file": upload(workbook([person_row("E001"), person_row("E001", 手机号="123")]))}
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "发现 2 处错误，未导入任何内容" in page
    assert "工号“E001”与第 2 行重复" in page and "手机号应为 11 位中国大陆手机号码" in page
    not_xlsx = client.post("/people/import/", {"file": upload(b"hello", "a.csv")})
    assert not_xlsx.status_code == 422 and "不是 Excel 工作簿" in not_xlsx.content.decode()
    assert client.post("/people/import/", {}).status_code == 422
    assert stored() == before


def test_import_template_download(login, members):
    response = login(members["officer"].user).get("/people/import/template/")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    assert sheet["A1"].value == "工号" and sheet["A2"].value == "E0001"


# ---- settings --------------------------------------------------------------------------------------


def test_settings_page(login, members):
    client = login(members["admin"].user)
    page = client.get("/people/settings/")
    assert page.status_code == 200 and 'value="30"' in page.content.decode()
    values = {
        "first_training_days": 20,
        "unsigned_reminder_days": 5,
        "expiry_reminder_days": 45,
        "access_review_days": 120,
    }
    assert client.post("/people/settings/", values).status_code == 302
    policy = PeoplePolicy.objects.get(organisation=members["admin"].organisation)
    assert (policy.first_training_days, policy.access_review_days) == (20, 120)
    assert AuditEvent.objects.filter(verb="people.policy").count() == 1
    before = stored()
    bad = client.post("/people/settings/", {**values, "expiry_reminder_days": 9999, "access_review_days": ""})
    assert bad.status_code == 200 and "应为 1 至 365 的整数（天）" in bad.content.decode()
    assert stored() == before
