"""GB/T 2260 region data for Zhejiang, region containment, and a regulator's jurisdiction."""

import pytest

from shangmi.apps.accounts.models import Region
from shangmi.apps.accounts.queries import organisations_in_jurisdiction, regions_within

pytestmark = pytest.mark.django_db

ZHEJIANG_CITIES = {
    "330100": "杭州市",
    "330200": "宁波市",
    "330300": "温州市",
    "330400": "嘉兴市",
    "330500": "湖州市",
    "330600": "绍兴市",
    "330700": "金华市",
    "330800": "衢州市",
    "330900": "舟山市",
    "331000": "台州市",
    "331100": "丽水市",
}
# County-level divisions per city (GB/T 2260, current): 13+10+12+7+5+6+9+6+4+9+9 = 90.
COUNTIES_PER_CITY = {
    "330100": 13,
    "330200": 10,
    "330300": 12,
    "330400": 7,
    "330500": 5,
    "330600": 6,
    "330700": 9,
    "330800": 6,
    "330900": 4,
    "331000": 9,
    "331100": 9,
}


def test_zhejiang_has_one_province_eleven_cities_and_ninety_counties():
    zhejiang = Region.objects.filter(code__startswith="33")
    assert zhejiang.filter(level="province").count() == 1
    assert zhejiang.filter(level="city").count() == 11
    assert zhejiang.filter(level="county").count() == 90
    assert zhejiang.count() == 102


def test_province_and_cities_are_named_and_linked():
    province = Region.objects.get(code="330000")
    assert (province.name, province.level, province.parent_id) == ("浙江省", "province", None)
    cities = {r.code: r.name for r in Region.objects.filter(level="city", parent=province)}
    assert cities == ZHEJIANG_CITIES


def test_every_county_hangs_under_its_city():
    counts = {code: Region.objects.filter(parent_id=code, level="county").count() for code in ZHEJIANG_CITIES}
    assert counts == COUNTIES_PER_CITY
    for county in Region.objects.filter(level="county"):
        assert county.parent.level == "city"
        assert county.code[:4] == county.parent.code[:4]


def test_shaoxing_has_exactly_its_six_districts_and_counties():
    shaoxing = Region.objects.get(code="330600")
    children = {r.code: r.name for r in shaoxing.children.all()}
    assert children == {
        "330602": "越城区",
        "330603": "柯桥区",
        "330604": "上虞区",
        "330624": "新昌县",
        "330681": "诸暨市",
        "330683": "嵊州市",
    }
    assert Region.objects.get(code="330603").full_name == "浙江省绍兴市柯桥区"


def test_contains():
    zhejiang, shaoxing, keqiao = (Region.objects.get(code=c) for c in ("330000", "330600", "330603"))
    yinzhou, ningbo = Region.objects.get(code="330212"), Region.objects.get(code="330200")
    assert zhejiang.contains(shaoxing)
    assert zhejiang.contains(keqiao)
    assert shaoxing.contains(keqiao)
    assert shaoxing.contains(shaoxing)
    assert keqiao.contains(keqiao)
    assert not shaoxing.contains(yinzhou)
    assert not shaoxing.contains(ningbo)
    assert not shaoxing.contains(zhejiang)
    assert not keqiao.contains(shaoxing)
    assert not keqiao.contains(Region.objects.get(code="330602"))
    assert not shaoxing.contains(None)


def test_regions_within_a_city_are_the_city_and_its_counties():
    shaoxing = Region.objects.get(code="330600")
    assert sorted(regions_within(shaoxing).values_list("code", flat=True)) == [
        "330600",
        "330602",
        "330603",
        "330604",
        "330624",
        "330681",
        "330683",
    ]


def test_city_regulator_sees_organisations_in_its_counties_only(make_org):
    city = make_org("regulator", name="绍兴市市场监督管理局", region="330600")
    county = make_org("regulator", name="柯桥区市场监督管理局", region="330603")
    in_keqiao = make_org("enterprise", name="柯桥纺织", region="330603")
    in_zhuji = make_org("enterprise", name="诸暨袜业", region="330681")
    in_ningbo = make_org("enterprise", name="宁波卫浴", region="330212")
    without_region = make_org("enterprise", name="无地址公司", region=None)

    enterprises = set(organisations_in_jurisdiction(city, kind="enterprise"))
    assert enterprises == {in_keqiao, in_zhuji}
    assert in_ningbo not in enterprises
    assert without_region not in enterprises
    assert set(organisations_in_jurisdiction(city, kind="regulator")) == {city, county}

    assert set(organisations_in_jurisdiction(county, kind="enterprise")) == {in_keqiao}


def test_inactive_organisations_and_non_regulators_see_nothing(make_org):
    city = make_org("regulator", region="330600")
    closed = make_org("enterprise", region="330602")
    closed.is_active = False
    closed.save(update_fields=["is_active"])
    assert closed not in organisations_in_jurisdiction(city)
    enterprise = make_org("enterprise", region="330600")
    assert list(organisations_in_jurisdiction(enterprise)) == []
