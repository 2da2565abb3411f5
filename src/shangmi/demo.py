"""Demo data for the trial: fictional organisations and people, loaded idempotently through actions.

Everything here is invented. Figures on pages are counted from these records, never typed in.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from django.db import transaction

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import Membership, Organisation, User
from shangmi.apps.accounts.queries import platform_organisation
from shangmi.apps.accounts.roles import OrgKind, Role
from shangmi.demo_assessment import load_assessments
from shangmi.demo_bases import load_bases
from shangmi.demo_forensics import load_forensics
from shangmi.demo_monitoring import load_monitoring
from shangmi.demo_people import load_people
from shangmi.demo_register import load_register

DEMO_PASSWORD = os.environ.get("SHANGMI_DEMO_PASSWORD", "Shangmi-Demo-2026")

ENTERPRISE = {
    "name": "宁波澜溪智能卫浴有限公司",
    "short_code": "LXWY",
    "region": "330212",
    "credit_code": "91330212MA2DEMO01X",
    "industry": "智能卫浴",
    "address": "宁波市鄞州区（虚构）创新路 88 号",
}
SHAOXING_CITY = ("绍兴市市场监督管理局", "SXSJ", "330600")
SHAOXING_COUNTIES = [
    ("绍兴市越城区市场监督管理局", "SXYC", "330602"),
    ("绍兴市柯桥区市场监督管理局", "SXKQ", "330603"),
    ("绍兴市上虞区市场监督管理局", "SXSY", "330604"),
    ("诸暨市市场监督管理局", "SXZJ", "330681"),
    ("嵊州市市场监督管理局", "SXSZ", "330683"),
    ("新昌县市场监督管理局", "SXXC", "330624"),
]
_COUNTY_STAFF = ["钱晓燕", "孔德明", "严立群", "金国平", "章慧", "俞斌"]
LAW_FIRM = ("浙江明衡律师事务所", "MHLS", "330106")

# 40 fictional employees: (name, department, title, role). The first three carry the key roles.
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
_GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "磊",
    "强",
    "洋",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "霞",
    "平",
    "刚",
    "桂英",
    "建华",
    "晓东",
    "丽娟",
    "海燕",
    "志强",
    "玉兰",
    "俊杰",
    "晨",
    "悦",
    "浩然",
    "思远",
    "子涵",
    "欣怡",
    "宇轩",
    "雨桐",
    "博文",
    "佳怡",
    "一鸣",
    "梓萱",
    "嘉豪",
    "诗涵",
]
_DEPARTMENTS = [("研发部", 16), ("生产部", 14), ("销售部", 10)]
_TITLES = {"研发部": "工程师", "生产部": "技术员", "销售部": "销售经理"}


@dataclass(frozen=True)
class DemoLogin:
    organisation: str
    role: str
    login: str


def _employees() -> list[tuple[str, str, str, str, str]]:
    people = [
        ("陈立新", "总经办", "总经理", Role.ADMIN, "admin@lanxi.example"),
        ("周敏", "法务与保密办", "保密员", Role.OFFICER, "officer@lanxi.example"),
        ("吴海峰", "研发部", "研发总监", Role.MANAGER, "manager@lanxi.example"),
    ]
    index = 0
    for department, count in _DEPARTMENTS:
        for _ in range(count - (1 if department == "研发部" else 0)):
            name = _SURNAMES[index % len(_SURNAMES)] + _GIVEN[index % len(_GIVEN)]
            people.append(
                (name, department, _TITLES[department], Role.EMPLOYEE, f"e{index + 1:02d}@lanxi.example")
            )
            index += 1
    return people[:40]


def _user(name: str, email: str, phone: str | None = None) -> User:
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = actions.user_create(actor=None, name=name, email=email, phone=phone, password=DEMO_PASSWORD)
    return user


def _org(kind: str, name: str, short_code: str, region: str, **extra) -> Organisation:
    org = Organisation.objects.filter(short_code=short_code).first()
    if org is None:
        org = actions.organisation_create(
            actor=None, kind=kind, name=name, short_code=short_code, region_code=region, **extra
        )
    return org


def _member(user: User, org: Organisation, role: str, department: str = "", title: str = "") -> None:
    if not Membership.objects.filter(user=user, organisation=org).exists():
        actions.membership_add(
            actor=None, user=user, organisation=org, role=role, department=department, title=title
        )


@transaction.atomic
def load_demo() -> list[DemoLogin]:
    """Create the demo organisations and people if missing; safe to run any number of times."""
    logins: list[DemoLogin] = []

    platform = platform_organisation()
    operator = _user("平台管理员", "ops@shangmi.example")
    _member(operator, platform, Role.ADMIN)
    logins.append(DemoLogin(platform.name, Role(Role.ADMIN).label, operator.email))

    firm = _org(
        OrgKind.ENTERPRISE,
        ENTERPRISE["name"],
        ENTERPRISE["short_code"],
        ENTERPRISE["region"],
        credit_code=ENTERPRISE["credit_code"],
        industry=ENTERPRISE["industry"],
        address=ENTERPRISE["address"],
    )
    for number, (name, department, title, role, email) in enumerate(_employees()):
        phone = f"1380574{number:04d}"
        user = _user(name, email, phone)
        _member(user, firm, role, department, title)
        if role != Role.EMPLOYEE or number == 3:
            logins.append(DemoLogin(firm.name, f"{Role(role).label} · {name}", f"{email} / {phone}"))
    load_register(firm)
    load_people(firm)

    city = _org(OrgKind.REGULATOR, *SHAOXING_CITY)
    city_staff = _user("沈建国", "staff@sx-amr.example")
    _member(city_staff, city, Role.STAFF, "竞争执法处", "科长")
    logins.append(DemoLogin(city.name, Role(Role.STAFF).label, city_staff.email))
    for number, (name, code, region) in enumerate(SHAOXING_COUNTIES, start=1):
        bureau = _org(OrgKind.REGULATOR, name, code, region)
        staff = _user(_COUNTY_STAFF[number - 1], f"staff{number}@sx-amr.example")
        _member(staff, bureau, Role.STAFF, "商业秘密保护科")
        if number == 1:
            logins.append(DemoLogin(bureau.name, Role(Role.STAFF).label, staff.email))

    law = _org(OrgKind.PROVIDER, *LAW_FIRM, industry="法律服务")
    lawyer = _user("孙明律", "lawyer@mingheng.example")
    _member(lawyer, law, Role.LAWYER, title="合伙人")
    logins.append(DemoLogin(law.name, Role(Role.LAWYER).label, lawyer.email))
    load_assessments(firm, _shaoxing_enterprise)
    load_monitoring(firm)
    load_forensics(firm)
    load_bases()
    return logins


def _shaoxing_enterprise(name: str, short_code: str, region: str, industry: str, email: str) -> Membership:
    org = _org(OrgKind.ENTERPRISE, name, short_code, region, industry=industry)
    officer = _user(f"{name[:2]}保密员", email)
    _member(officer, org, Role.OFFICER, "保密办", "保密员")
    return Membership.objects.select_related("user", "organisation").get(user=officer, organisation=org)
