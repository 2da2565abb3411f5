"""The agreements as Word files, one template per kind, with the parties' data filled in.

The clauses are this project's own text, written for the six kinds with the law they rest on in mind:
《反不正当竞争法》第九条 (what a trade secret is and what infringes it), 《劳动合同法》第二十三条、第二十四条
(confidentiality and non-compete duties of employees; at most two years), 第二十五条 (an employment
contract may stipulate liquidated damages only for service periods and non-competes, so the employee NDA
stipulates compensation for losses instead), and the Supreme People's Court's interpretation (一) on labour
disputes, arts. 36–40 (compensation of at least 30% of the average monthly wage of the last twelve months;
three months unpaid; release with three months' extra compensation; liquidated damages and continued
performance). They are a sound starting point, not legal advice: an enterprise's lawyer should review them.

A signed contract must read the same whatever language the officer's screen is in, so the clauses are
fixed Chinese text rather than translatable strings; TEMPLATE_VERSION names the text, and changes with it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils import translation
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from shangmi.apps.people.models.choices import AgreementKind
from shangmi.office.word import chinese_document, title, to_bytes

TEMPLATE_VERSION = "people-agreements/2026.1"
BLANK = "＿＿＿＿＿＿"
_NUMERALS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (article numbers up to 99)."""
    tens, units = divmod(n, 10)
    if tens == 0:
        return _NUMERALS[units]
    head = "" if tens == 1 else _NUMERALS[tens]
    return head + "十" + (_NUMERALS[units] if units else "")


def _day(value) -> str:
    return f"{value.year} 年 {value.month} 月 {value.day} 日" if value else BLANK


@dataclass
class Context:
    """What the templates fill in."""

    number: str
    enterprise: str
    enterprise_code: str
    enterprise_address: str
    counterparty: str
    effective: str
    expires: str
    # the non-compete's terms
    scope: str = ""
    region: str = ""
    months: int = 0
    compensation: str = ""
    party_lines: list[tuple[str, str]] = field(default_factory=list)


def _context(agreement) -> Context:
    organisation = agreement.organisation
    ctx = Context(
        number=agreement.number,
        enterprise=organisation.name,
        enterprise_code=organisation.credit_code or BLANK,
        enterprise_address=organisation.address or BLANK,
        counterparty=agreement.counterparty,
        effective=_day(agreement.effective_on),
        expires=_day(agreement.expires_on),
    )
    if agreement.employee_id:
        employee = agreement.employee
        ctx.party_lines = [
            ("姓名", employee.name),
            ("工号", employee.number),
            ("部门", employee.department.name if employee.department_id else BLANK),
            ("岗位", employee.position.name if employee.position_id else BLANK),
            ("联系电话", employee.phone or BLANK),
        ]
    else:
        party = agreement.party
        ctx.party_lines = [
            ("名称", party.name),
            ("统一社会信用代码 / 身份证件号", party.credit_code or BLANK),
            ("联系人", party.contact or BLANK),
            ("联系电话", party.phone or BLANK),
            ("地址", party.address or BLANK),
        ]
    terms = getattr(agreement, "non_compete", None) if agreement.kind == AgreementKind.NON_COMPETE else None
    if terms is not None:
        ctx.scope, ctx.region, ctx.months = terms.scope, terms.region, terms.months
        ctx.compensation = f"{terms.monthly_compensation:,.2f}"
    return ctx


# --- the clauses ----------------------------------------------------------------------------------------

Clause = tuple[str, list[str]]

TRADE_SECRET_DEFINITION: Clause = (
    "商业秘密的定义",
    [
        "本协议所称商业秘密，是指不为公众所知悉、具有商业价值并经甲方采取相应保密措施的技术信息、经营信息等"
        "商业信息，包括但不限于：",
        "（一）技术信息：与技术有关的结构、原料、组分、配方、材料、样品、样式、植物新品种繁殖材料、工艺、方法"
        "或其步骤、算法、数据、计算机程序及其有关文档、设计图纸、模具、试验结果等；",
        "（二）经营信息：与经营活动有关的创意、管理、销售、财务、计划、样本、招投标材料、客户信息（客户名称、"
        "地址、联系方式、交易习惯、意向、内容等）、供应商信息、价格与成本信息、数据等；",
        "（三）甲方依照法律规定或者合同约定对第三方负有保密义务的信息。",
        "甲方在商业秘密台账中登记、对载体作出密级标识或者向乙方书面告知属于商业秘密的信息，均属于前款所称"
        "商业秘密；对未作标识但乙方知道或者应当知道属于甲方商业秘密的信息，乙方同样负有保密义务。",
    ],
)

EMPLOYEE_DUTIES: Clause = (
    "乙方的保密义务",
    [
        "（一）乙方仅在履行职务所必需的范围内知悉、使用甲方的商业秘密，不得超越甲方授予的知悉范围获取信息；",
        "（二）未经甲方书面同意，乙方不得以任何方式向任何第三方（包括甲方内部无权知悉的人员）披露甲方的商业"
        "秘密，不得为自己或者他人使用、允许他人使用甲方的商业秘密；",
        "（三）乙方不得以盗窃、贿赂、欺诈、胁迫、电子侵入或者其他不正当手段获取甲方的商业秘密；",
        "（四）乙方应当遵守甲方的保密制度，不得私自复制、拍摄、摘抄、外发商业秘密载体，不得将其上传至个人"
        "网盘、个人邮箱、即时通讯工具或者其他未经甲方批准的系统与设备；",
        "（五）乙方发现商业秘密已经泄露或者可能泄露的，应当立即采取补救措施并向甲方报告；",
        "（六）乙方对外发表论文、演讲、申请专利或者参加技术交流，涉及本职工作内容的，应当事先经甲方审查同意。",
    ],
)

WORK_RESULTS: Clause = (
    "职务成果",
    [
        "乙方在职期间执行甲方的工作任务，或者主要利用甲方的物质技术条件、商业秘密所完成的技术成果、作品、"
        "资料和数据，其权利归属依照法律规定和甲方制度确定；属于甲方的，乙方应当及时、完整地向甲方报告和移交，"
        "并按本协议承担保密义务。",
    ],
)


def _carriers_clause(trigger: str) -> Clause:
    return (
        "载体的归还与删除",
        [
            f"{trigger}，乙方应当将载有甲方商业秘密的全部载体，包括纸质文件、图纸、样品、模具、存储介质、电子"
            "文档及其所有副本，完整归还甲方；存放在乙方个人设备或者账户中的电子文件，应当在甲方确认后彻底删除。",
            "乙方应当就归还和删除情况签署确认书，不得以任何形式留存、备份或者转移。",
        ],
    )


def _term_clause(ctx: Context, *, after_end: str) -> Clause:
    period = (
        f"本协议自 {ctx.effective} 起生效" if ctx.effective != BLANK else "本协议自双方签字（盖章）之日起生效"
    )
    if ctx.expires != BLANK:
        period += f"，有效期至 {ctx.expires}"
    return (
        "保密期限",
        [
            f"{period}。",
            f"乙方的保密义务不因{after_end}而免除，持续至相关信息已为公众所知悉之日止。",
        ],
    )


DISPUTES_EMPLOYEE: Clause = (
    "争议解决",
    [
        "因本协议发生的争议，双方应当协商解决；协商不成的，任何一方可以向甲方所在地劳动人事争议仲裁委员会"
        "申请仲裁，对仲裁裁决不服的，可以依法向人民法院提起诉讼。",
        "乙方的行为构成侵犯商业秘密的，甲方亦可以依照《中华人民共和国反不正当竞争法》向有管辖权的人民法院"
        "提起诉讼，或者向市场监督管理部门投诉；涉嫌犯罪的，依法移送公安机关。",
    ],
)

DISPUTES_COMMERCIAL: Clause = (
    "争议解决",
    [
        "因本合同发生的争议，双方应当协商解决；协商不成的，任何一方可以向甲方所在地有管辖权的人民法院"
        "提起诉讼。",
        "乙方侵犯甲方商业秘密的，甲方可以同时向市场监督管理部门投诉；涉嫌犯罪的，依法移送公安机关。",
    ],
)


def _final_clause(document_name: str, ctx: Context | None = None) -> Clause:
    """The closing article; with `ctx`, it also says when the document takes effect (for the kinds
    without a period article)."""
    effective = []
    if ctx is not None:
        start = f"自 {ctx.effective} 起" if ctx.effective != BLANK else "自双方签字（盖章）之日起"
        effective = [f"本{document_name}{start}生效。"]
    return (
        "其他",
        [
            *effective,
            f"本{document_name}一式两份，甲乙双方各执一份，具有同等法律效力。",
            f"本{document_name}未尽事宜，依照有关法律法规和甲方依法制定的保密制度执行。",
        ],
    )


def _nda(ctx: Context) -> list[Clause]:
    return [
        TRADE_SECRET_DEFINITION,
        EMPLOYEE_DUTIES,
        WORK_RESULTS,
        _carriers_clause("乙方离职、调岗或者甲方提出要求时"),
        _term_clause(ctx, after_end="劳动合同的解除、终止或者本协议期满"),
        (
            "违约责任",
            [
                "乙方违反本协议的，应当立即停止违约行为，并赔偿甲方因此遭受的损失，包括甲方为制止侵权行为所支付"
                "的调查费、公证费、鉴定费、律师费等合理开支；损失难以计算的，按照乙方因违约所获得的利益确定。",
                "乙方严重违反甲方保密制度的，甲方可以依照《中华人民共和国劳动合同法》第三十九条解除劳动合同。",
            ],
        ),
        DISPUTES_EMPLOYEE,
        _final_clause("协议"),
    ]


def _non_compete(ctx: Context) -> list[Clause]:
    return [
        (
            "竞业限制人员",
            [
                "乙方因其岗位知悉或者可能知悉甲方的商业秘密，属于《中华人民共和国劳动合同法》第二十四条规定的负有"
                "保密义务的人员，双方依照该法第二十三条、第二十四条订立本协议。",
            ],
        ),
        (
            "竞业限制的范围",
            [
                "竞业限制期间，乙方不得到与甲方生产或者经营同类产品、从事同类业务的有竞争关系的其他用人单位任职"
                "或者提供劳务、咨询、顾问等服务，不得自己开业生产或者经营同类产品、从事同类业务，也不得以投资、"
                "代持等方式参与上述经营。",
                f"双方约定的具体范围：{ctx.scope or BLANK}",
            ],
        ),
        ("地域范围", [f"竞业限制的地域范围：{ctx.region or BLANK}"]),
        (
            "竞业限制期限",
            [
                f"竞业限制期限为 {ctx.months or BLANK} 个月，自乙方与甲方解除或者终止劳动合同之次日起计算，"
                "且不超过二年。",
            ],
        ),
        (
            "经济补偿",
            [
                f"竞业限制期间，甲方按月向乙方支付竞业限制经济补偿，每月人民币 {ctx.compensation or BLANK} 元，"
                "于每月末前支付至乙方指定的银行账户。",
                "双方确认，上述补偿不低于乙方在劳动合同解除或者终止前十二个月平均工资的百分之三十，且不低于劳动合同"
                "履行地的最低工资标准；低于该标准的，按该标准支付。",
                "因甲方原因连续三个月未支付经济补偿的，乙方可以请求解除竞业限制约定。",
            ],
        ),
        (
            "离职时的决定",
            [
                "劳动合同解除或者终止时，甲方应当书面通知乙方是否要求其履行竞业限制义务。甲方决定不要求履行的，"
                "乙方不受本协议竞业限制条款的约束。",
                "竞业限制期间内，甲方可以书面通知解除竞业限制约定，但应当额外支付乙方三个月的竞业限制经济补偿。",
            ],
        ),
        (
            "乙方的告知义务",
            [
                "竞业限制期间，乙方应当在每个季度结束后十五日内，以书面方式向甲方告知其就业情况，包括新任职单位"
                "名称、岗位及联系方式，并应当甲方要求提供劳动合同、社会保险缴纳记录等证明材料。",
            ],
        ),
        (
            "违约责任",
            [
                "乙方违反竞业限制约定的，应当返还甲方已支付的违约期间的经济补偿，并按双方另行书面约定的数额向甲方"
                "支付违约金；违约金不足以弥补甲方损失的，乙方还应当赔偿不足部分。乙方支付违约金后，甲方要求的，"
                "乙方仍应当按照约定继续履行竞业限制义务。",
            ],
        ),
        (
            "与保密义务的关系",
            [
                "本协议不影响乙方依照法律规定和双方保密协议承担的保密义务；竞业限制期限届满或者甲方放弃竞业限制的，"
                "乙方的保密义务继续有效。",
            ],
        ),
        DISPUTES_EMPLOYEE,
        _final_clause("协议", ctx),
    ]


def _processing(ctx: Context) -> list[Clause]:
    return [
        (
            "保密信息",
            [
                "本合同所称保密信息，是指甲方为委托加工目的向乙方提供的，或者乙方在加工过程中知悉的甲方技术信息"
                "和经营信息，包括但不限于图纸、工艺文件、技术参数、配方、模具、检具、样品、物料清单、质量标准，以及"
                "订单数量、价格、交货安排和甲方客户的信息，无论其是否标注“保密”字样。",
            ],
        ),
        (
            "使用限制",
            [
                "乙方只能为完成甲方委托的加工任务使用保密信息，不得为自己或者任何第三方生产、销售与委托产品相同或者"
                "近似的产品，不得对甲方的样品、模具进行反向工程，也不得以保密信息申请专利或者其他知识产权。",
            ],
        ),
        (
            "知悉人员",
            [
                "乙方应当将知悉保密信息的人员限制在完成加工所必需的范围内，事先告知其保密义务并与其签订保密承诺；"
                "乙方人员违反保密义务的，视为乙方违约。",
            ],
        ),
        (
            "载体与模具的管理",
            [
                "甲方提供或者甲方出资制作的图纸、模具、检具、样品归甲方所有。乙方应当登记造册、专人保管、设置标识，"
                "存放于有门禁或者上锁的区域，不得用于其他客户的生产。",
                "含有甲方技术信息的不合格品、试制品和边角余料，乙方应当按甲方要求处置，不得外卖或者流出。",
            ],
        ),
        ("转委托", ["未经甲方书面同意，乙方不得将委托加工的全部或者部分工作转委托给第三方。"]),
        (
            "检查",
            [
                "甲方有权在提前通知后，到乙方场所检查保密措施的执行情况，乙方应当予以配合并对发现的问题及时整改。",
            ],
        ),
        (
            "归还与销毁",
            [
                "委托加工结束、本合同终止或者甲方提出要求后十五日内，乙方应当将全部载体归还甲方，或者在甲方监督下"
                "销毁并删除电子副本，并出具书面确认。",
            ],
        ),
        _term_clause(ctx, after_end="本合同的终止、解除或者委托加工关系的结束"),
        (
            "违约责任",
            [
                "乙方违反本合同的，应当立即停止违约行为，按双方约定向甲方支付违约金，并赔偿甲方因此遭受的全部损失"
                "（包括甲方为制止侵权所支付的合理开支）；甲方有权解除委托加工合同并收回全部载体、模具。",
            ],
        ),
        DISPUTES_COMMERCIAL,
        _final_clause("合同"),
    ]


def _cooperation(ctx: Context) -> list[Clause]:
    return [
        (
            "保密信息",
            [
                "本协议所称保密信息，是指在双方洽谈、合作过程中，甲方以书面、口头、电子或者实物等任何形式向乙方"
                "披露的，或者乙方因合作而知悉的甲方技术信息、经营信息和其他商业信息。",
            ],
        ),
        (
            "除外情形",
            [
                "下列信息不属于保密信息：（一）披露时已为公众所知悉，或者非因乙方过错而为公众所知悉的；（二）乙方"
                "有书面证据证明在甲方披露前已经合法持有的；（三）乙方从无保密义务的第三方合法获得的；（四）乙方"
                "未使用保密信息而独立开发的。",
                "乙方依照法律或者有权机关的要求必须披露保密信息的，应当事先书面通知甲方，并仅在必要范围内披露。",
            ],
        ),
        (
            "使用与保护",
            [
                "乙方只能为双方合作的目的使用保密信息，只能向因合作需要而必须知悉的员工、顾问披露，并确保其承担"
                "不低于本协议的保密义务；乙方对保密信息的保护不得低于其保护自身同类信息的程度，且不低于合理的"
                "注意标准。",
                "甲方向乙方披露保密信息，不视为向乙方转让或者许可任何知识产权。",
            ],
        ),
        _carriers_clause("合作终止或者甲方提出要求时"),
        _term_clause(ctx, after_end="合作的终止或者本协议期满"),
        (
            "违约责任",
            [
                "乙方违反本协议的，应当立即停止违约行为，按双方约定支付违约金，并赔偿甲方因此遭受的全部损失，包括"
                "甲方为制止侵权所支付的调查费、公证费、鉴定费、律师费等合理开支。",
            ],
        ),
        DISPUTES_COMMERCIAL,
        _final_clause("协议"),
    ]


def _clean_hands(ctx: Context) -> list[Clause]:
    return [
        (
            "承诺事项",
            [
                f"本人自愿加入{ctx.enterprise}（以下简称“公司”），就不侵犯他人商业秘密郑重承诺如下：",
                "（一）本人未携带、也不会带入原任职单位或者其他权利人的任何商业秘密及其载体，包括纸质文件、电子"
                "文档、图纸、源代码、客户资料和样品；",
                "（二）本人在公司工作期间不会使用或者向公司披露原任职单位或者其他权利人的商业秘密，也不会诱导公司"
                "其他人员获取、使用他人的商业秘密；",
                "（三）本人已如实告知公司尚在履行期内的保密义务和竞业限制义务；本人入职公司不违反上述义务；",
                "（四）公司安排的工作可能涉及本人对他人负有保密义务的信息时，本人将主动向公司说明并拒绝使用该信息。",
            ],
        ),
        (
            "责任",
            [
                "本人违反上述承诺的，由本人承担相应的法律责任；给公司造成损失的，本人依法予以赔偿。公司有权依照"
                "规章制度对本人作出处理。",
            ],
        ),
    ]


def _departure_pledge(ctx: Context) -> list[Clause]:
    return [
        (
            "承诺事项",
            [
                f"本人即将离开{ctx.enterprise}（以下简称“公司”），就继续保守公司商业秘密郑重承诺如下：",
                "（一）本人已将在职期间掌握、保管的全部商业秘密载体及其副本归还公司，存放在个人设备、账户中的电子"
                "文件已经删除，未以任何形式留存、备份或者转移；",
                "（二）离职后，本人继续保守公司的商业秘密，不披露、不使用、不允许他人使用，直至相关信息为公众所知悉；",
                "（三）本人不利用公司的商业秘密招揽公司的客户、供应商或者诱使公司员工离职；",
                "（四）本人与公司订有竞业限制协议的，按照公司离职时的书面通知履行竞业限制义务；",
                "（五）本人到新单位任职的，不将公司的商业秘密用于新单位的工作。",
            ],
        ),
        (
            "责任",
            [
                "本人违反上述承诺的，依法承担赔偿责任；构成侵犯商业秘密的，公司有权依照《中华人民共和国反不正当"
                "竞争法》等法律追究本人的法律责任。",
            ],
        ),
    ]


@dataclass(frozen=True)
class Template:
    builder: object
    first_role: str  # 甲方's role in this kind
    second_role: str
    pledge: bool = False  # a one-sided pledge signed by the person alone


TEMPLATES: dict[str, Template] = {
    AgreementKind.NDA: Template(_nda, "用人单位", "员工"),
    AgreementKind.NON_COMPETE: Template(_non_compete, "用人单位", "员工"),
    AgreementKind.PROCESSING_NDA: Template(_processing, "委托方", "受托加工方"),
    AgreementKind.COOPERATION_NDA: Template(_cooperation, "披露方", "接收方"),
    AgreementKind.CLEAN_HANDS: Template(_clean_hands, "公司", "承诺人", pledge=True),
    AgreementKind.DEPARTURE_PLEDGE: Template(_departure_pledge, "公司", "承诺人", pledge=True),
}


# --- the document ---------------------------------------------------------------------------------------


def _line(document, label: str, value: str, *, bold_label: bool = True) -> None:
    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(2)
    paragraph.add_run(f"{label}：").bold = bold_label
    paragraph.add_run(value)


def _parties(document, ctx: Context, template: Template) -> None:
    if template.pledge:
        for label, value in ctx.party_lines:
            _line(document, f"承诺人{label}" if label == "姓名" else label, value)
        _line(document, "公司", ctx.enterprise)
        return
    heading = document.add_paragraph()
    heading.add_run(f"甲方（{template.first_role}）：{ctx.enterprise}").bold = True
    _line(document, "统一社会信用代码", ctx.enterprise_code, bold_label=False)
    _line(document, "地址", ctx.enterprise_address, bold_label=False)
    heading = document.add_paragraph()
    heading.add_run(f"乙方（{template.second_role}）：{ctx.counterparty}").bold = True
    for label, value in ctx.party_lines:
        _line(document, label, value, bold_label=False)


def _preamble(document, ctx: Context, kind: str, template: Template) -> None:
    if template.pledge:
        return
    text = {
        AgreementKind.NDA: "鉴于乙方在甲方任职期间将知悉甲方的商业秘密，为保护甲方的合法权益，双方依照《中华人民共和国"
        "反不正当竞争法》《中华人民共和国劳动合同法》等法律规定，遵循平等自愿、诚实信用的原则，订立本协议。",
        AgreementKind.NON_COMPETE: "鉴于乙方在甲方任职期间知悉甲方的商业秘密和与知识产权相关的保密事项，为保护甲方的合法"
        "权益，双方依照《中华人民共和国劳动合同法》第二十三条、第二十四条的规定，经平等协商，订立本竞业限制协议。",
        AgreementKind.PROCESSING_NDA: "甲方委托乙方进行加工、制造或者装配，乙方因此将接触甲方的技术信息和经营信息。为保护"
        "甲方的商业秘密，双方依照《中华人民共和国民法典》《中华人民共和国反不正当竞争法》，订立本合同。",
        AgreementKind.COOPERATION_NDA: "双方拟开展或者正在开展业务合作（含技术咨询、评审、联合研发等），乙方因此将知悉甲方的"
        "保密信息。为保护甲方的商业秘密，双方依照《中华人民共和国民法典》《中华人民共和国反不正当竞争法》，订立本协议。",
    }[kind]
    document.add_paragraph(text)


def _signatures(document, ctx: Context, template: Template) -> None:
    document.add_paragraph()
    if template.pledge:
        for text in ("承诺人（签字）：", "签署日期：        年    月    日"):
            paragraph = document.add_paragraph(text)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        return
    table = document.add_table(rows=4, cols=2)
    cells = [
        (
            f"甲方（盖章）：{ctx.enterprise}",
            f"乙方（签字{'' if ctx.party_lines[0][0] == '姓名' else '或盖章'}）：",
        ),
        (
            "法定代表人或者授权代表（签字）：",
            "" if ctx.party_lines[0][0] == "姓名" else "法定代表人或者授权代表（签字）：",
        ),
        ("", ""),
        ("日期：        年    月    日", "日期：        年    月    日"),
    ]
    for row, (left, right) in zip(table.rows, cells, strict=True):
        row.cells[0].text, row.cells[1].text = left, right


def render_agreement(agreement) -> bytes:
    """The agreement as a DOCX: title, number, the parties, the clauses of its kind, signatures."""
    template = TEMPLATES[agreement.kind]
    ctx = _context(agreement)
    with translation.override("zh-hans"):
        document = chinese_document()
        title(document, str(AgreementKind(agreement.kind).label))
        number = document.add_paragraph(f"编号：{ctx.number}")
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _parties(document, ctx, template)
        _preamble(document, ctx, agreement.kind, template)
        for index, (heading, paragraphs) in enumerate(template.builder(ctx), start=1):
            document.add_heading(f"第{chinese_number(index)}条　{heading}", level=2)
            for text in paragraphs:
                paragraph = document.add_paragraph(text)
                paragraph.paragraph_format.first_line_indent = Pt(24)
        _signatures(document, ctx, template)
        footer = document.add_paragraph(f"模板版本：{TEMPLATE_VERSION}")
        footer.runs[0].font.size = Pt(8)
        return to_bytes(document)
