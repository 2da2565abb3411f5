from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
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


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=64)
    email = forms.CharField(label=_("电子邮箱"), max_length=254, required=False)
    phone = forms.CharField(label=_("手机号"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"))
    department = forms.CharField(label=_("部门"), max_length=64, required=False)
    title = forms.CharField(label=_("职务"), max_length=64, required=False)

    def __init__(self, *args, roles=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = list(roles)

    def clean(self):
        data = super().clean()
        if not data.get("email") and not data.get("phone"):
            raise forms.ValidationError(_("需要电子邮箱或手机号至少一项"))
        return data


class OrganisationForm(forms.Form):
    kind = forms.ChoiceField(label=_("类型"))
    name = forms.CharField(label=_("名称"), max_length=128)
    short_code = forms.CharField(label=_("简称代码"), max_length=16, help_text=_("大写字母与数字，如 LXWY"))
    region = forms.CharField(
        label=_("所在地 / 管辖区域代码"),
        max_length=6,
        required=False,
        help_text=_("GB/T 2260 六位代码，如 330602（越城区）"),
    )
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=18, required=False)
    industry = forms.CharField(label=_("行业"), max_length=64, required=False)
    admin_name = forms.CharField(label=_("首位管理员姓名"), max_length=64)
    admin_email = forms.CharField(label=_("管理员电子邮箱"), max_length=254, required=False)
    admin_phone = forms.CharField(label=_("管理员手机号"), max_length=20, required=False)

    def __init__(self, *args, kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = list(kinds)

    def clean(self):
        data = super().clean()
        if not data.get("admin_email") and not data.get("admin_phone"):
            raise forms.ValidationError(_("管理员需要电子邮箱或手机号至少一项"))
        return data


def merge_validation_error(form: forms.Form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: per field where the field exists, else on top."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error)
