"""Choices of the people side. Values are stable English codes; labels are the Chinese UI terms."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sensitivity(models.TextChoices):
    """How much a position is entrusted with (涉密岗位等级): graded management of key positions."""

    CORE = "core", _("核心涉密岗位")
    IMPORTANT = "important", _("重要涉密岗位")
    GENERAL = "general", _("一般涉密岗位")
    NONE = "none", _("非涉密岗位")


class EmployeeState(models.TextChoices):
    ONBOARDING = "onboarding", _("入职中")
    EMPLOYED = "employed", _("在职")
    RESIGNING = "resigning", _("已提出离职")
    LEFT = "left", _("已离职")


class PartyKind(models.TextChoices):
    SUPPLIER = "supplier", _("供应商")
    PROCESSOR = "processor", _("委托加工方")
    PARTNER = "partner", _("合作伙伴")
    EXPERT = "expert", _("外部专家")
    OTHER = "other", _("其他")


class AgreementKind(models.TextChoices):
    NDA = "nda", _("员工保密合同")
    NON_COMPETE = "non_compete", _("竞业限制协议")
    PROCESSING_NDA = "processing_nda", _("委托加工保密合同")
    COOPERATION_NDA = "cooperation_nda", _("商务合作保密协议")
    CLEAN_HANDS = "clean_hands", _("不侵犯他人商业秘密承诺书")
    DEPARTURE_PLEDGE = "departure_pledge", _("离职保密承诺书")


# Which kinds are signed with an employee and which with an external party.
EMPLOYEE_KINDS = frozenset(
    {AgreementKind.NDA, AgreementKind.NON_COMPETE, AgreementKind.CLEAN_HANDS, AgreementKind.DEPARTURE_PLEDGE}
)
PARTY_KINDS = frozenset({AgreementKind.PROCESSING_NDA, AgreementKind.COOPERATION_NDA})


class AgreementState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SENT = "sent", _("已发送")
    SIGNED = "signed", _("已签署")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


class NonCompeteDecision(models.TextChoices):
    PENDING = "pending", _("待决定")
    ENFORCE = "enforce", _("履行竞业限制")
    WAIVE = "waive", _("放弃竞业限制")


class DepartureState(models.TextChoices):
    OPEN = "open", _("审计中")
    CLOSED = "closed", _("已完成")


class ItemKind(models.TextChoices):
    """The departure audit's checklist items (离职审计清单)."""

    CARRIER = "carrier", _("载体归还或删除")
    GRANT = "grant", _("知悉授权撤销")
    ACCOUNTS = "accounts", _("账号权限注销")
    DOOR = "door", _("门禁权限注销")
    INTERVIEW = "interview", _("离职面谈")
    PLEDGE = "pledge", _("签署离职保密承诺书")
    LETTER = "letter", _("送达保密义务提醒函")
    NON_COMPETE = "non_compete", _("竞业限制决定")
    ACCESS_REVIEW = "access_review", _("近 90 天访问记录审查")
    CUSTOMERS = "customers", _("通知相关客户")
    AGREEMENT = "agreement", _("协议状态核对")


class ItemOutcome(models.TextChoices):
    DONE = "done", _("已完成")
    RETURNED = "returned", _("已归还")
    DELETED = "deleted", _("已删除")
    NOT_APPLICABLE = "not_applicable", _("不适用")


class PersonEventKind(models.TextChoices):
    HIRE = "hire", _("登记入职")
    EMPLOY = "employ", _("转为在职")
    CHANGE = "change", _("信息变更")
    RESIGN = "resign", _("提出离职")
    LEAVE = "leave", _("离职")
    AGREEMENT_DRAFT = "agr_draft", _("生成协议")
    AGREEMENT_SEND = "agr_send", _("发送协议")
    AGREEMENT_SIGN = "agr_sign", _("协议签署")
    AGREEMENT_EXPIRE = "agr_expire", _("协议到期")
    AGREEMENT_TERMINATE = "agr_terminate", _("协议终止")
    COMPENSATION = "compensation", _("竞业补偿支付")
    NON_COMPETE_DECISION = "nc_decision", _("竞业限制决定")
    TRAINING = "training", _("参加培训")
    DEPARTURE_OPEN = "dep_open", _("开启离职审计")
    DEPARTURE_ITEM = "dep_item", _("离职审计事项")
    DEPARTURE_LETTER = "dep_letter", _("生成保密义务提醒函")
    DEPARTURE_CLOSE = "dep_close", _("离职审计完成")
