"""Fingerprint indexes of an organisation's registered material and the scans of suspect material
against them. The index files, scan results (JSON) and HTML reports live under the data directory;
the rows hold where they are, their digests and how the work went."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("进行中")
    DONE = "done", _("完成")
    FAILED = "failed", _("失败")


class FingerprintIndex(models.Model):
    """Registered material fingerprinted (engines.fingerprint.index): built by the worker from a server
    folder, or uploaded after the enterprise built it with `shangmi fp index` (keyed or not)."""

    class Kind(models.TextChoices):
        FOLDER = "folder", _("由服务器目录建立")
        UPLOAD = "upload", _("上传的指纹库")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("来源"), max_length=16, choices=Kind.choices)
    folder = models.CharField(_("登记材料目录"), max_length=500, blank=True)
    public_folder = models.CharField(_("公知材料目录"), max_length=500, blank=True)
    # The per-case secret (hex) of a keyed index; suspects are fingerprinted with it. Never shown.
    case_key = models.CharField(max_length=256, blank=True)
    key_id = models.CharField(_("密钥标识"), max_length=32, blank=True)
    path = models.CharField(max_length=1000, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    items = models.IntegerField(_("条目数"), default=0)
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    progress = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("指纹库")
        verbose_name_plural = _("指纹库")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="fpindex_unique_name")]

    def __str__(self) -> str:
        return self.name

    @property
    def keyed(self) -> bool:
        return bool(self.case_key)


class ForensicScan(models.Model):
    """Suspect material (a server folder or ZIP) scanned against one index."""

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    index = models.ForeignKey(FingerprintIndex, on_delete=models.PROTECT, related_name="scans")
    name = models.CharField(_("名称"), max_length=100)
    suspect = models.CharField(_("可疑材料路径"), max_length=500)
    state = models.CharField(_("状态"), max_length=16, choices=JobState.choices, default=JobState.QUEUED)
    # files done / total, bytes done / total, while running
    progress = models.JSONField(default=dict, blank=True)
    # counts of the result: files, matched files, pairs, pairs above the threshold, skipped, top score
    summary = models.JSONField(default=dict, blank=True)
    result_sha256 = models.CharField(max_length=64, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    deposit = models.ForeignKey(
        "evidence.Deposit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("比对任务")
        verbose_name_plural = _("比对任务")

    def __str__(self) -> str:
        return self.name

    @property
    def active(self) -> bool:
        return self.state in (JobState.QUEUED, JobState.RUNNING)
