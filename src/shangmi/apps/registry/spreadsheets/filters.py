"""The list filters of an export, said in words for the file's heading (the same keys and the same
tolerance as queries.filter_register: values it ignores are not mentioned)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from shangmi.apps.registry.models.choices import Category, Level, SecretState
from shangmi.apps.registry.search import terms
from shangmi.apps.registry.wording import clauses, labelled


def describe_filters(params) -> list[tuple[str, str]]:
    get = params.get
    described: list[tuple[str, str]] = []
    for key, label, choices in (
        ("category", _("类别"), Category),
        ("level", _("密级"), Level),
        ("state", _("状态"), SecretState),
    ):
        value = get(key) or ""
        if value in choices.values:
            described.append((label, str(choices(value).label)))
    if department := (get("department") or "").strip():
        described.append((_("归属部门"), department))
    ending = str(get("ending_within") or "").strip()
    if ending.isdigit():
        described.append((_("保密期限"), _("%(n)s 天内到期") % {"n": min(int(ending), 36500)}))
    if str(get("unmarked") or "") in ("1", "true", "on", "True"):
        described.append((_("载体"), _("有未标识的载体")))
    if found := terms(get("q") or ""):
        described.append((_("搜索"), " ".join(found)))
    return described


def filters_text(params) -> str:
    described = describe_filters(params)
    if not described:
        return _("全部（未筛选）")
    return clauses(labelled(label, value) for label, value in described)
