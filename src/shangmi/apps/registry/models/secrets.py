"""The trade secret (商业秘密) and its secret points (密点)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.models.choices import Category, Level, PeriodKind, SecretState, Subcategory


class TradeSecret(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    code = models.CharField(_("编号"), max_length=64)
    name = models.CharField(_("名称"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    subcategory = models.CharField(_("细类"), max_length=16, choices=Subcategory.choices)
    description = models.TextField(_("描述"), blank=True)
    level = models.CharField(_("密级"), max_length=16, choices=Level.choices)
    period_kind = models.CharField(_("保密期限"), max_length=16, choices=PeriodKind.choices)
    period_until = models.DateField(_("保密期限至"), null=True, blank=True)
    department = models.CharField(_("归属部门"), max_length=64)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    value_estimate = models.DecimalField(
        _("估值（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    value_basis = models.TextField(_("估值依据"), blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=SecretState.choices, default=SecretState.APPLIED
    )
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申请人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("申请时间"), default=timezone.now)
    designated_at = models.DateTimeField(_("定密时间"), null=True, blank=True)
    declassified_at = models.DateTimeField(_("解密时间"), null=True, blank=True)
    # Normalised text of code, name, description, department and secret points, searched by substring:
    # works for Chinese without word segmentation (a trigram GIN index serves it on PostgreSQL).
    search_text = models.TextField(editable=False, default="")
    # Its Chinese character bigrams (search.search_tokens), GIN-indexed on PostgreSQL.
    search_tokens = models.TextField(editable=False, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("商业秘密")
        verbose_name_plural = _("商业秘密")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="secret_code_per_org")]
        indexes = [
            models.Index(fields=["organisation", "-created_at", "-id"], name="secret_org_newest"),
            models.Index(fields=["organisation", "state", "level"], name="secret_org_state_level"),
            models.Index(fields=["organisation", "period_until"], name="secret_org_period"),
            # The department filter, the one people use most; a seq scan cost 49 ms at 100,000 secrets.
            models.Index(fields=["organisation", "department"], name="secret_org_department"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def period_display(self) -> str:
        if self.period_kind == PeriodKind.UNTIL_DATE and self.period_until:
            return self.period_until.isoformat()
        return str(self.get_period_kind_display())


class SecretPoint(models.Model):
    """One specific non-public element (密点) of a secret: what an appraiser compares point by point."""

    secret = models.ForeignKey(TradeSecret, on_delete=models.CASCADE, related_name="points")
    number = models.PositiveSmallIntegerField(_("序号"))
    title = models.CharField(_("密点"), max_length=200)
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        ordering = ["secret", "number"]
        verbose_name = _("密点")
        verbose_name_plural = _("密点")
        constraints = [models.UniqueConstraint(fields=["secret", "number"], name="point_number_per_secret")]

    def __str__(self) -> str:
        return f"{self.number}. {self.title}"
