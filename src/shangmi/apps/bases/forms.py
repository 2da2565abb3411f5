"""Forms of the programme's pages. Fields the action requires are checked by the action (one POST shows
every problem in the action's words), so most fields here are optional."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.bases import checklist
from shangmi.apps.bases.actions.applicant import FORM_FIELDS
from shangmi.apps.bases.models import BaseApplication, BaseKind, BaseLevel, RevokeReason
from shangmi.apps.registry.forms.base import DateInput, StyledForm

YES_NO = [("", "—"), (checklist.YES, _("是")), (checklist.NO, _("否"))]
# Labels of the form's fields per kind, as the official tables name them.
KIND_LABELS = {
    BaseKind.ZONE: {
        "name": _("园区名称"),
        "head": _("负责人"),
        "address": _("联系地址"),
        "org_type": _("园区类型"),
        "size": _("入园企业数量"),
        "output_value": _("园区产值（万元）"),
    },
    BaseKind.STATION: {
        "name": _("组织名称"),
        "head": _("法定代表人"),
        "address": _("注册地址"),
        "org_type": _("组织类型"),
        "size": _("会员数量"),
        "output_value": _("行业年产值（万元）"),
        "provincial_built": _("省级示范点已建数"),
        "city_built": _("市级示范点已建数"),
    },
    BaseKind.POINT: {
        "name": _("企业名称"),
        "head": _("法定代表人"),
        "address": _("经营地址"),
        "org_type": _("企业类型"),
        "size": _("员工数量"),
        "output_value": _("年产值（万元）"),
    },
}
# Fields a kind's table does not have.
KIND_SKIPS = {
    BaseKind.ZONE: {"industry"},
    BaseKind.STATION: set(),
    BaseKind.POINT: {"provincial_built", "city_built"},
}


class NewApplicationForm(StyledForm):
    kind = forms.ChoiceField(label=_("基地类型"), choices=BaseKind.choices)
    level = forms.ChoiceField(label=_("级别"), choices=BaseLevel.choices, initial=BaseLevel.CITY)


class ApplicationForm(forms.ModelForm):
    """The application's table and its eligibility checklist (fields `check_<key>`)."""

    class Meta:
        model = BaseApplication
        fields = FORM_FIELDS
        widgets = {
            "work_summary": forms.Textarea(attrs={"rows": 6}),
            "applicant_opinion": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        kind = BaseKind(self.instance.kind)
        for name in KIND_SKIPS[kind]:
            del self.fields[name]
        for name, label in KIND_LABELS[kind].items():
            if name in self.fields:
                self.fields[name].label = label
        values = self.instance.checklist or {}
        for rule in checklist.rules_for(kind):
            if rule.key == "built":
                continue
            key = f"check_{rule.key}"
            if rule.numeric:
                self.fields[key] = forms.CharField(
                    label=rule.label, required=False, initial=values.get(rule.key, "")
                )
            else:
                self.fields[key] = forms.ChoiceField(
                    label=rule.label, required=False, choices=YES_NO, initial=values.get(rule.key, "")
                )
        for field in self.fields.values():
            field.required = False
            widget = field.widget
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            widget.attrs.setdefault("class", css)

    def table_fields(self):
        return [self[name] for name in self.fields if not name.startswith("check_")]

    def checklist_fields(self):
        return [self[name] for name in self.fields if name.startswith("check_")]

    def checklist_input(self) -> dict[str, str]:
        return {
            name.removeprefix("check_"): self.data.get(name, "")
            for name in self.fields
            if name.startswith("check_")
        }

    def table_input(self) -> dict:
        return {name: self.data.get(name, "") for name in self.fields if not name.startswith("check_")}


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("recommend", _("推荐")), ("return", _("退回修改"))]
    )
    opinion = forms.CharField(
        label=_("推荐意见或退回理由"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class AcceptForm(StyledForm):
    prereview_notes = forms.CharField(
        label=_("书面预审意见"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    site_notes = forms.CharField(
        label=_("实地考察记录"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    opinion = forms.CharField(label=_("验收意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    passed = forms.ChoiceField(label=_("验收结论"), choices=[("yes", _("通过")), ("no", _("不通过"))])


class AttachmentForm(StyledForm):
    file = forms.FileField(label=_("验收材料（现场照片、会议纪要等）"), required=False)


class NoticeForm(StyledForm):
    start = forms.DateField(label=_("公示开始"), required=False, widget=DateInput())
    end = forms.DateField(label=_("公示结束"), required=False, widget=DateInput())


class ObjectionForm(StyledForm):
    raised_by = forms.CharField(label=_("异议人"), required=False, max_length=128)
    received_on = forms.DateField(label=_("收到日期"), required=False, widget=DateInput())
    content = forms.CharField(label=_("异议内容"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ResolveForm(StyledForm):
    upheld = forms.ChoiceField(label=_("处理结果"), choices=[("no", _("异议不成立")), ("yes", _("异议成立"))])
    note = forms.CharField(label=_("处理意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RecogniseForm(StyledForm):
    document_number = forms.CharField(label=_("认定文号"), required=False, max_length=64)
    recognised_on = forms.DateField(label=_("认定日期"), required=False, widget=DateInput())


class AnnualReviewForm(StyledForm):
    year = forms.IntegerField(label=_("年度"), required=False)
    passed = forms.ChoiceField(label=_("复核结论"), choices=[("yes", _("通过")), ("no", _("不通过"))])
    notes = forms.CharField(label=_("复核意见"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class RevokeForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("撤销理由（指南第十五条）"), choices=[("", "—"), *RevokeReason.choices], required=False
    )
    document_number = forms.CharField(label=_("撤销文号"), required=False, max_length=64)
    revoked_on = forms.DateField(label=_("撤销日期"), required=False, widget=DateInput())
    notes = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class FilterForm(StyledForm):
    q = forms.CharField(label=_("名称"), required=False, max_length=100)
    state = forms.ChoiceField(label=_("状态"), required=False)
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=[("", _("全部")), *BaseKind.choices])
    level = forms.ChoiceField(label=_("级别"), required=False, choices=[("", _("全部")), *BaseLevel.choices])
    year = forms.IntegerField(label=_("年度"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from shangmi.apps.bases.models import AppState

        self.fields["state"].choices = [("", _("全部")), *AppState.choices]
