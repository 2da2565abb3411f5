"""Where an organisation's logs come from (an uploaded file or a watched server folder), each upload and
how its ingestion went, and the organisation's monitoring settings. The events themselves live in the
organisation's Parquet store (engines.risk.store) under the data directory, not in the database."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Preset(models.TextChoices):
    CERT_R6 = "cert-r6", _("CMU CERT r6 目录格式")
    DLP = "dlp", _("通用 DLP 导出（CSV）")
    JSONL = "jsonl", _("标准化事件（JSON Lines）")


class LogSource(models.Model):
    class Kind(models.TextChoices):
        UPLOAD = "upload", _("上传文件")
        FOLDER = "folder", _("监视服务器目录")

    organisation = models.ForeignKey("accounts.Organisation", on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("方式"), max_length=16, choices=Kind.choices)
    preset = models.CharField(_("格式"), max_length=16, choices=Preset.choices)
    # For a watched folder: an absolute path on the server, read by the worker.
    folder = models.CharField(_("目录"), max_length=500, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    last_checked_at = models.DateTimeField(_("最近检查"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        ordering = ["organisation", "name"]
        verbose_name = pgettext_lazy("monitoring", "日志来源")
        verbose_name_plural = pgettext_lazy("monitoring", "日志来源")
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="logsource_unique_name")]

    def __str__(self) -> str:
        return self.name


class LogUpload(models.Model):
    """One file handed to the store: uploaded through the page or API, or found in a watched folder."""

    class State(models.TextChoices):
        QUEUED = "queued", _("排队中")
        INGESTED = "ingested", _("已导入")
        SKIPPED = "skipped", _("未变化，已跳过")
        FAILED = "failed", _("失败")

    source = models.ForeignKey(LogSource, on_delete=models.CASCADE, related_name="uploads")
    name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.BigIntegerField(_("大小"))
    # Where the worker reads it: the stored upload, or the file in the watched folder.
    path = models.CharField(max_length=1000)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    report = models.JSONField(default=dict, blank=True)
    error = models.CharField(_("错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("提交时间"), default=timezone.now)
    ingested_at = models.DateTimeField(_("导入时间"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("日志文件")
        verbose_name_plural = _("日志文件")

    def __str__(self) -> str:
        return self.name


class MonitoringSettings(models.Model):
    """Per organisation: its own and its competitors' domains, and the indicator weights (engine defaults
    where a weight is not set)."""

    organisation = models.OneToOneField("accounts.Organisation", on_delete=models.CASCADE, related_name="+")
    own_domains = models.TextField(_("本单位域名"), blank=True, help_text=_("每行一个，如 lanxi.example"))
    competitor_domains = models.TextField(_("竞争对手域名"), blank=True, help_text=_("每行一个"))
    watchlist = models.TextField(_("重点关注人员（日志账号）"), blank=True, help_text=_("每行一个"))
    # Paths of secret material not (yet) registered as carriers: "pattern,level" a line.
    extra_register = models.TextField(
        _("其他涉密路径"), blank=True, help_text=_("每行“路径模式,密级”，如 \\\\fs01\\研发\\图纸\\**,核心")
    )
    weights = models.JSONField(_("指标权重"), default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("监测设置")
        verbose_name_plural = _("监测设置")

    def __str__(self) -> str:
        return str(self.organisation)
