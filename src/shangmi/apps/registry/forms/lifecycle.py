"""Forms of the designation lifecycle: 定密申请, review, approval, 变更 and 解密. The actions hold the rules;
these forms only parse what the browser sends (dates, numbers, choices)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.registry.forms.base import DateInput, StyledForm, member_choices
from shangmi.apps.registry.models.choices import (
    SUBCATEGORIES_OF,
    Category,
    DeclassifyReason,
    Level,
    PeriodKind,
    ReviewDecision,
    Subcategory,
)

MIN_POINT_ROWS = 3


def grouped_subcategories() -> list:
    """Sub-categories grouped under their category (the page's script hides the other group)."""
    return [("", "—")] + [
        (Category(category).label, [(s, Subcategory(s).label) for s in subcategories])
        for category, subcategories in SUBCATEGORIES_OF.items()
    ]


def _textarea(rows: int = 3) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class PeriodFields(forms.Form):
    period_kind = forms.ChoiceField(label=_("保密期限"), choices=PeriodKind.choices, required=False)
    period_until = forms.DateField(
        label=_("保密期限至"),
        required=False,
        widget=DateInput,
        help_text=_("保密期限为“至指定日期”时填写"),
    )


class ApplyForm(StyledForm, PeriodFields):
    name = forms.CharField(label=_("名称"), max_length=200, required=False)
    category = forms.ChoiceField(label=_("类别"), choices=[("", "—"), *Category.choices], required=False)
    subcategory = forms.ChoiceField(label=_("细类"), choices=grouped_subcategories, required=False)
    description = forms.CharField(label=_("描述"), required=False, widget=_textarea(4))
    level = forms.ChoiceField(label=_("密级"), choices=[("", "—"), *Level.choices], required=False)
    department = forms.CharField(label=_("归属部门"), max_length=64, required=False)
    responsible = forms.ChoiceField(label=_("责任人"), required=False)
    value_estimate = forms.DecimalField(
        label=_("估值（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    value_basis = forms.CharField(label=_("估值依据"), required=False, widget=_textarea(2))

    field_order = [
        "name",
        "category",
        "subcategory",
        "level",
        "period_kind",
        "period_until",
        "department",
        "responsible",
        "description",
        "value_estimate",
        "value_basis",
    ]
    required_marks = ("name", "category", "subcategory", "level", "period_kind", "department")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].choices = member_choices(organisation, blank="—")
        self.fields["category"].widget.attrs["data-category-select"] = ""
        self.fields["subcategory"].widget.attrs["data-subcategory-select"] = ""


def points_from(data) -> list[tuple[str, str]]:
    """The secret-point rows of a posted form, in order, blank rows kept (the action skips them)."""
    titles, descriptions = data.getlist("point_title"), data.getlist("point_description")
    rows = max(len(titles), len(descriptions))
    titles += [""] * (rows - len(titles))
    descriptions += [""] * (rows - len(descriptions))
    return list(zip(titles, descriptions, strict=True))


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("审查结论"), choices=ReviewDecision.choices, widget=forms.RadioSelect, required=False
    )
    searched = forms.CharField(
        label=_("检索范围"),
        required=False,
        widget=_textarea(3),
        help_text=_("检索了哪些来源与关键词：专利库、文献、网络、行业标准…"),
    )
    found = forms.CharField(
        label=_("检索结果"), required=False, widget=_textarea(3), help_text=_("找到了什么；与本信息的区别")
    )
    opinion = forms.CharField(label=_("审查意见"), required=False, widget=_textarea(3))

    required_marks = ("decision", "searched", "found")


APPROVE, REFUSE = "approve", "refuse"


class ApproveForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("决定"),
        choices=[(APPROVE, _("批准定密")), (REFUSE, _("不予定密"))],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(
        label=_("意见"), required=False, widget=_textarea(3), help_text=_("不予定密时必须写明理由")
    )


class AmendForm(StyledForm, PeriodFields):
    level = forms.ChoiceField(label=_("密级"), choices=Level.choices)
    department = forms.CharField(label=_("归属部门"), max_length=64, required=False)
    responsible = forms.ChoiceField(label=_("责任人"), required=False)
    reason = forms.CharField(label=_("变更理由"), required=False, widget=_textarea(3))

    field_order = ["level", "period_kind", "period_until", "department", "responsible", "reason"]
    required_marks = ("period_kind", "department", "reason")

    def __init__(self, *args, secret, **kwargs):
        initial = {
            "level": secret.level,
            "period_kind": secret.period_kind,
            "period_until": secret.period_until,
            "department": secret.department,
            "responsible": str(secret.responsible_id or ""),
        }
        super().__init__(*args, initial=initial, **kwargs)
        self.secret = secret
        self.fields["responsible"].choices = member_choices(secret.organisation, blank="—")

    def changes(self) -> dict:
        """Only what differs from the register, so an unchanged (maybe past) period is not re-checked."""
        data, secret = self.cleaned_data, self.secret
        out: dict = {}
        if data["level"] != secret.level:
            out["level"] = data["level"]
        period = (
            data["period_kind"],
            data["period_until"] if data["period_kind"] == PeriodKind.UNTIL_DATE else None,
        )
        if period != (secret.period_kind, secret.period_until):
            out["period_kind"], out["period_until"] = period
        if data["department"].strip() != secret.department:
            out["department"] = data["department"]
        responsible = int(data["responsible"]) if data["responsible"] else None
        if responsible is not None and responsible != secret.responsible_id:
            out["responsible"] = responsible
        return out


class DeclassifyForm(StyledForm):
    reason = forms.ChoiceField(
        label=_("解密原因"), choices=[("", "—"), *DeclassifyReason.choices], required=False
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=_textarea(3), help_text=_("原因为“其他”时必须说明")
    )

    required_marks = ("reason",)
