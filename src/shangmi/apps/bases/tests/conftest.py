"""A Shaoxing programme: an enterprise in 越城区 applying, the 越城区 bureau, the city bureau, a bureau of
another county, and an enterprise of another city."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from shangmi.apps.accounts.models import Membership


def _member(org, user) -> Membership:
    return Membership.objects.select_related("organisation__region", "user").get(organisation=org, user=user)


@pytest.fixture
def programme(make_org, make_member, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.BASES_DEADLINE = "12-31"
    firm = make_org("enterprise", name="绍兴越秀纺织有限公司", region="330602", address="越城区解放大道 1 号")
    county = make_org("regulator", name="越城区市场监督管理局", region="330602")
    city = make_org("regulator", name="绍兴市市场监督管理局", region="330600")
    other_county = make_org("regulator", name="柯桥区市场监督管理局", region="330603")
    outsider = make_org("enterprise", name="宁波某公司", region="330212")
    people = SimpleNamespace(
        officer=_member(firm, make_member(firm, "officer")),
        employee=_member(firm, make_member(firm, "employee")),
        county=_member(county, make_member(county, "staff")),
        city=_member(city, make_member(city, "staff")),
        other_county=_member(other_county, make_member(other_county, "staff")),
        outsider=_member(outsider, make_member(outsider, "officer")),
    )
    return SimpleNamespace(firm=firm, county=county, city=city, people=people)
