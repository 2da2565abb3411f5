"""Departments, positions with their sensitivity, and employees (optionally linked to a user account)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models.choices import EmployeeState, Sensitivity


class Department(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("部门名称"), max_length=64)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="department_unique")]

    def __str__(self) -> str:
        return self.name


class Position(models.Model):
    """A position (岗位). Its name is what the register's position grants and Membership.title match."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("岗位名称"), max_length=64)
    sensitivity = models.CharField(
        _("涉密等级"), max_length=16, choices=Sensitivity.choices, default=Sensitivity.NONE
    )
    description = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="position_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_sensitive(self) -> bool:
        return self.sensitivity != Sensitivity.NONE


class Employee(models.Model):
    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("工号"), max_length=32)
    name = models.CharField(_("姓名"), max_length=64)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    email = models.EmailField(_("电子邮箱"), blank=True)
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    position = models.ForeignKey(
        Position, verbose_name=_("岗位"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    is_key_person = models.BooleanField(_("关键人员"), default=False)
    # Sales and account managers: the departure audit lists the customers to notify.
    customer_facing = models.BooleanField(_("客户岗位（销售等）"), default=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("关联账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=16, choices=EmployeeState.choices, default=EmployeeState.ONBOARDING
    )
    hired_on = models.DateField(_("入职日期"))
    resignation_on = models.DateField(_("提出离职日期"), null=True, blank=True)
    last_day = models.DateField(_("最后工作日"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), default=timezone.now)

    class Meta:
        ordering = ["organisation", "number"]
        verbose_name = _("员工")
        verbose_name_plural = _("员工")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="employee_number_unique"),
            models.UniqueConstraint(
                fields=["organisation", "user"], condition=Q(user__isnull=False), name="employee_user_unique"
            ),
        ]
        indexes = [models.Index(fields=["organisation", "state"], name="employee_org_state")]

    def __str__(self) -> str:
        return f"{self.name}（{self.number}）"

    @property
    def is_entrusted(self) -> bool:
        """An entrusted person (涉密人员): key personnel or holding a sensitive position."""
        return self.is_key_person or (self.position is not None and self.position.is_sensitive)
