"""The one shape every register form follows: GET shows the form; a valid POST calls the action; the
action's ValidationError (TransitionRefused included) comes back on the form and nothing is stored."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render


def form_page(
    request,
    *,
    form,
    perform: Callable[[Any], Any],
    template: str,
    context: dict,
    success: Callable[[Any], str],
    target: Callable[[Any], str],
):
    if request.method == "POST" and form.is_valid():
        try:
            result = perform(form)
        except ValidationError as error:
            form.show_action_error(error)
        else:
            messages.success(request, success(result))
            return redirect(target(result))
    return render(request, template, {**context, "form": form})


def secret_form_page(request, secret, *, step_refusal: str, title: str, intro: str = "", submit: str, **flow):
    """A form about one secret on the generic page (registry/form.html)."""
    context = {
        "secret": secret,
        "title": title,
        "intro": intro,
        "submit": submit,
        "refusal": step_refusal,
        **flow.pop("context", {}),
    }
    return form_page(request, template=flow.pop("template", "registry/form.html"), context=context, **flow)
