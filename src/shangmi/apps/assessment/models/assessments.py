"""A self-check (自我体检) of one enterprise against one framework version, and its answers.

The framework's questions are copied into the assessment when it starts (`framework_data`), so editing or
replacing a framework file never changes a past self-check or its score."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AssessmentState(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    REVIEWED = "reviewed", _("已评审")


class AnswerSource(models.TextChoices):
    OFFICER = "officer", _("人工填写")
    SYSTEM = "system", _("采用系统数据")
    OVERRIDDEN = "overridden", _("改写系统建议")


class Assessment(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    title = models.CharField(_("名称"), max_length=100)
    framework_key = models.CharField(_("体检框架"), max_length=64)
    framework_version = models.CharField(_("框架版本"), max_length=32)
    framework_name = models.CharField(_("框架名称"), max_length=128)
    # SHA-256 of the framework file the questions came from, and the questions themselves (Framework.to_json).
    framework_sha256 = models.CharField(max_length=64)
    framework_data = models.JSONField()
    state = models.CharField(
        _("状态"), max_length=16, choices=AssessmentState.choices, default=AssessmentState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # Frozen at submission: overall 0–100 and {domain key: score or None}.
    score = models.FloatField(_("总分"), null=True, blank=True)
    domain_scores = models.JSONField(default=dict, blank=True)
    # Opt-ins chosen at submission: the regulator of the enterprise's region may see the scores; the
    # enterprise declares it implements the provincial standard (counted as 贯标企业 by the bases programme).
    shared_with_regulator = models.BooleanField(_("向辖区监管部门共享得分"), default=False)
    declares_standard = models.BooleanField(_("声明已贯彻实施地方标准"), default=False)
    # The organisation invited to review it (a service provider or a regulator), and its opinion.
    reviewer_organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("评审机构"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("评审时间"), null=True, blank=True)
    review_opinion = models.TextField(_("评审意见"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("自我体检")
        verbose_name_plural = _("自我体检")
        indexes = [
            models.Index(fields=["organisation", "state", "submitted_at"], name="assessment_org_state"),
            models.Index(fields=["reviewer_organisation", "state"], name="assessment_reviewer"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.state == AssessmentState.DRAFT


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    question_id = models.CharField(_("题号"), max_length=32)
    # The chosen answer (a choice key of the question); blank while unanswered.
    choice = models.CharField(_("答案"), max_length=32, blank=True)
    source = models.CharField(
        _("来源"), max_length=16, choices=AnswerSource.choices, default=AnswerSource.OFFICER
    )
    # What the platform proposed from its own data when the answer was given, kept beside the answer.
    proposed_choice = models.CharField(max_length=32, blank=True)
    proposed_figure = models.CharField(_("系统数据"), max_length=200, blank=True)
    override_reason = models.CharField(_("改写理由"), max_length=500, blank=True)
    note = models.CharField(_("说明与证据"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("填写时间"), default=timezone.now)

    class Meta:
        ordering = ["assessment", "question_id"]
        verbose_name = _("体检答案")
        verbose_name_plural = _("体检答案")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "question_id"], name="answer_unique_question")
        ]

    def __str__(self) -> str:
        return f"{self.question_id}={self.choice}"
