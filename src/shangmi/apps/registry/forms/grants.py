"""The form that entrusts a person or a position with a secret (知悉范围)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.forms.base import DateInput, StyledForm, member_choices


class GrantForm(StyledForm):
    user = forms.ChoiceField(
        label=_("人员"), required=False, help_text=_("选择一名人员，或在下方填写一个岗位")
    )
    position = forms.CharField(
        label=_("岗位"), max_length=64, required=False, help_text=_("与成员的职务完全一致，如“工程师”")
    )
    reason = forms.CharField(label=_("知悉事由"), max_length=200, required=False)
    expires_on = forms.DateField(
        label=_("有效期至"), required=False, widget=DateInput, help_text=_("留空表示长期有效")
    )

    required_marks = ("reason",)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].choices = member_choices(organisation, blank="—")

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["user"] = int(data["user"]) if data["user"] else None
        return data
