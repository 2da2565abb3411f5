"""Carriers (载体): where a secret physically or electronically lives."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.models.choices import CarrierKind, CarrierState, DestroyMethod, MarkingState


def new_label_token() -> str:
    return secrets.token_urlsafe(18)


class Carrier(models.Model):
    # The organisation is repeated here so that tenant filters and the register's carrier queries need
    # no join through the secret.
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    secret = models.ForeignKey("registry.TradeSecret", on_delete=models.PROTECT, related_name="carriers")
    code = models.CharField(_("载体编号"), max_length=80)
    kind = models.CharField(_("载体类型"), max_length=16, choices=CarrierKind.choices)
    name = models.CharField(_("载体名称"), max_length=200)
    location = models.CharField(_("存放位置"), max_length=200, blank=True)
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("保管人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    marking = models.CharField(
        _("标识状态"), max_length=16, choices=MarkingState.choices, default=MarkingState.UNMARKED
    )
    copies = models.PositiveIntegerField(_("份数"), default=1)
    # Electronic carriers: digests computed on the enterprise's side, and the deposit that anchors them.
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    sm3 = models.CharField("SM3", max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("大小（字节）"), null=True, blank=True)
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=CarrierState.choices, default=CarrierState.ACTIVE
    )
    destroy_method = models.CharField(_("销毁方式"), max_length=16, choices=DestroyMethod.choices, blank=True)
    destroy_witness = models.CharField(_("监销人"), max_length=64, blank=True)
    destroyed_on = models.DateField(_("销毁日期"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)
    # The QR code on a printed label points at /registry/l/<token>/: unguessable, so the public page
    # proves registration to whoever holds the label without letting anyone enumerate carriers.
    label_token = models.CharField(max_length=32, unique=True, default=new_label_token, editable=False)

    class Meta:
        ordering = ["secret", "code"]
        verbose_name = _("载体")
        verbose_name_plural = _("载体")
        constraints = [models.UniqueConstraint(fields=["organisation", "code"], name="carrier_code_per_org")]
        indexes = [models.Index(fields=["secret", "marking", "state"], name="carrier_secret_marking")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"
