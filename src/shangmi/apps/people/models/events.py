"""A person's timeline: one row per step of the people side, with its canonical record deposited."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models.choices import PersonEventKind


class PersonEvent(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    # Agreements with external parties have no employee: their events hang on the agreement alone.
    employee = models.ForeignKey(
        "people.Employee", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    agreement = models.ForeignKey(
        "people.Agreement", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("事项"), max_length=16, choices=PersonEventKind.choices)
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
        ordering = ["at", "id"]
        verbose_name = _("人员记录")
        verbose_name_plural = _("人员记录")
        indexes = [models.Index(fields=["employee", "at"], name="person_event_timeline")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.employee_id}"
