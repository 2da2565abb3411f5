from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from shangmi.apps.accounts.identifiers import canonical_login


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("电子邮箱或手机号"),
        max_length=254,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("账号或密码不正确。请注意：连续多次失败后账户将被暂时锁定。"),
        "inactive": _("该账户已停用，请联系管理员。"),
    }

    def clean_username(self) -> str:
        # authenticate() and the login throttle (django-axes keys on the credentials) see one spelling.
        return canonical_login(self.cleaned_data["username"])


class OtpForm(forms.Form):
    code = forms.CharField(
        label=_("验证码"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text=_("身份验证器中的 6 位数字，或一个 10 位恢复码"),
    )


class TokenForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=64, help_text=_("例如：研发部文件哈希脚本"))
    days = forms.IntegerField(label=_("有效期（天）"), initial=90)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_days = settings.API_TOKEN_MAX_DAYS
        self.fields["days"].widget.attrs.update({"min": 1, "max": self.max_days})

    def clean_days(self) -> int:
        days = self.cleaned_data["days"]
        if not 1 <= days <= self.max_days:
            raise forms.ValidationError(_("有效期应为 1 至 %(max)s 天") % {"max": self.max_days})
        return days
