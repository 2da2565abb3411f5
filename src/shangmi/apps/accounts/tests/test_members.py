"""The members page: for admins, officers and managers of the active organisation only."""

import re

import pytest

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import Membership

pytestmark = pytest.mark.django_db

MEMBERS = "/accounts/members/"


def names(html: str) -> list[str]:
    """The names in the first column of the members table, in order."""
    tbody = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr><td>([^<]*)</td>", tbody.group(1)) if tbody else []


@pytest.fixture
def staffed(enterprise, make_member):
    org, people = enterprise
    make_member(org, "employee", name="张伟", department="研发部", email="zhang.wei@example.com")
    make_member(org, "employee", name="张敏", department="销售部")
    make_member(org, "officer", name="李娜", department="法务部")
    return org, people


@pytest.mark.parametrize("role", ["admin", "officer", "manager"])
def test_admin_officer_and_manager_see_the_page(login, staffed, role):
    org, people = staffed
    response = login(people[role]).get(MEMBERS)
    assert response.status_code == 200
    listed = names(response.content.decode())
    assert len(listed) == Membership.objects.filter(organisation=org).count() == 7
    assert {"张伟", "张敏", "李娜", people["employee"].name} <= set(listed)


def test_employee_is_refused_and_has_no_menu_entry(login, staffed):
    _org, people = staffed
    client = login(people["employee"])
    response = client.get(MEMBERS)
    assert response.status_code == 403
    assert "张伟" not in response.content.decode()
    assert f'href="{MEMBERS}"' not in client.get("/").content.decode()


def test_menu_entry_for_those_who_may_see_it(login, staffed):
    _org, people = staffed
    assert f'href="{MEMBERS}"' in login(people["manager"]).get("/").content.decode()


def test_search_by_name_email_and_department(login, staffed):
    _org, people = staffed
    client = login(people["officer"])
    assert sorted(names(client.get(MEMBERS, {"q": "张"}).content.decode())) == ["张伟", "张敏"]
    assert names(client.get(MEMBERS, {"q": "张伟"}).content.decode()) == ["张伟"]
    assert names(client.get(MEMBERS, {"q": "ZHANG.WEI@"}).content.decode()) == ["张伟"]
    assert names(client.get(MEMBERS, {"q": "销售"}).content.decode()) == ["张敏"]
    page = client.get(MEMBERS, {"q": "不存在的人"}).content.decode()
    assert names(page) == []
    assert "没有符合条件的成员" in page


def test_filter_by_role(login, staffed):
    _org, people = staffed
    client = login(people["admin"])
    officers = names(client.get(MEMBERS, {"role": "officer"}).content.decode())
    assert sorted(officers) == sorted(["李娜", people["officer"].name])
    employees = names(client.get(MEMBERS, {"role": "employee", "q": "张"}).content.decode())
    assert sorted(employees) == ["张伟", "张敏"]
    assert names(client.get(MEMBERS, {"role": "lawyer"}).content.decode()) == []


def test_role_filter_offers_the_organisations_roles_only(login, staffed):
    _org, people = staffed
    page = login(people["admin"]).get(MEMBERS).content.decode()
    role_filter = page.split('<select class="form-select" name="role"', 1)[1].split("</select>", 1)[0]
    offered = re.findall(r'<option value="(\w+)"', role_filter)
    assert offered == ["admin", "officer", "manager", "employee"]


def test_only_the_active_organisations_members_appear(login, staffed, other_enterprise, make_org):
    org, people = staffed
    other, other_people = other_enterprise
    page = login(people["admin"]).get(MEMBERS).content.decode()
    for person in other_people.values():
        assert person.name not in names(page)
    assert (
        names(login(people["admin"]).get(MEMBERS, {"q": other_people["employee"].name}).content.decode())
        == []
    )

    # a member of both sees each organisation's list in turn
    firm = make_org("provider", name="丙律师事务所")
    actions.membership_add(actor=None, user=people["manager"], organisation=firm, role="admin")
    client = login(people["manager"], organisation=firm)
    assert names(client.get(MEMBERS).content.decode()) == [people["manager"].name]
    client.post("/accounts/switch/", {"organisation": org.pk})
    assert len(names(client.get(MEMBERS).content.decode())) == 7


def test_role_in_the_active_organisation_decides(login, staffed, make_org):
    """An admin elsewhere is still refused while acting as an employee here."""
    org, people = staffed
    firm = make_org("provider")
    actions.membership_add(actor=None, user=people["employee"], organisation=firm, role="admin")
    client = login(people["employee"], organisation=org)
    assert client.get(MEMBERS).status_code == 403
    client.post("/accounts/switch/", {"organisation": firm.pk})
    assert client.get(MEMBERS).status_code == 200


def test_htmx_search_returns_the_rows_fragment(login, staffed):
    _org, people = staffed
    response = login(people["officer"]).get(MEMBERS, {"q": "张伟"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert "<html" not in body
    assert names(body) == ["张伟"]
