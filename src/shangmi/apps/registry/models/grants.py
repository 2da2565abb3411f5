"""Access grants (知悉范围): who may know a secret, and whether they acknowledged it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccessGrant(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    secret = models.ForeignKey("registry.TradeSecret", on_delete=models.CASCADE, related_name="grants")
    # Either a person or a position (the member's 职务, matched exactly).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    position = models.CharField(_("岗位"), max_length=64, blank=True)
    reason = models.CharField(_("知悉事由"), max_length=200)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("授权人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(_("授权时间"), default=timezone.now)
    expires_on = models.DateField(_("有效期至"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    acknowledged_ip = models.GenericIPAddressField(_("确认 IP"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)

    class Meta:
        ordering = ["secret", "-granted_at"]
        verbose_name = _("知悉授权")
        verbose_name_plural = _("知悉授权")
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(position="")) | (Q(user__isnull=True) & ~Q(position="")),
                name="grant_to_person_or_position",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "user"], name="grant_org_user"),
            models.Index(fields=["organisation", "position"], name="grant_org_position"),
        ]

    def __str__(self) -> str:
        return f"{self.grantee} → {self.secret_id}"

    @property
    def grantee(self) -> str:
        return str(self.user) if self.user_id else f"[{self.position}]"

    def acknowledgement_time(self, user_id: int):
        """When that person acknowledged this grant, or None. A personal grant carries its own date (also
        when imported from a paper register); a position grant has one acknowledgement per holder."""
        if self.user_id:
            return self.acknowledged_at if self.user_id == user_id else None
        ack = self.acknowledgements.filter(user_id=user_id).first()
        return ack.at if ack else None

    def is_active(self, today=None) -> bool:
        today = today or timezone.localdate()
        return self.revoked_at is None and (self.expires_on is None or self.expires_on >= today)


class GrantAcknowledgement(models.Model):
    """One person's acknowledgement of one grant, made while logged in. A grant to a position is
    acknowledged by each holder in turn; a grant becomes active for a person only once they acknowledged
    it. The text shown is identified by its version and the SHA-256 of the exact words."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    grant = models.ForeignKey(AccessGrant, on_delete=models.CASCADE, related_name="acknowledgements")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="+"
    )
    at = models.DateTimeField(_("确认时间"), default=timezone.now)
    ip = models.GenericIPAddressField(_("确认 IP"), null=True, blank=True)
    text_version = models.CharField(_("确认书版本"), max_length=32)
    text_sha256 = models.CharField(_("确认书 SHA-256"), max_length=64)

    class Meta:
        ordering = ["grant", "at"]
        verbose_name = _("知悉确认")
        verbose_name_plural = _("知悉确认")
        constraints = [models.UniqueConstraint(fields=["grant", "user"], name="grant_ack_once")]
        indexes = [models.Index(fields=["organisation", "user"], name="grant_ack_org_user")]

    def __str__(self) -> str:
        return f"{self.user_id} ✓ {self.grant_id}"
