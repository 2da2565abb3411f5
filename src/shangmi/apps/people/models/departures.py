"""The departure audit (离职审计): opened when a resignation is recorded, closed when every mandatory
item of its checklist is done; the closed audit is deposited in the evidence log."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models.choices import DepartureState, ItemKind, ItemOutcome


class Departure(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    employee = models.ForeignKey("people.Employee", on_delete=models.PROTECT, related_name="departures")
    state = models.CharField(
        _("状态"), max_length=16, choices=DepartureState.choices, default=DepartureState.OPEN
    )
    resignation_on = models.DateField(_("提出离职日期"))
    last_day = models.DateField(_("最后工作日"))
    reason = models.CharField(_("离职原因"), max_length=200, blank=True)
    opened_at = models.DateTimeField(_("开启时间"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    interview_notes = models.TextField(_("离职面谈记录"), blank=True)
    closed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation", "-opened_at"]
        verbose_name = _("离职审计")
        verbose_name_plural = _("离职审计")
        indexes = [models.Index(fields=["organisation", "state"], name="departure_org_state")]

    def __str__(self) -> str:
        return f"{self.employee} {self.last_day}"


class DepartureItem(models.Model):
    """One line of the checklist. Carrier and grant items point at the register row they concern."""

    departure = models.ForeignKey(Departure, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("事项"), max_length=16, choices=ItemKind.choices)
    subject = models.CharField(_("对象"), max_length=200, blank=True)
    mandatory = models.BooleanField(_("必须完成"), default=True)
    position = models.PositiveSmallIntegerField(default=0)
    carrier = models.ForeignKey(
        "registry.Carrier", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    grant = models.ForeignKey(
        "registry.AccessGrant", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agreement = models.ForeignKey(
        "people.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome = models.CharField(_("结果"), max_length=16, choices=ItemOutcome.choices, blank=True)
    note = models.TextField(_("说明"), blank=True)
    # An uploaded file (e.g. a log excerpt for the access review), kept by its SHA-256 and deposited.
    file_name = models.CharField(_("附件"), max_length=200, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    file_deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    # What another part of the platform found for this item (monitoring's 90-day review of the person's
    # activity: {"source", "reviewed_at", "window", "summary", "alerts": [{severity, score, url, …}]}).
    findings = models.JSONField(_("审查发现"), default=dict, blank=True)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["departure", "position", "id"]
        verbose_name = _("离职审计事项")
        verbose_name_plural = _("离职审计事项")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.subject}"

    @property
    def is_done(self) -> bool:
        return self.done_at is not None
