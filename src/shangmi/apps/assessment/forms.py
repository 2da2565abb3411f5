"""Forms of the self-check pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.accounts.models import Organisation
from shangmi.apps.assessment.framework import available_frameworks
from shangmi.apps.assessment.permissions import REVIEWER_KINDS
from shangmi.apps.registry.forms.base import StyledForm


class StartForm(StyledForm):
    framework = forms.ChoiceField(label=_("体检框架"))
    title = forms.CharField(label=_("名称"), max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        latest: dict[str, object] = {}
        for f in available_frameworks():  # sorted by (key, version): the last one per key wins
            latest[f.key] = f
        self.fields["framework"].choices = [(f.key, f"{f.name}（{f.version}）") for f in latest.values()]


class AnswerForm(StyledForm):
    question = forms.CharField(max_length=32)
    choice = forms.CharField(max_length=32, required=False)
    note = forms.CharField(max_length=1000, required=False)
    override_reason = forms.CharField(max_length=500, required=False)


class SubmitForm(StyledForm):
    shared_with_regulator = forms.BooleanField(
        label=_("向本辖区市场监管部门共享得分（仅总分与各领域得分）"), required=False
    )
    declares_standard = forms.BooleanField(label=_("声明本企业已贯彻实施 DB33/T 2277-2020"), required=False)


class InviteForm(StyledForm):
    reviewer = forms.ModelChoiceField(
        label=_("评审机构"),
        queryset=Organisation.objects.filter(kind__in=REVIEWER_KINDS, is_active=True).order_by(
            "kind", "name"
        ),
        empty_label=_("请选择服务机构或监管部门"),
    )


class ReviewForm(StyledForm):
    opinion = forms.CharField(label=_("评审意见"), widget=forms.Textarea(attrs={"rows": 5}), max_length=5000)
