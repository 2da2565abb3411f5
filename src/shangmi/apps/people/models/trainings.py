"""Training sessions (保密培训) and who attended, with an optional quiz and pass mark."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Training(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    topic = models.CharField(_("培训主题"), max_length=200)
    held_on = models.DateField(_("培训日期"))
    trainer = models.CharField(_("培训人"), max_length=64)
    hours = models.DecimalField(_("学时"), max_digits=4, decimal_places=1, default=1)
    materials = models.TextField(_("培训材料"), blank=True, help_text=_("提纲、课件名称或链接"))
    # Materials uploaded as a file are kept in the data directory by their SHA-256.
    material_name = models.CharField(_("材料文件"), max_length=200, blank=True)
    material_sha256 = models.CharField(max_length=64, blank=True)
    pass_mark = models.PositiveSmallIntegerField(
        _("及格分"), null=True, blank=True, help_text=_("有测验时填写（满分 100）")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "-held_on", "-id"]
        verbose_name = _("培训")
        verbose_name_plural = _("培训")

    def __str__(self) -> str:
        return f"{self.held_on} {self.topic}"


class Attendance(models.Model):
    training = models.ForeignKey(Training, on_delete=models.CASCADE, related_name="attendances")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="attendances")
    score = models.PositiveSmallIntegerField(_("测验成绩"), null=True, blank=True)
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["training", "employee"]
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [models.UniqueConstraint(fields=["training", "employee"], name="attendance_once")]

    def __str__(self) -> str:
        return f"{self.training_id}: {self.employee_id}"

    @property
    def passed(self) -> bool | None:
        """None when the training has no quiz; otherwise whether the score reached the pass mark."""
        if self.training.pass_mark is None:
            return None
        return self.score is not None and self.score >= self.training.pass_mark
