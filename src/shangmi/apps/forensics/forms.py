"""Forms of the forensics pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.forms.base import StyledForm

FOLDER_HELP = _("服务器上的目录或 ZIP 文件；相对路径从本单位的 forensics 收件目录算起")


class FolderIndexForm(StyledForm):
    required_marks = ("name", "folder")
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    folder = forms.CharField(label=_("登记材料目录"), max_length=500, required=False, help_text=FOLDER_HELP)
    public_folder = forms.CharField(
        label=_("公知材料目录（可选）"),
        max_length=500,
        required=False,
        help_text=_("开源代码、公开标准等：其中出现的指纹不作为匹配报告"),
    )
    keyed = forms.BooleanField(
        label=_("使用案件密钥（隐私模式）"),
        required=False,
        help_text=_("指纹用每案密钥加密（HMAC），指纹库交给鉴定机构也不泄露内容"),
    )


class UploadIndexForm(StyledForm):
    required_marks = ("name", "file")
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    file = forms.FileField(
        label=_("指纹库文件"), required=False, help_text=_("由 shangmi fp index 在本单位生成")
    )
    case_key = forms.CharField(
        label=_("案件密钥（带密钥的指纹库填写）"),
        max_length=512,
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "class": "mono"}),
        help_text=_("shangmi fp keygen 输出的十六进制字符串"),
    )


class ScanForm(StyledForm):
    required_marks = ("name", "suspect")
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    index = forms.ModelChoiceField(label=_("指纹库"), queryset=None, empty_label=None)
    suspect = forms.CharField(
        label=_("可疑材料（目录或 ZIP）"), max_length=500, required=False, help_text=FOLDER_HELP
    )

    def __init__(self, *args, indexes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["index"].queryset = indexes
