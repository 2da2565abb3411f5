"""Forms of the departure audit: the resignation, one item's completion, and the list's filters."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.actions.departures import OUTCOMES
from shangmi.apps.people.models import Agreement
from shangmi.apps.people.models.choices import (
    AgreementKind,
    AgreementState,
    DepartureState,
    ItemKind,
    ItemOutcome,
    NonCompeteDecision,
)
from shangmi.apps.registry.forms.base import DateInput, StyledForm


class ResignForm(StyledForm):
    required_marks = ("resignation_on", "last_day")

    resignation_on = forms.DateField(label=_("提出离职日期"), required=False, widget=DateInput())
    last_day = forms.DateField(label=_("最后工作日"), required=False, widget=DateInput())
    reason = forms.CharField(label=_("离职原因"), required=False, max_length=200)


class ItemCompleteForm(StyledForm):
    """One checklist item; the fields shown depend on the item's kind."""

    outcome = forms.ChoiceField(label=_("结果"), choices=())
    decision = forms.ChoiceField(
        label=_("竞业限制决定"),
        required=False,
        choices=[
            ("", "—"),
            (NonCompeteDecision.ENFORCE, NonCompeteDecision.ENFORCE.label),
            (NonCompeteDecision.WAIVE, NonCompeteDecision.WAIVE.label),
        ],
    )
    agreement = forms.ModelChoiceField(
        label=_("已签署的离职保密承诺书"), required=False, queryset=Agreement.objects.none()
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    file = forms.FileField(label=_("访问日志摘录"), required=False)

    def __init__(self, *args, item, **kwargs):
        kwargs.setdefault("prefix", f"item{item.pk}")
        super().__init__(*args, **kwargs)
        self.item = item
        allowed = OUTCOMES[item.kind]
        self.fields["outcome"].choices = [(o, ItemOutcome(o).label) for o in allowed]
        self.fields["outcome"].initial = allowed[0]
        if len(allowed) > 1:
            self.fields["outcome"].widget = forms.RadioSelect(
                choices=self.fields["outcome"].choices, attrs={"class": "form-check-input"}
            )
        else:
            self.fields["outcome"].widget = forms.HiddenInput()
        if item.kind == ItemKind.NON_COMPETE:
            self.required_marks = ("decision", "note")
        else:
            del self.fields["decision"]
        if item.kind == ItemKind.PLEDGE:
            self.fields["agreement"].queryset = Agreement.objects.filter(
                employee_id=item.departure.employee_id,
                kind=AgreementKind.DEPARTURE_PLEDGE,
                state=AgreementState.SIGNED,
            )
            self.fields["agreement"].empty_label = _("（未关联：纸质承诺书，请在说明中注明）")
        else:
            del self.fields["agreement"]
        if item.kind == ItemKind.ACCESS_REVIEW:
            self.fields["file"].help_text = _(
                "PDF、图片或 UTF-8 文本（.txt/.csv/.log），最大 20 MB；摘要将存证。"
            )
            self.fields["note"].label = _("审查结论")
            self.required_marks = ("file",)
        else:
            del self.fields["file"]
        note_labels = {
            ItemKind.CARRIER: _("确认说明"),
            ItemKind.INTERVIEW: _("面谈记录"),
            ItemKind.LETTER: _("送达方式"),
            ItemKind.NON_COMPETE: _("决定理由"),
            ItemKind.CUSTOMERS: _("已通知的客户"),
        }
        if item.kind in note_labels:
            self.fields["note"].label = note_labels[item.kind]
            self.required_marks = (*self.required_marks, "note")
        for name in self.required_marks:
            self.fields[name].widget.attrs["aria-required"] = "true"
        for field in self.fields.values():
            if not isinstance(field.widget, (forms.RadioSelect, forms.HiddenInput)):
                field.widget.attrs.setdefault(
                    "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                )

    def action_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data.get("outcome") or "",
            "note": data.get("note") or "",
            "file": data.get("file"),
            "agreement": data.get("agreement"),
            "decision": data.get("decision") or "",
        }


class DepartureFilterForm(StyledForm):
    state = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部"))] + list(DepartureState.choices)
    )
    q = forms.CharField(label=_("姓名或工号"), required=False, max_length=64)
