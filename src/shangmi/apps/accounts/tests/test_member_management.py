"""Organisation admins add people, change roles and deactivate members; first log-in changes the password."""

import re

import pytest
from django.contrib.auth import get_user_model

from shangmi.apps.accounts.models import Membership, Notification
from shangmi.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_officer_adds_a_new_person_who_gets_a_one_time_initial_password(enterprise, login, client):
    org, people = enterprise
    response = login(people["officer"]).post(
        "/accounts/members/add/",
        {
            "name": "冯晓",
            "email": "feng.xiao@lanxi.example",
            "phone": "",
            "role": "employee",
            "department": "研发部",
            "title": "工程师",
        },
    )
    assert response.status_code == 200
    password = re.search(r'id="initial-password">([^<]+)<', response.content.decode()).group(1)
    user = User.objects.get(email="feng.xiao@lanxi.example")
    assert user.check_password(password) and user.password_change_required
    assert Membership.objects.get(user=user).department == "研发部"
    assert AuditEvent.objects.filter(
        organisation=org, verb="membership.add", actor=people["officer"]
    ).exists()

    # first log-in: every page leads to the password change until a new password is set
    logged_in = client.post("/accounts/login/", {"username": "feng.xiao@lanxi.example", "password": password})
    assert logged_in.status_code == 302
    assert client.get("/").url == "/accounts/password/"
    assert client.get("/api/v1/me").status_code == 403
    changed = client.post(
        "/accounts/password/",
        {"old_password": password, "new_password1": "Xin-Mi-Ma-2026!", "new_password2": "Xin-Mi-Ma-2026!"},
    )
    assert changed.status_code == 302
    user.refresh_from_db()
    assert not user.password_change_required and user.check_password("Xin-Mi-Ma-2026!")
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(verb="user.password_change", actor=user).count() == 1


def test_adding_someone_who_already_has_a_login_reuses_it_and_notifies_them(
    enterprise, other_enterprise, login
):
    org, people = enterprise
    _other, others = other_enterprise
    existing = others["employee"]
    response = login(people["admin"]).post(
        "/accounts/members/add/", {"name": "ignored", "email": existing.email.upper(), "role": "manager"}
    )
    assert "initial-password" not in response.content.decode()
    assert Membership.objects.get(user=existing, organisation=org).role == "manager"
    assert Notification.objects.filter(recipient=existing, organisation=org).count() == 1
    assert User.objects.filter(email__iexact=existing.email).count() == 1


@pytest.mark.parametrize(
    "data,message",
    [
        ({"name": "无联系方式", "role": "employee"}, "需要电子邮箱或手机号至少一项"),
        ({"name": "坏手机号", "phone": "12345", "role": "employee"}, "不是有效的中国大陆手机号"),
        ({"name": "错角色", "email": "x@lanxi.example", "role": "lawyer"}, "Select a valid choice"),
    ],
)
def test_bad_member_input_is_explained_and_nothing_is_stored(enterprise, login, data, message):
    _org, people = enterprise
    before = (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count())
    response = login(people["officer"]).post("/accounts/members/add/", data)
    body = response.content.decode()
    assert response.status_code == 200
    assert message in body or "有效的选项" in body
    assert (User.objects.count(), Membership.objects.count(), AuditEvent.objects.count()) == before


def test_employees_and_managers_cannot_add_members(enterprise, login):
    _org, people = enterprise
    for role in ("employee", "manager"):
        response = login(people[role]).post(
            "/accounts/members/add/", {"name": "x", "email": f"{role}-adds@lanxi.example", "role": "employee"}
        )
        assert response.status_code == 403
    assert not User.objects.filter(email__endswith="-adds@lanxi.example").exists()


def test_change_role_and_deactivate(enterprise, login):
    org, people = enterprise
    officer = login(people["officer"])
    employee = Membership.objects.get(organisation=org, user=people["employee"])
    officer.post(f"/accounts/members/{employee.pk}/role/", {"role": "manager"})
    employee.refresh_from_db()
    assert employee.role == "manager"
    officer.post(f"/accounts/members/{employee.pk}/deactivate/")
    employee.refresh_from_db()
    assert employee.is_active is False
    verbs = list(
        AuditEvent.objects.filter(organisation=org, object_id=str(employee.pk)).values_list("verb", flat=True)
    )
    assert "membership.role_change" in verbs and "membership.deactivate" in verbs


def test_the_last_admin_cannot_be_demoted_or_deactivated_nor_can_you_deactivate_yourself(enterprise, login):
    org, people = enterprise
    officer = login(people["officer"])
    admin = Membership.objects.get(organisation=org, role="admin")
    page = officer.post(f"/accounts/members/{admin.pk}/role/", {"role": "employee"}, follow=True)
    assert "唯一的管理员" in page.content.decode()
    page = officer.post(f"/accounts/members/{admin.pk}/deactivate/", follow=True)
    assert "唯一的管理员" in page.content.decode()
    me = Membership.objects.get(organisation=org, user=people["officer"])
    page = officer.post(f"/accounts/members/{me.pk}/deactivate/", follow=True)
    assert "不能停用自己的成员身份" in page.content.decode()
    admin.refresh_from_db()
    me.refresh_from_db()
    assert admin.role == "admin" and admin.is_active and me.is_active


def test_unknown_role_on_change_is_refused_with_the_allowed_roles(enterprise, login):
    org, people = enterprise
    employee = Membership.objects.get(organisation=org, user=people["employee"])
    page = login(people["admin"]).post(
        f"/accounts/members/{employee.pk}/role/", {"role": "bogus"}, follow=True
    )
    assert "未知角色 “bogus”" in page.content.decode()
    employee.refresh_from_db()
    assert employee.role == "employee"
