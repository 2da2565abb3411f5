"""The register's vocabularies (DESIGN §7 glossary). Stored values are English codes; labels are Chinese."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    TECHNICAL = "technical", _("技术信息")
    BUSINESS = "business", _("经营信息")


class Subcategory(models.TextChoices):
    PROCESS = "process", _("工艺流程")
    FORMULA = "formula", _("配方")
    DRAWING = "drawing", _("图纸")
    SOURCE_CODE = "source_code", _("源代码")
    ALGORITHM = "algorithm", _("算法")
    TEST_DATA = "test_data", _("试验数据")
    EQUIPMENT = "equipment", _("设备参数")
    CUSTOMERS = "customers", _("客户名单")
    PRICING = "pricing", _("价格与成本")
    STRATEGY = "strategy", _("经营策略")
    BIDDING = "bidding", _("招投标")
    SUPPLIERS = "suppliers", _("供应商信息")
    OTHER = "other", _("其他")


# Which sub-categories belong to which category; 其他 belongs to both.
SUBCATEGORIES_OF: dict[str, tuple[str, ...]] = {
    Category.TECHNICAL: (
        Subcategory.PROCESS,
        Subcategory.FORMULA,
        Subcategory.DRAWING,
        Subcategory.SOURCE_CODE,
        Subcategory.ALGORITHM,
        Subcategory.TEST_DATA,
        Subcategory.EQUIPMENT,
        Subcategory.OTHER,
    ),
    Category.BUSINESS: (
        Subcategory.CUSTOMERS,
        Subcategory.PRICING,
        Subcategory.STRATEGY,
        Subcategory.BIDDING,
        Subcategory.SUPPLIERS,
        Subcategory.OTHER,
    ),
}


class Level(models.TextChoices):
    CORE = "core", _("核心")
    IMPORTANT = "important", _("重要")
    GENERAL = "general", _("一般")


class PeriodKind(models.TextChoices):
    UNTIL_DATE = "date", _("至指定日期")
    LONG_TERM = "long_term", _("长期")
    UNTIL_PUBLIC = "until_public", _("至公开")


class SecretState(models.TextChoices):
    APPLIED = "applied", _("待审查")
    REVIEWED = "reviewed", _("待批准")
    DESIGNATED = "designated", _("已定密")
    REFUSED = "refused", _("未通过")
    DECLASSIFIED = "declassified", _("已解密")


class DeclassifyReason(models.TextChoices):
    PUBLISHED = "published", _("已公开")
    PATENTED = "patented", _("已申请专利")
    EXPIRED = "expired", _("保密期限届满")
    NO_VALUE = "no_value", _("不再具有商业价值")
    OTHER = "other", _("其他")


class CarrierKind(models.TextChoices):
    DOCUMENT = "document", _("电子文档")
    DRAWING = "drawing", _("图纸")
    REPOSITORY = "repository", _("源代码仓库")
    PAPER = "paper", _("纸质文件")
    SAMPLE = "sample", _("样品")
    DEVICE = "device", _("设备")
    OTHER = "other", _("其他")


# Carriers whose content is a file: they may carry digests and a deposit.
ELECTRONIC_KINDS = frozenset({CarrierKind.DOCUMENT, CarrierKind.DRAWING, CarrierKind.REPOSITORY})


class MarkingState(models.TextChoices):
    UNMARKED = "unmarked", _("未标识")
    MARKED = "marked", _("已标识")


class CarrierState(models.TextChoices):
    ACTIVE = "active", _("在用")
    DESTROYED = "destroyed", _("已销毁")


class DestroyMethod(models.TextChoices):
    SHRED = "shred", _("粉碎")
    INCINERATE = "incinerate", _("焚毁")
    WIPE = "wipe", _("数据擦除")
    DEGAUSS = "degauss", _("消磁")
    PHYSICAL = "physical", _("物理破坏")
    OTHER = "other", _("其他")


class ReviewDecision(models.TextChoices):
    PASS = "pass", _("通过")
    REJECT = "reject", _("不通过")


class EventKind(models.TextChoices):
    APPLY = "apply", _("定密申请")
    REVIEW = "review", _("定密审查")
    APPROVE = "approve", _("批准定密")
    REFUSE = "refuse", _("不予定密")
    AMEND = "amend", _("变更")
    DECLASSIFY = "declassify", _("解密")
    CARRIER_ADD = "carrier_add", _("登记载体")
    CARRIER_MARK = "carrier_mark", _("载体标识")
    CARRIER_DESTROY = "carrier_destroy", _("销毁载体")
    GRANT = "grant", _("授权知悉")
    GRANT_REVOKE = "grant_revoke", _("撤销知悉")
    GRANT_ACK = "grant_ack", _("确认知悉")
    IMPORT = "import", _("台账导入")
