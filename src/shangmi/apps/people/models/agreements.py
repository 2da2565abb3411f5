"""Agreements (保密协议等) with employees or external parties, non-compete terms and their payments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    NonCompeteDecision,
    PartyKind,
)

MAX_NON_COMPETE_MONTHS = 24  # 劳动合同法 art. 24: no longer than two years after the contract ends


class ExternalParty(models.Model):
    """A supplier, processor, partner or outside expert who signs a confidentiality agreement."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("类型"), max_length=16, choices=PartyKind.choices)
    name = models.CharField(_("名称"), max_length=128)
    credit_code = models.CharField(_("统一社会信用代码 / 身份证件号"), max_length=32, blank=True)
    contact = models.CharField(_("联系人"), max_length=64, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("外部单位")
        verbose_name_plural = _("外部单位")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="party_unique")]

    def __str__(self) -> str:
        return self.name


class Agreement(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("协议类型"), max_length=20, choices=AgreementKind.choices)
    number = models.CharField(_("协议编号"), max_length=40)
    employee = models.ForeignKey(
        "people.Employee",
        verbose_name=_("员工"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    party = models.ForeignKey(
        ExternalParty,
        verbose_name=_("外部单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="agreements",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=AgreementState.choices, default=AgreementState.DRAFT
    )
    effective_on = models.DateField(_("生效日期"), null=True, blank=True)
    expires_on = models.DateField(_("到期日期"), null=True, blank=True)
    # The generated document: its template version and the SHA-256 of the DOCX bytes as generated.
    template_version = models.CharField(_("模板版本"), max_length=40)
    generated_sha256 = models.CharField(max_length=64, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    signed_on = models.DateField(_("签署日期"), null=True, blank=True)
    # The signed scan, kept in the data directory by its SHA-256; its digests are deposited.
    scan_name = models.CharField(_("签署扫描件"), max_length=200, blank=True)
    scan_sha256 = models.CharField(max_length=64, blank=True)
    scan_size = models.PositiveBigIntegerField(null=True, blank=True)
    scan_deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    terminated_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    termination_reason = models.CharField(_("终止原因"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "-created_at"]
        verbose_name = _("协议")
        verbose_name_plural = _("协议")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="agreement_number_unique"),
            models.CheckConstraint(
                condition=(Q(employee__isnull=False) & Q(party__isnull=True))
                | (Q(employee__isnull=True) & Q(party__isnull=False)),
                name="agreement_employee_or_party",
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="agreement_org_state")]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    @property
    def counterparty(self) -> str:
        return self.employee.name if self.employee_id else self.party.name


class NonCompeteTerms(models.Model):
    """The terms of a 竞业限制协议: scope, region, the period after departure and the compensation."""

    agreement = models.OneToOneField(Agreement, on_delete=models.CASCADE, related_name="non_compete")
    scope = models.TextField(_("竞业限制范围"))
    region = models.CharField(_("地域范围"), max_length=200)
    months = models.PositiveSmallIntegerField(_("期限（月）"))
    monthly_compensation = models.DecimalField(_("月补偿金（元）"), max_digits=12, decimal_places=2)
    # Set at departure: the restriction runs from the day after the last day for `months` months.
    starts_on = models.DateField(_("起始日期"), null=True, blank=True)
    ends_on = models.DateField(_("终止日期"), null=True, blank=True)
    decision = models.CharField(
        _("离职时决定"), max_length=16, choices=NonCompeteDecision.choices, default=NonCompeteDecision.PENDING
    )
    decision_reason = models.CharField(_("决定理由"), max_length=200, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("竞业限制条款")
        verbose_name_plural = _("竞业限制条款")
        constraints = [
            models.CheckConstraint(
                condition=Q(months__gte=1) & Q(months__lte=MAX_NON_COMPETE_MONTHS), name="non_compete_max_24"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agreement_id}: {self.months}"


class CompensationPayment(models.Model):
    """One month's non-compete compensation paid to the former employee."""

    terms = models.ForeignKey(NonCompeteTerms, on_delete=models.CASCADE, related_name="payments")
    month = models.DateField(_("所属月份"), help_text=_("该月第一天"))
    amount = models.DecimalField(_("金额（元）"), max_digits=12, decimal_places=2)
    paid_on = models.DateField(_("支付日期"))
    reference = models.CharField(_("凭证号"), max_length=64, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["terms", "month"]
        verbose_name = _("竞业补偿支付")
        verbose_name_plural = _("竞业补偿支付")
        constraints = [models.UniqueConstraint(fields=["terms", "month"], name="payment_one_per_month")]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.amount}"
