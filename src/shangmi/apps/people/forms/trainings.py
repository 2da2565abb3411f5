"""Forms of the trainings pages: a session (with an optional material file) and attendance entry."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from shangmi.apps.people.models.choices import EmployeeState
from shangmi.apps.registry.forms.base import DateInput, StyledForm


class TrainingForm(StyledForm):
    required_marks = ("topic", "held_on", "trainer")

    topic = forms.CharField(label=_("培训主题"), required=False, max_length=200)
    held_on = forms.DateField(label=_("培训日期"), required=False, widget=DateInput())
    trainer = forms.CharField(label=_("培训人"), required=False, max_length=64)
    hours = forms.DecimalField(label=_("学时"), required=False, initial=1, min_value=0, decimal_places=1)
    pass_mark = forms.IntegerField(
        label=_("及格分"), required=False, help_text=_("有测验时填写（满分 100）；不填表示无测验")
    )
    materials = forms.CharField(
        label=_("培训材料"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("提纲、课件名称或链接"),
    )
    material = forms.FileField(
        label=_("材料文件"),
        required=False,
        help_text=_("PDF、Office 文件、图片或文本，最大 20 MB；摘要将存证"),
    )

    def action_fields(self) -> dict:
        data = {
            k: self.cleaned_data.get(k)
            for k in ("topic", "held_on", "trainer", "hours", "pass_mark", "materials")
        }
        upload = self.cleaned_data.get("material")
        if upload is not None:
            data["material_name"] = upload.name
            data["material_data"] = upload.read()
        return data


class AttendanceForm(StyledForm):
    required_marks = ("employees",)

    employees = forms.ModelMultipleChoiceField(
        label=_("参加人员"), queryset=None, required=False, widget=forms.SelectMultiple(attrs={"size": 10})
    )
    score = forms.IntegerField(
        label=_("测验成绩"),
        required=False,
        help_text=_("0–100；对所选人员统一登记，各人成绩不同时请逐人登记"),
    )

    def __init__(self, *args, organisation_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        from shangmi.apps.people.models import Employee

        self.fields["employees"].queryset = (
            Employee.objects.filter(organisation_id=organisation_id)
            .exclude(state=EmployeeState.LEFT)
            .select_related("department")
            .order_by("number")
        )
        self.fields["employees"].label_from_instance = lambda e: (
            f"{e.number} {e.name}" + (f" · {e.department}" if e.department_id else "")
        )


class AttendanceRemoveForm(StyledForm):
    required_marks = ("reason",)

    reason = forms.CharField(label=_("撤销原因"), required=False, max_length=200)
