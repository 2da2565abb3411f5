"""Each step of a self-check (start, submit, invite, review) leaves a timeline row holding the canonical
record whose digests were deposited in the evidence log, so a dossier can show its receipt."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssessmentEventKind(models.TextChoices):
    START = "start", _("开始体检")
    SUBMIT = "submit", _("提交体检")
    INVITE = "invite", _("邀请评审")
    REVIEW = "review", _("完成评审")
    REOPEN = "reopen", _("退回修改")


class AssessmentEvent(models.Model):
    assessment = models.ForeignKey("assessment.Assessment", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事项"), max_length=16, choices=AssessmentEventKind.choices)
    summary = models.CharField(_("摘要"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(_("操作人"), max_length=128, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)
    # The exact UTF-8 canonical JSON whose digests were deposited: `shangmi verify record.json receipt`.
    record = models.TextField(_("规范记录"))
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        ordering = ["assessment", "at", "id"]
        verbose_name = _("体检记录")
        verbose_name_plural = _("体检记录")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.at:%Y-%m-%d}"
