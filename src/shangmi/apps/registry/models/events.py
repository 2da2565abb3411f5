"""The timeline of a secret: one row per lifecycle transition, with the canonical record deposited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.models.choices import EventKind, ReviewDecision


class SecretEvent(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    secret = models.ForeignKey("registry.TradeSecret", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=128, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The exact bytes whose digests were deposited (UTF-8 canonical JSON), so the record and its receipt
    # can be handed over and checked offline: `shangmi verify record.json record.receipt`.
    record = models.TextField(_("规范记录"))
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["secret", "at", "id"]
        verbose_name = _("台账记录")
        verbose_name_plural = _("台账记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.secret_id}"


class DesignationReview(models.Model):
    """One reviewer's opinion in the designation group, with the 非公知性 check: what was searched, what
    was found, and the conclusion."""

    secret = models.ForeignKey("registry.TradeSecret", on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(_("审查结论"), max_length=8, choices=ReviewDecision.choices)
    searched = models.TextField(
        _("检索范围"), help_text=_("检索了哪些来源与关键词：专利库、文献、网络、行业标准…")
    )
    found = models.TextField(_("检索结果"), help_text=_("找到了什么；与本信息的区别"))
    opinion = models.TextField(_("审查意见"), blank=True)
    at = models.DateTimeField(_("审查时间"), default=timezone.now)

    class Meta:
        ordering = ["secret", "at"]
        verbose_name = _("定密审查")
        verbose_name_plural = _("定密审查")
        constraints = [models.UniqueConstraint(fields=["secret", "reviewer"], name="one_review_per_reviewer")]

    def __str__(self) -> str:
        return f"{self.reviewer_id}: {self.decision}"
