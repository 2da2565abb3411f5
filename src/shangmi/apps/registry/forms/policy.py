"""The register's settings form: code pattern, designation group, reminder horizon."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.forms.base import StyledForm, member_choices


class PolicyForm(StyledForm):
    code_pattern = forms.CharField(
        label=_("编号规则"),
        max_length=64,
        required=False,
        help_text=_(
            "可用占位符：{ORG} 组织简称代码、{YEAR} 年份、{CAT} 类别（JS 技术 / JY 经营）、{NNNN} 流水号（N 的个数为位数）"
        ),
    )
    reviewers = forms.MultipleChoiceField(
        label=_("定密审查小组"),
        required=False,
        help_text=_("按住 Ctrl 或 ⌘ 多选。不选任何人时，由保密员审查。"),
    )
    reviews_required = forms.IntegerField(label=_("所需审查通过人数"), required=False)
    reminder_days = forms.IntegerField(label=_("提前提醒天数"), required=False)

    required_marks = ("code_pattern", "reviews_required", "reminder_days")

    def __init__(self, *args, policy, **kwargs):
        initial = {
            "code_pattern": policy.code_pattern,
            "reviewers": [str(u.pk) for u in policy.reviewers.all()],
            "reviews_required": policy.reviews_required,
            "reminder_days": policy.reminder_days,
        }
        super().__init__(*args, initial=initial, **kwargs)
        choices = member_choices(policy.organisation)
        self.fields["reviewers"].choices = choices
        self.fields["reviewers"].widget.attrs["size"] = min(12, max(4, len(choices)))

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["reviewers"] = [int(pk) for pk in data["reviewers"]]
        return data
