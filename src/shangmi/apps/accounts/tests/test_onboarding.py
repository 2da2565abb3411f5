"""Platform administrators onboard organisations with their first administrator."""

import re

import pytest
from django.contrib.auth import get_user_model

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.accounts.queries import platform_organisation

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture
def operator(make_member):
    return make_member(platform_organisation(), "admin")


def test_operator_creates_a_county_bureau_with_its_first_admin(operator, login):
    client = login(operator)
    response = client.post(
        "/accounts/organisations/add/",
        {
            "kind": "regulator",
            "name": "诸暨市市场监督管理局（测试）",
            "short_code": "zjtest",
            "region": "330681",
            "admin_name": "金科长",
            "admin_phone": "+86 139 0575 0001",
        },
    )
    assert response.status_code == 200
    org = Organisation.objects.get(short_code="ZJTEST")
    assert org.kind == "regulator" and org.region_id == "330681"
    admin = Membership.objects.get(organisation=org)
    assert admin.role == "admin" and admin.user.phone == "13905750001"
    password = re.search(r'id="initial-password">([^<]+)<', response.content.decode()).group(1)
    assert admin.user.check_password(password)
    listing = client.get("/accounts/organisations/", {"kind": "regulator"}).content.decode()
    assert "诸暨市市场监督管理局（测试）" in listing


def test_unknown_region_is_refused_and_nothing_is_created(operator, login):
    before = (Organisation.objects.count(), User.objects.count())
    response = login(operator).post(
        "/accounts/organisations/add/",
        {
            "kind": "enterprise",
            "name": "坏区划公司",
            "short_code": "BAD1",
            "region": "339999",
            "admin_name": "某人",
            "admin_email": "boss@bad.example",
        },
    )
    assert "未知的行政区划代码 “339999”" in response.content.decode()
    assert (Organisation.objects.count(), User.objects.count()) == before


def test_a_failing_admin_rolls_back_the_organisation(operator, login, enterprise):
    _org, people = enterprise
    before = Organisation.objects.count()
    response = login(operator).post(
        "/accounts/organisations/add/",
        {
            "kind": "provider",
            "name": "某鉴定所",
            "short_code": "JDS1",
            "region": "330602",
            "admin_name": "某人",
            "admin_phone": "12",
        },
    )
    assert "不是有效的中国大陆手机号" in response.content.decode()
    assert Organisation.objects.count() == before


def test_organisations_pages_are_for_platform_admins_only(enterprise, login):
    _org, people = enterprise
    client = login(people["admin"])
    assert client.get("/accounts/organisations/").status_code == 403
    assert client.post("/accounts/organisations/add/", {"kind": "enterprise"}).status_code == 403
