"""Pages of the designation lifecycle: 定密申请 → review (非公知性 check) → approval; then 变更 and 解密."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.registry import actions
from shangmi.apps.registry.forms import (
    MIN_POINT_ROWS,
    AmendForm,
    ApplyForm,
    ApproveForm,
    DeclassifyForm,
    ReviewForm,
    points_from,
)
from shangmi.apps.registry.forms.lifecycle import APPROVE
from shangmi.apps.registry.models.choices import PeriodKind
from shangmi.apps.registry.queries import access_secret
from shangmi.apps.registry.views.allowed import require_role, state_refusal
from shangmi.apps.registry.views.flow import secret_form_page

ENTERPRISE = [OrgKind.ENTERPRISE]


def detail_url(secret) -> str:
    return reverse("registry:detail", args=[secret.pk])


def _point_errors(error: ValidationError) -> tuple[dict[int, list[str]], list[str], ValidationError | None]:
    """Split an action's errors into per-row point errors, errors about the points as a whole, and the rest."""
    if not hasattr(error, "error_dict"):
        return {}, [], error
    rows: dict[int, list[str]] = {}
    whole: list[str] = []
    rest: dict[str, list[str]] = {}
    for field, messages_ in error.message_dict.items():
        if field == "points":
            whole += messages_
        elif field.startswith("points."):
            rows[int(field.split(".")[1])] = messages_
        else:
            rest[field] = messages_
    return rows, whole, ValidationError(rest) if rest else None


@member_required(kinds=ENTERPRISE)
def secret_apply(request):
    """Any member of the enterprise applies for designation, naming at least one secret point."""
    member = request.membership
    initial = {"department": member.department, "period_kind": PeriodKind.LONG_TERM}
    form = ApplyForm(request.POST or None, organisation=member.organisation, initial=initial)
    points = points_from(request.POST) if request.method == "POST" else []
    point_errors: dict[int, list[str]] = {}
    points_error: list[str] = []
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        fields["responsible"] = int(fields["responsible"]) if fields["responsible"] else None
        try:
            secret = actions.secret_apply(member=member, points=points, request=request, **fields)
        except ValidationError as error:
            point_errors, points_error, rest = _point_errors(error)
            if rest is not None:
                form.show_action_error(rest)
        else:
            messages.success(
                request,
                _("已提交定密申请，编号 %(code)s。定密审查小组审查后由管理者批准。") % {"code": secret.code},
            )
            return redirect(detail_url(secret))
    rows = [{"title": t, "description": d} for t, d in points]
    rows += [{"title": "", "description": ""} for _n in range(MIN_POINT_ROWS - len(rows))]
    for number, row in enumerate(rows, start=1):
        row["number"], row["errors"] = number, point_errors.get(number, [])
    context = {"form": form, "points": rows, "points_error": points_error}
    return render(request, "registry/apply.html", context)


@member_required(kinds=ENTERPRISE)
def secret_review(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "review")
    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "review"),
        title=_("定密审查"),
        intro=_(
            "非公知性检查：请写明检索了哪些来源（专利库、学术文献、网络、行业标准、产品说明书等）和关键词，"
            "以及检索到了什么。该记录将作为“不为公众所知悉”的证据存证。"
        ),
        submit=_("提交审查意见"),
        form=ReviewForm(request.POST or None),
        perform=lambda f: actions.secret_review(
            member=member, secret=secret, request=request, **f.cleaned_data
        ),
        success=lambda s: (
            _("已提交对 %(code)s 的审查意见，当前状态：%(state)s")
            % {"code": s.code, "state": s.get_state_display()}
        ),
        target=detail_url,
        context={"show_points": True},
    )


@member_required(kinds=ENTERPRISE)
def secret_approve(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "approve")

    def perform(form):
        data = form.cleaned_data
        return actions.secret_approve(
            member=member,
            secret=secret,
            approve=data["decision"] == APPROVE,
            opinion=data["opinion"],
            request=request,
        )

    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "approve"),
        title=_("批准定密"),
        submit=_("提交决定"),
        form=ApproveForm(request.POST or None),
        perform=perform,
        success=lambda s: _("%(code)s：%(state)s") % {"code": s.code, "state": s.get_state_display()},
        target=detail_url,
        context={"show_points": True, "reviews": secret.reviews.select_related("reviewer")},
    )


@member_required(kinds=ENTERPRISE)
def secret_amend(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "amend")
    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "amend"),
        title=_("变更"),
        intro=_(
            "变更密级、保密期限、归属部门或责任人；知悉范围请在详情页的“知悉范围”中调整。每项变更记录原值与新值。"
        ),
        submit=_("保存变更"),
        form=AmendForm(request.POST or None, secret=secret),
        perform=lambda f: actions.secret_amend(
            member=member, secret=secret, reason=f.cleaned_data["reason"], request=request, **f.changes()
        ),
        success=lambda s: _("已变更 %(code)s") % {"code": s.code},
        target=detail_url,
    )


@member_required(kinds=ENTERPRISE)
def secret_declassify(request, secret_id: int):
    member = request.membership
    secret = access_secret(member, secret_id)
    require_role(member, "declassify")
    return secret_form_page(
        request,
        secret,
        step_refusal=state_refusal(secret, "declassify"),
        title=_("解密"),
        intro=_("解密后该信息不再作为商业秘密管理；台账、载体与全部记录保留。"),
        submit=_("确认解密"),
        form=DeclassifyForm(request.POST or None),
        perform=lambda f: actions.secret_declassify(
            member=member, secret=secret, request=request, **f.cleaned_data
        ),
        success=lambda s: _("已解密 %(code)s") % {"code": s.code},
        target=detail_url,
        context={"danger": True},
    )
