"""Forms of agreements, non-compete terms and payments, and external parties. The actions check every
value and name the field; the forms only collect."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models import Employee, ExternalParty
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    EmployeeState,
    NonCompeteDecision,
    PartyKind,
)
from shangmi.apps.registry.forms.base import DateInput, StyledForm


class MonthInput(forms.DateInput):
    input_type = "month"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m")


class PartyForm(StyledForm):
    kind = forms.ChoiceField(label=_("类型"), choices=[("", "—"), *PartyKind.choices], required=False)
    name = forms.CharField(label=_("名称"), max_length=128, required=False)
    credit_code = forms.CharField(label=_("统一社会信用代码 / 身份证件号"), max_length=32, required=False)
    contact = forms.CharField(label=_("联系人"), max_length=64, required=False)
    phone = forms.CharField(label=_("联系电话"), max_length=20, required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    required_marks = ("kind", "name")


class AgreementForm(StyledForm):
    kind = forms.ChoiceField(label=_("协议类型"), choices=[("", "—"), *AgreementKind.choices], required=False)
    employee = forms.ChoiceField(
        label=_("员工"),
        required=False,
        help_text=_("员工保密合同、竞业限制协议、不侵犯他人商业秘密承诺书、离职保密承诺书与员工签订"),
    )
    party = forms.ChoiceField(
        label=_("外部单位"), required=False, help_text=_("委托加工保密合同、商务合作保密协议与外部单位签订")
    )
    number = forms.CharField(
        label=_("协议编号"), max_length=40, required=False, help_text=_("留空则自动编号：AGR-年份-序号")
    )
    effective_on = forms.DateField(label=_("生效日期"), widget=DateInput, required=False)
    expires_on = forms.DateField(label=_("到期日期"), widget=DateInput, required=False)
    scope = forms.CharField(
        label=_("竞业限制范围"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("仅竞业限制协议：限制从事的业务、产品或竞争单位"),
    )
    region = forms.CharField(label=_("地域范围"), max_length=200, required=False)
    months = forms.CharField(label=_("期限（月，最长 24）"), max_length=6, required=False)
    monthly_compensation = forms.CharField(
        label=_("月补偿金（元）"),
        max_length=20,
        required=False,
        help_text=_("不低于离职前十二个月平均工资的 30%，且不低于当地最低工资标准"),
    )

    NON_COMPETE_FIELDS = ("scope", "region", "months", "monthly_compensation")

    def __init__(self, *args, member, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation_id = member.organisation_id
        employees = Employee.objects.filter(organisation_id=self.organisation_id).order_by("number")
        self.fields["employee"].choices = [("", "—")] + [
            (
                str(e.pk),
                f"{e.name}（{e.number}）"
                + (" · " + str(_("已离职")) if e.state == EmployeeState.LEFT else ""),
            )
            for e in employees
        ]
        parties = ExternalParty.objects.filter(organisation_id=self.organisation_id).order_by("name")
        self.fields["party"].choices = [("", "—")] + [(str(p.pk), p.name) for p in parties]

    def action_fields(self) -> dict:
        data = dict(self.cleaned_data)
        employee_id, party_id = data.pop("employee"), data.pop("party")
        data["employee"] = (
            Employee.objects.filter(organisation_id=self.organisation_id, pk=employee_id).first()
            if employee_id
            else None
        )
        data["party"] = (
            ExternalParty.objects.filter(organisation_id=self.organisation_id, pk=party_id).first()
            if party_id
            else None
        )
        return data

    @property
    def main_fields(self):
        return [self[name] for name in self.fields if name not in self.NON_COMPETE_FIELDS]

    @property
    def non_compete_fields(self):
        return [self[name] for name in self.NON_COMPETE_FIELDS]


class SignForm(StyledForm):
    file = forms.FileField(
        label=_("签署扫描件"), required=False, help_text=_("PDF 或图片（PNG/JPG），最大 20 MB；其摘要将存证")
    )
    signed_on = forms.DateField(
        label=_("签署日期"), widget=DateInput, initial=timezone.localdate, required=False
    )

    required_marks = ("file", "signed_on")


class TerminateForm(StyledForm):
    reason = forms.CharField(label=_("终止原因"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    required_marks = ("reason",)


class PaymentForm(StyledForm):
    month = forms.DateField(
        label=_("所属月份"), widget=MonthInput, input_formats=["%Y-%m", "%Y-%m-%d"], required=False
    )
    amount = forms.CharField(label=_("金额（元）"), max_length=20, required=False)
    paid_on = forms.DateField(
        label=_("支付日期"), widget=DateInput, initial=timezone.localdate, required=False
    )
    reference = forms.CharField(label=_("凭证号"), max_length=64, required=False)

    required_marks = ("month", "amount", "paid_on")


class DecideForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("离职时决定"),
        choices=[
            (NonCompeteDecision.ENFORCE.value, NonCompeteDecision.ENFORCE.label),
            (NonCompeteDecision.WAIVE.value, NonCompeteDecision.WAIVE.label),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    reason = forms.CharField(
        label=_("理由"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("放弃竞业限制时必填"),
    )

    required_marks = ("decision",)


AGREEMENT_FILTERS = ("q", "kind", "state", "unpaid")
STATE_CHOICES = AgreementState.choices
KIND_CHOICES = AgreementKind.choices
