"""Per-organisation settings of the people side; defaults apply until an officer saves them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class PeoplePolicy(models.Model):
    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    first_training_days = models.PositiveSmallIntegerField(_("入职后首次培训期限（天）"), default=30)
    unsigned_reminder_days = models.PositiveSmallIntegerField(_("协议发出后未签署提醒（天）"), default=7)
    expiry_reminder_days = models.PositiveSmallIntegerField(_("协议到期提前提醒（天）"), default=30)
    access_review_days = models.PositiveSmallIntegerField(_("离职访问审查回溯（天）"), default=90)

    class Meta:
        verbose_name = _("人员管理设置")
        verbose_name_plural = _("人员管理设置")

    def __str__(self) -> str:
        return str(self.organisation_id)


class PeopleReminderRun(models.Model):
    """The daily reminder ran for this organisation on this day (so an hourly beat sends once a day)."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["organisation", "day"], name="people_reminder_once")]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.day}"
