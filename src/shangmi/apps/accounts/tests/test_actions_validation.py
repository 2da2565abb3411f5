"""Bad input to the accounts actions gets a clear message naming the field and value, and writes nothing."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import Membership, Organisation, User
from shangmi.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def row_counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit_events": AuditEvent.objects.count(),
    }


@pytest.fixture
def unchanged(db):
    """Asserts, after the test body, that no row was written."""
    before = row_counts()
    yield
    assert row_counts() == before


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    return error.message_dict


def test_organisation_with_unknown_region_code_is_refused(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.organisation_create(
            actor=None, kind="enterprise", name="丁公司", short_code="DING", region_code="339999"
        )
    assert messages_of(caught.value) == {"region": ["未知的行政区划代码 “339999”（应为 GB/T 2260 六位代码）"]}


def test_organisation_with_a_region_outside_the_data_is_refused(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.organisation_create(
            actor=None, kind="regulator", name="北京市监管局", short_code="BJ", region_code="110000"
        )
    assert messages_of(caught.value) == {"region": ["未知的行政区划代码 “110000”（应为 GB/T 2260 六位代码）"]}


def test_regulator_without_region_is_refused(unchanged):
    for code in (None, ""):
        with pytest.raises(ValidationError) as caught:
            actions.organisation_create(
                actor=None, kind="regulator", name="某局", short_code="MJ", region_code=code
            )
        assert messages_of(caught.value) == {"region": ["监管部门必须指定管辖区域（GB/T 2260 代码）"]}


def test_unknown_organisation_kind_is_refused(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.organisation_create(actor=None, kind="school", name="某校", short_code="XX")
    assert messages_of(caught.value) == {"kind": ["未知的组织类型 “school”"]}


def test_duplicate_or_malformed_short_code_is_refused(db):
    existing = actions.organisation_create(actor=None, kind="enterprise", name="宁波卫浴", short_code="nbwy")
    assert existing.short_code == "NBWY"
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.organisation_create(actor=None, kind="enterprise", name="另一家", short_code=" NBWY ")
    assert messages_of(caught.value) == {"short_code": ["简称代码 “NBWY” 已被使用"]}
    with pytest.raises(ValidationError) as caught:
        actions.organisation_create(actor=None, kind="enterprise", name="另一家", short_code="NB-WY")
    assert messages_of(caught.value) == {"short_code": ["简称代码只能包含字母和数字"]}
    assert row_counts() == before


def test_valid_organisation_records_its_audit_event():
    before = row_counts()
    org = actions.organisation_create(
        actor=None, kind="regulator", name="绍兴市市场监督管理局", short_code="SXSJ", region_code=" 330600 "
    )
    assert org.region_id == "330600"
    assert row_counts() == {
        **before,
        "organisations": before["organisations"] + 1,
        "audit_events": before["audit_events"] + 1,
    }
    event = AuditEvent.objects.get(organisation=org)
    assert (event.verb, event.changes) == (
        "organisation.create",
        {"kind": "regulator", "name": "绍兴市市场监督管理局", "region": "330600"},
    )


ENTERPRISE_ROLES = "admin（管理员）、officer（保密员）、manager（管理者）、employee（员工）"


@pytest.mark.parametrize("role", ["lawyer", "bogus", "staff", ""])
def test_membership_with_a_role_the_enterprise_does_not_have_is_refused(make_org, role):
    org = make_org("enterprise")
    user = actions.user_create(actor=None, name="赵六", email="zhao@example.com")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.membership_add(actor=None, user=user, organisation=org, role=role)
    assert messages_of(caught.value) == {"role": [f"未知角色 “{role}”；企业可用的角色：{ENTERPRISE_ROLES}"]}
    assert row_counts() == before


def test_membership_role_for_a_regulator_lists_the_regulator_roles(make_org):
    org = make_org("regulator")
    user = actions.user_create(actor=None, name="钱七", email="qian@example.com")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.membership_add(actor=None, user=user, organisation=org, role="officer")
    assert messages_of(caught.value) == {
        "role": ["未知角色 “officer”；监管部门可用的角色：admin（管理员）、staff（监管人员）"]
    }
    assert row_counts() == before


def test_role_change_to_a_role_of_another_kind_is_refused(enterprise):
    org, people = enterprise
    membership = Membership.objects.get(user=people["employee"], organisation=org)
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.membership_change_role(actor=people["admin"], membership=membership, role="notary")
    assert messages_of(caught.value) == {"role": [f"未知角色 “notary”；企业可用的角色：{ENTERPRISE_ROLES}"]}
    assert row_counts() == before
    membership.refresh_from_db()
    assert membership.role == "employee"


def test_second_membership_in_the_same_organisation_is_refused(enterprise):
    org, people = enterprise
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.membership_add(actor=None, user=people["employee"], organisation=org, role="manager")
    assert caught.value.messages == [f"{people['employee'].name} 已是 {org.name} 的成员"]
    assert row_counts() == before


def test_duplicate_email_is_refused_in_any_case(db):
    actions.user_create(actor=None, name="孙一", email="sun.yi@example.com")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="孙二", email="SUN.YI@Example.com")
    assert messages_of(caught.value) == {"email": ["电子邮箱 SUN.YI@example.com 已注册"]}
    assert row_counts() == before


def test_duplicate_phone_is_refused_in_any_spelling(db):
    actions.user_create(actor=None, name="周一", phone="13805740001")
    before = row_counts()
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="周二", phone="+86 138-0574-0001")
    assert messages_of(caught.value) == {"phone": ["手机号 13805740001 已注册"]}
    assert row_counts() == before


@pytest.mark.parametrize("phone", ["12345", "23805740001", "138057400011", "1380574000x", "+1 415 555 0100"])
def test_invalid_phone_is_refused_naming_the_value(unchanged, phone):
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="吴一", phone=phone)
    assert messages_of(caught.value) == {"phone": [f"“{phone}” 不是有效的中国大陆手机号（11 位，以 1 开头）"]}


def test_invalid_email_is_refused_on_the_email_field(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="郑一", email="not-an-address")
    assert list(messages_of(caught.value)) == ["email"]


def test_user_needs_an_email_or_a_phone(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="王一")
    assert caught.value.messages == ["需要电子邮箱或手机号至少一项"]


def test_weak_password_is_refused_and_no_user_is_written(unchanged):
    with pytest.raises(ValidationError) as caught:
        actions.user_create(actor=None, name="冯一", email="feng@example.com", password="12345678")
    assert "这个密码太常见了。" in caught.value.messages


def test_user_create_normalises_and_audits(db):
    before = row_counts()
    user = actions.user_create(
        actor=None, name="  陈一 ", email="Chen@EXAMPLE.cn", phone="0086 139 0574 0002"
    )
    assert (user.name, user.email, user.phone) == ("陈一", "Chen@example.cn", "13905740002")
    assert not user.has_usable_password()
    assert row_counts() == {
        **before,
        "users": before["users"] + 1,
        "audit_events": before["audit_events"] + 1,
    }
    event = AuditEvent.objects.get(verb="user.create", object_id=str(user.pk))
    assert event.changes == {"email": "Chen@example.cn", "phone": "13905740002"}


def test_database_refuses_emails_that_differ_only_in_case(db):
    """createsuperuser and other tooling bypass user_create; the database still keeps log-in unambiguous."""
    User.objects.create_user(email="admin@example.com", name="甲", password=None)
    before = row_counts()
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(email="Admin@example.com", name="乙", password=None)
    assert row_counts() == before
