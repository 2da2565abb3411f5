"""Form plumbing shared by the register's pages: Bootstrap classes on every widget, `is-invalid` on fields
with errors, and an action's ValidationError shown on the form it came from."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.forms.boundfield import BoundField

from shangmi.apps.accounts.models import Membership


class StyledBoundField(BoundField):
    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            classes = attrs.get("class") or widget.attrs.get("class", "")
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


class StyledForm(forms.Form):
    """Fields the action requires are marked (`required_marks`) but not enforced here, so that one POST
    shows every problem the action finds, in the action's words, instead of Django's first."""

    bound_field_class = StyledBoundField
    required_marks: tuple[str, ...] = ()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in self.required_marks:
            self.fields[name].widget.attrs["aria-required"] = "true"
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            elif isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def show_action_error(self, error: ValidationError) -> None:
        """Per field where the form has the field, else on top of the form."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def member_choices(organisation, *, blank: str | None = None) -> list[tuple[str, str]]:
    """Active members of the organisation as (user id, "name · department") for selects."""
    rows = (
        Membership.objects.filter(organisation=organisation, is_active=True)
        .select_related("user")
        .order_by("department", "user__name", "pk")
    )
    choices = [("", blank)] if blank is not None else []
    for m in rows:
        label = f"{m.user.name} · {m.department}" if m.department else m.user.name
        choices.append((str(m.user_id), label))
    return choices
