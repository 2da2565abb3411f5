"""Scoring runs over an organisation's events, the alerts they raise, and their triage."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("低")
    MEDIUM = "medium", _("中")
    HIGH = "high", _("高")
    CRITICAL = "critical", _("严重")


SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class AlertState(models.TextChoices):
    OPEN = "open", _("待处理")
    ASSIGNED = "assigned", _("已指派")
    ESCALATED = "escalated", _("已升级")
    DISMISSED = "dismissed", _("已排除")


class ScoringRun(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        RUNNING = "running", _("运行中")
        DONE = "done", _("完成")
        FAILED = "failed", _("失败")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    users = models.PositiveIntegerField(_("评分人数"), default=0)
    events = models.BigIntegerField(_("事件数"), default=0)
    alerts = models.PositiveIntegerField(_("告警数"), default=0)
    parameters = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("评分运行")
        verbose_name_plural = _("评分运行")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_state_display()}"


class Alert(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    run = models.ForeignKey(ScoringRun, null=True, on_delete=models.SET_NULL, related_name="+")
    # The account name in the logs, and the personnel record it was matched to (by staff number or
    # e-mail), when there is one.
    user_key = models.CharField(_("日志账号"), max_length=100)
    employee = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    person_label = models.CharField(_("人员"), max_length=200, blank=True)
    score = models.FloatField(_("风险分"))
    severity = models.CharField(_("严重程度"), max_length=16, choices=Severity.choices)
    window_start = models.DateField(_("起始日"))
    window_end = models.DateField(_("截止日"))
    last_day = models.DateField(_("最后工作日"), null=True, blank=True)
    # The engine's explanation: indicators (value, weight, contribution), top events, secrets involved.
    explanation = models.JSONField(default=dict)
    state = models.CharField(
        _("处理状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("产生时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("更新时间"), default=timezone.now)

    class Meta:
        ordering = ["-score", "-id"]
        verbose_name = _("风险告警")
        verbose_name_plural = _("风险告警")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user_key", "window_start"], name="alert_unique_window"
            )
        ]
        indexes = [models.Index(fields=["organisation", "state", "severity"], name="alert_org_state")]

    def __str__(self) -> str:
        return f"{self.user_key} {self.get_severity_display()} {self.score:.0f}"


class AlertNote(models.Model):
    """One triage step: assigned, dismissed (with the reason), escalated, reopened, or a comment."""

    class Action(models.TextChoices):
        ASSIGN = "assign", _("指派")
        DISMISS = "dismiss", _("排除")
        ESCALATE = "escalate", _("升级")
        REOPEN = "reopen", _("重新打开")
        COMMENT = "comment", _("备注")
        RAISED = "raised", _("系统产生或更新")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="notes")
    action = models.CharField(_("处理"), max_length=16, choices=Action.choices)
    text = models.TextField(_("说明"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=128, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["alert", "at", "id"]
        verbose_name = _("告警处理记录")
        verbose_name_plural = _("告警处理记录")

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.at:%Y-%m-%d}"
