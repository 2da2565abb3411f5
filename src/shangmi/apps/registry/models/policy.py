"""Per-organisation register settings: the code pattern and the designation group."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_CODE_PATTERN = "{ORG}-{YEAR}-{NNNN}"


class RegisterPolicy(models.Model):
    organisation = models.OneToOneField(
        "accounts.Organisation", on_delete=models.CASCADE, related_name="register_policy"
    )
    code_pattern = models.CharField(
        _("编号规则"),
        max_length=64,
        default=DEFAULT_CODE_PATTERN,
        help_text=_(
            "可用占位符：{ORG} 组织简称代码、{YEAR} 年份、{CAT} 类别（JS 技术 / JY 经营）、{NNNN} 流水号（N 的个数为位数）"
        ),
    )
    # The designation group (定密工作小组). Empty: every secrecy officer reviews.
    reviewers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("定密审查小组")
    )
    reviews_required = models.PositiveSmallIntegerField(_("所需审查通过人数"), default=1)
    reminder_days = models.PositiveSmallIntegerField(_("提前提醒天数"), default=30)

    class Meta:
        verbose_name = _("台账设置")
        verbose_name_plural = _("台账设置")

    def __str__(self) -> str:
        return f"register policy of {self.organisation_id}"


class CodeCounter(models.Model):
    """The last sequence number handed out per organisation, pattern prefix and year."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=64)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "scope"], name="one_counter_per_scope")
        ]

    def __str__(self) -> str:
        return f"{self.scope}: {self.last}"
