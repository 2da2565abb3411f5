"""Forms of the monitoring pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.monitoring.models import AlertState, LogSource, Severity
from shangmi.apps.monitoring.models.sources import Preset
from shangmi.apps.registry.forms.base import StyledForm


class SourceForm(StyledForm):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("方式"), choices=LogSource.Kind.choices)
    preset = forms.ChoiceField(label=_("格式"), choices=Preset.choices)
    folder = forms.CharField(
        label=_("服务器目录（监视目录时填写）"),
        max_length=500,
        required=False,
        help_text=_("绝对路径，由后台任务定期读取新文件"),
    )


class UploadForm(StyledForm):
    file = forms.FileField(
        label=_("日志文件"),
        help_text=_("CERT r6 格式请上传整个目录的 ZIP；DLP 为 CSV；标准化事件为 JSON Lines"),
    )


class SettingsForm(StyledForm):
    own_domains = forms.CharField(
        label=_("本单位域名"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    competitor_domains = forms.CharField(
        label=_("竞争对手域名"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    watchlist = forms.CharField(
        label=_("重点关注人员（日志账号）"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    extra_register = forms.CharField(
        label=_("其他涉密路径（路径模式,密级）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "class": "mono"}),
    )
    weights = forms.CharField(
        label=_("指标权重（JSON，留空用默认值）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
    )


class AlertFilterForm(StyledForm):
    severity = forms.ChoiceField(
        label=_("严重程度"), choices=[("", _("全部"))] + Severity.choices, required=False
    )
    state = forms.ChoiceField(
        label=_("处理状态"), choices=[("", _("全部"))] + AlertState.choices, required=False
    )
    q = forms.CharField(label=_("账号或姓名"), required=False, max_length=100)
