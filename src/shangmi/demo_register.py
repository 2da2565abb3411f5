"""The demo enterprise's register: secrets in every state of the lifecycle, made through the real actions,
so each has its timeline, audit events and deposited records. Loaded once (skipped if any secret exists)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.registry import actions
from shangmi.apps.registry.models import TradeSecret
from shangmi.engines.tlog.material import digest_bytes

SEARCHED = "国家知识产权局专利检索（CNIPA）、中国知网、百度学术、行业标准 GB/T 与 QB/T；关键词见申请书"
FOUND = "未检索到与本信息相同或实质相同的公开内容；最接近的为公开专利中的通用结构，不含本密点"


def _member(org: Organisation, email: str) -> Membership:
    return Membership.objects.select_related("user", "organisation").get(organisation=org, user__email=email)


def _apply(member: Membership, points: list[tuple[str, str]], **fields) -> TradeSecret:
    return actions.secret_apply(member=member, points=points, **fields)


def _designate(secret: TradeSecret, officer: Membership, manager: Membership) -> TradeSecret:
    actions.secret_review(member=officer, secret=secret, decision="pass", searched=SEARCHED, found=FOUND)
    return actions.secret_approve(member=manager, secret=secret, approve=True, opinion="同意定密")


def load_register(org: Organisation) -> None:
    if TradeSecret.objects.filter(organisation=org).exists():
        return
    officer = _member(org, "officer@lanxi.example")
    manager = _member(org, "manager@lanxi.example")
    employee = _member(org, "e01@lanxi.example")
    today = timezone.localdate()

    valve = _apply(
        manager,
        [
            ("恒温阀芯 PID 参数整定表", "按进水温度分 6 段的比例、积分、微分参数"),
            ("蜡感温元件的响应补偿算法", "对 0.5 秒滞后的前馈补偿"),
            ("防烫伤切断阈值", "出水 49 °C 时 0.3 秒内切断热水"),
        ],
        name="智能恒温阀芯温控算法",
        category="technical",
        subcategory="algorithm",
        description="智能恒温花洒阀芯的温度控制算法及其参数，含固件源代码。",
        level="core",
        period_kind="long_term",
        department="研发部",
        responsible=manager.user,
        value_estimate="850",
        value_basis="近三年研发投入与同类技术许可报价",
    )
    _designate(valve, officer, manager)
    firmware = digest_bytes("恒温阀芯固件 v3.2 源代码（演示）".encode())
    actions.carrier_add(
        member=officer,
        secret=valve,
        kind="repository",
        name="恒温阀芯固件源代码仓库",
        location="内网 GitLab：firmware/valve",
        custodian=manager.user,
        sha256=firmware.sha256,
        sm3=firmware.sm3,
        size=firmware.size,
        marking="marked",
    )
    # Left unmarked on purpose: the register's "unmarked carriers" filter has something to show.
    actions.carrier_add(
        member=officer,
        secret=valve,
        kind="paper",
        name="PID 参数整定表（纸质）",
        location="保密柜 B-2",
        copies=2,
    )
    grant = actions.grant_add(member=officer, secret=valve, user=employee.user, reason="负责阀芯固件调试")
    actions.grant_acknowledge(member=employee, grant=grant)
    by_position = actions.grant_add(member=officer, secret=valve, position="工程师", reason="研发岗位职责")
    # Most engineers have confirmed the position grant; the rest show on the officer's follow-up list.
    for engineer in Membership.objects.filter(organisation=org, title="工程师").select_related("user")[:10]:
        actions.grant_acknowledge(member=engineer, grant=by_position)

    glaze = _apply(
        officer,
        [("低温釉料配方", "烧成温度 1180 °C 的配比"), ("釉面抗菌剂添加工艺", "银离子添加顺序与温度")],
        name="抗菌陶瓷釉料配方",
        category="technical",
        subcategory="formula",
        description="抗菌釉面的原料配比与添加工艺。",
        level="core",
        period_kind="until_public",
        department="生产部",
    )
    _designate(glaze, officer, manager)
    actions.carrier_add(
        member=officer, secret=glaze, kind="paper", name="釉料配方工艺卡", location="生产部保密柜"
    )

    dealers = _apply(
        officer,
        [("华东区 126 家经销商联系人与折扣", "含年度返利比例"), ("出厂价与成本构成", "按型号列示")],
        name="华东区经销商名单与价格体系",
        category="business",
        subcategory="customers",
        description="经销商名单、联系人、折扣与返利政策，以及出厂价格体系。",
        level="important",
        period_kind="date",
        period_until=today + timedelta(days=20),
        department="销售部",
    )
    _designate(dealers, officer, manager)
    actions.carrier_add(
        member=officer, secret=dealers, kind="document", name="经销商名单.xlsx", location="销售部共享盘"
    )
    actions.grant_add(
        member=officer,
        secret=dealers,
        position="销售经理",
        reason="维护客户关系",
        expires_on=today + timedelta(days=10),
    )

    _apply(
        employee,
        [("冲洗水道截面形状", "双旋流水道的截面尺寸"), ("3.5 升冲洗的阀门时序", "进水与排水阀的开启时序")],
        name="节水马桶双旋流冲洗结构图纸",
        category="technical",
        subcategory="drawing",
        description="3.5 升节水马桶的冲洗水道结构图纸。",
        level="important",
        period_kind="date",
        period_until=today + timedelta(days=3 * 365),
        department="研发部",
    )

    bidding = _apply(
        officer,
        [("2027 年度投标报价区间", "按项目规模分档")],
        name="2027 年精装房集采投标报价策略",
        category="business",
        subcategory="bidding",
        description="面向房地产精装集采的投标报价策略。",
        level="general",
        period_kind="date",
        period_until=today + timedelta(days=400),
        department="销售部",
    )
    actions.secret_review(member=officer, secret=bidding, decision="pass", searched=SEARCHED, found=FOUND)

    plating = _apply(
        officer,
        [("无氰镀铜工艺参数", "电流密度与温度")],
        name="旧款龙头无氰电镀工艺",
        category="technical",
        subcategory="process",
        description="已申请专利的电镀工艺，作为解密示例。",
        level="general",
        period_kind="long_term",
        department="生产部",
    )
    _designate(plating, officer, manager)
    actions.secret_declassify(
        member=officer, secret=plating, reason="patented", note="已提交发明专利申请并公开"
    )
