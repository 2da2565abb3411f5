"""Fixed vocabulary of the synthetic organisation 蓝溪精密 (Lanxi Precision): domains, sites, departments,
roles, and the word lists that file names, URLs and mail subjects are made of. Data only."""

from __future__ import annotations

from dataclasses import dataclass

COMPANY = "蓝溪精密"
MAIL_DOMAIN = "lanxi.example"
COMPANY_CLOUD = "pan.lanxi.example"
CRM = "crm.lanxi.example"
FILE_SERVER = r"\\fs01"
RELEASE_SHARE = FILE_SERVER + r"\release"
USB_DRIVE = "E:"

PERSONAL_CLOUDS = (
    "pan.baidu.com",
    "www.aliyundrive.com",
    "share.weiyun.com",
    "www.jianguoyun.com",
    "115.com",
    "www.dropbox.com",
    "drive.google.com",
    "onedrive.live.com",
)
WEBMAIL_SITES = (
    "mail.qq.com",
    "mail.163.com",
    "mail.126.com",
    "mail.sina.com.cn",
    "mail.sohu.com",
    "mail.google.com",
    "outlook.live.com",
)
WEBMAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "sohu.com", "gmail.com", "outlook.com")
JOB_SITES = ("www.zhaopin.com", "www.51job.com", "www.liepin.com", "www.linkedin.com")
COMPETITORS = ("huaxin-jingmi.example", "dongsheng-zhizao.example", "ruitai-keji.example")
SIDE_COMPANIES = ("hongda-maoyi.example", "jinfeng-shangmao.example", "yuantong-gongmao.example")

NEWS_SITES = (
    "news.sina.com.cn",
    "www.thepaper.cn",
    "news.163.com",
    "www.jiemian.com",
    "finance.eastmoney.com",
)
SEARCH_SITES = ("www.baidu.com/s?wd=", "cn.bing.com/search?q=", "www.sogou.com/web?query=")
SUPPLIER_SITES = (
    "www.misumi.com.cn",
    "www.skf.com",
    "www.siemens.com.cn",
    "www.mouser.cn",
    "www.thk.com",
    "www.smc.com.cn",
    "www.keyence.com.cn",
    "www.autodesk.com.cn",
)
PORTAL_SITES = ("oa.lanxi.example", "portal.lanxi.example", "wiki.lanxi.example", "hr.lanxi.example")
SEARCH_TERMS = (
    "公差配合表",
    "轴承选型",
    "伺服电机参数",
    "不锈钢316L",
    "增值税发票",
    "excel数据透视表",
    "cad快捷键",
    "注塑模具设计",
    "质量管理体系",
    "宁波天气",
    "高铁时刻表",
    "python读取csv",
    "网络交换机配置",
    "劳动合同法",
    "年会节目",
)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红娥玲芬燕彬飞鹏辉宇浩然子轩梓涵欣怡佳琪思远嘉豪俊杰晨曦雨欣博文一鸣天佑诗涵志强建国海燕春梅秋菊冬雪"
ASCII_SYLLABLES = (
    "heng",
    "tai",
    "xin",
    "da",
    "feng",
    "yuan",
    "hua",
    "kang",
    "sheng",
    "long",
    "rui",
    "jia",
    "cheng",
    "tong",
    "fu",
    "ming",
    "an",
    "bao",
    "chang",
    "de",
)
INDUSTRY = ("jixie", "dianzi", "keji", "zhizao", "qiche", "yiqi", "jingmi", "dongli")
GIVEN_ASCII = (
    "wei",
    "fang",
    "na",
    "min",
    "jing",
    "li",
    "qiang",
    "lei",
    "jun",
    "yang",
    "yong",
    "yan",
    "jie",
    "tao",
)


@dataclass(frozen=True)
class Role:
    name: str
    profile: int
    weight: float
    granted: bool  # entrusted with the department's registered carriers


@dataclass(frozen=True)
class Department:
    name: str
    share: str  # folder on the file server: \\fs01\<share>
    weight: float
    head: str  # role name of the head
    teams: tuple[str, ...]
    roles: tuple[Role, ...]
    folders: tuple[str, ...]


# Behaviour profiles (see generator_background.PROFILES for their numbers).
ENGINEER, DESIGNER, RELEASE, PRODUCTION, SALES, FINANCE, ADMIN, IT = range(8)

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        "研发部",
        "研发",
        0.30,
        "研发经理",
        ("结构组", "电气组", "软件组", "工业设计组", "发布组"),
        (Role("工程师", ENGINEER, 0.85, True), Role("设计师", DESIGNER, 0.15, True)),
        ("会议纪要", "技术文档", "测试报告", "标准规范", "培训资料", "评审记录"),
    ),
    Department(
        "生产部",
        "生产",
        0.22,
        "生产主管",
        ("工艺组", "质检组", "车间一组", "车间二组"),
        (Role("工艺工程师", PRODUCTION, 0.5, True), Role("质检员", PRODUCTION, 0.5, False)),
        ("排产计划", "质检记录", "设备维护", "安全生产", "物料清单"),
    ),
    Department(
        "销售部",
        "销售",
        0.20,
        "销售总监",
        ("华东区", "华南区", "华北区", "海外部"),
        (Role("销售经理", SALES, 0.55, True), Role("销售代表", SALES, 0.45, False)),
        ("报价单", "合同模板", "市场资料", "销售周报", "投标文件"),
    ),
    Department(
        "财务部",
        "财务",
        0.08,
        "财务经理",
        ("会计组", "出纳组"),
        (Role("会计", FINANCE, 0.7, True), Role("出纳", FINANCE, 0.3, False)),
        ("报销单据", "预算", "发票", "审计资料"),
    ),
    Department(
        "行政部",
        "行政",
        0.10,
        "行政经理",
        ("人事组", "行政组"),
        (Role("行政专员", ADMIN, 0.5, False), Role("人事专员", ADMIN, 0.5, False)),
        ("通知公告", "规章制度", "人事档案", "采购申请", "会议安排"),
    ),
    Department(
        "IT部",
        "IT",
        0.10,
        "IT经理",
        ("运维组", "信息化组"),
        (Role("系统管理员", IT, 0.5, False), Role("运维工程师", IT, 0.5, False)),
        ("运维手册", "资产台账", "脚本", "网络拓扑", "软件安装包"),
    ),
)
RD, PROD, SALES_DEPT, FIN, ADMIN_DEPT, IT_DEPT = range(6)
RELEASE_ROLE = "发布工程师"
DESIGN_TEAM = "工业设计组"
RELEASE_TEAM = "发布组"

DOC_TOPICS = (
    "项目进度",
    "周报",
    "月度总结",
    "会议纪要",
    "方案评审",
    "需求说明",
    "测试记录",
    "培训课件",
    "采购清单",
    "报价",
    "供应商评估",
    "质量分析",
    "操作规程",
    "年度计划",
    "预算表",
    "客户回访",
    "出差申请",
    "设备清单",
    "问题跟踪",
    "改善提案",
)
# No archives: in the background nobody creates .zip/.7z files (only drawing_theft and the release
# engineer's build artefacts do), so archive creation is a signal a detector may rely on.
DOC_EXTS = (".docx", ".xlsx", ".pptx", ".pdf", ".txt")
DOC_EXT_WEIGHTS = (30, 30, 14, 15, 8)
ASSEMBLIES = ("总装", "传动", "壳体", "电气", "夹具", "模具")
DESIGN_SERIES = ("X7外观", "M3面板", "K2手柄", "S5机身", "T9控制盒")
DESIGN_PARTS = ("前壳", "后盖", "按键", "面板", "支架", "旋钮", "底座", "装饰条")
DESIGN_EXTS = (".sldprt", ".sldasm", ".step", ".psd", ".ai", ".3dm")
PROCESS_LINES = ("一号线", "二号线", "三号线", "热处理", "表面处理")
REGIONS = ("华东", "华南", "华北", "西南", "海外")
INNOCUOUS_ARCHIVES = ("家庭照片2019.7z", "旅游视频.zip", "old_music.zip", "驱动备份.7z", "孩子作业.zip")
ARTEFACT_COMPONENTS = ("firmware", "hmi", "driver", "installer", "docs", "tools")
ARTEFACT_EXTS = (".bin", ".hex", ".dll", ".exe", ".pdb", ".msi", ".zip", ".map")

PHRASES = (
    "项目 进度 更新",
    "请 查收 附件",
    "会议 安排 通知",
    "周报 提交",
    "报价 确认",
    "样品 测试 结果",
    "图纸 修改 意见",
    "订单 交期",
    "质量 问题 反馈",
    "报销 审批",
    "培训 通知",
    "设备 维护 计划",
    "合同 条款 讨论",
    "客户 拜访 纪要",
    "方案 评审 意见",
    "供应商 资料",
    "系统 升级 通知",
    "月度 数据 汇总",
    "工艺 参数 调整",
    "节日 放假 安排",
)
