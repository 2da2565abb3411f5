"""Forms for carriers (载体): registration, with optional digests for electronic ones, and 销毁."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.forms.base import DateInput, StyledForm, member_choices
from shangmi.apps.registry.models.choices import CarrierKind, DestroyMethod, MarkingState


class CarrierForm(StyledForm):
    kind = forms.ChoiceField(label=_("载体类型"), choices=[("", "—"), *CarrierKind.choices], required=False)
    name = forms.CharField(label=_("载体名称"), max_length=200, required=False)
    code = forms.CharField(
        label=_("载体编号"), max_length=80, required=False, help_text=_("留空则自动编号：台账编号-C01、-C02…")
    )
    location = forms.CharField(label=_("存放位置"), max_length=200, required=False)
    custodian = forms.ChoiceField(label=_("保管人"), required=False)
    copies = forms.IntegerField(label=_("份数"), initial=1, required=False)
    marking = forms.ChoiceField(
        label=_("标识状态"), choices=MarkingState.choices, initial=MarkingState.UNMARKED
    )
    sha256 = forms.CharField(label="SHA-256", max_length=64, required=False)
    sm3 = forms.CharField(label="SM3", max_length=64, required=False)
    size = forms.IntegerField(label=_("大小（字节）"), min_value=0, required=False)

    DIGEST_FIELDS = ("sha256", "sm3", "size")
    required_marks = ("kind", "name", "copies")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["custodian"].choices = member_choices(organisation, blank="—")
        self.fields["kind"].widget.attrs["data-carrier-kind"] = ""
        for name in self.DIGEST_FIELDS:
            self.fields[name].widget.attrs["data-digest"] = name
            if name != "size":
                self.fields[name].widget.attrs.update({"class": "form-control mono", "spellcheck": "false"})

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["custodian"] = int(data["custodian"]) if data["custodian"] else None
        return data

    @property
    def digest_fields(self):
        return [self[name] for name in self.DIGEST_FIELDS]

    @property
    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.DIGEST_FIELDS]


class DestroyForm(StyledForm):
    method = forms.ChoiceField(
        label=_("销毁方式"), choices=[("", "—"), *DestroyMethod.choices], required=False
    )
    witness = forms.CharField(label=_("监销人"), max_length=64, required=False)
    destroyed_on = forms.DateField(
        label=_("销毁日期"), widget=DateInput, initial=timezone.localdate, required=False
    )
    note = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    required_marks = ("method", "witness", "destroyed_on")
