"""Annual targets per district and level, as the city bureau hands them down (annex 1 of the Shaoxing
notice: provincial, city and county bases and 贯标企业 per district)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TargetLevel(models.TextChoices):
    PROVINCE = "province", _("省级基地")
    CITY = "city", _("市级基地")
    COUNTY = "county", _("县级基地")
    STANDARD = "standard", _("贯标企业")


class BaseTarget(models.Model):
    owner = models.ForeignKey("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    district = models.ForeignKey(
        "accounts.Region", verbose_name=_("区县"), on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(_("类别"), max_length=16, choices=TargetLevel.choices)
    count = models.PositiveIntegerField(_("目标数"))

    class Meta:
        ordering = ["year", "district_id", "level"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "year", "district", "level"], name="base_target_unique")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.district_id} {self.level} {self.count}"
