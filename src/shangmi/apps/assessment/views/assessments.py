"""Self-check pages: the list with the trend and a start form, one self-check (answer form while a draft,
answers and review once submitted), and the steps: answer, accept proposals, submit, invite, review."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from shangmi.apps.accounts.decorators import member_required
from shangmi.apps.accounts.roles import OrgKind
from shangmi.apps.assessment import actions, charts, permissions
from shangmi.apps.assessment.facts import compute_facts
from shangmi.apps.assessment.forms import AnswerForm, InviteForm, ReviewForm, StartForm, SubmitForm
from shangmi.apps.assessment.labels import domain_name
from shangmi.apps.assessment.models import AnswerSource
from shangmi.apps.assessment.queries import (
    access_assessment,
    assessments_of,
    finished_of,
    framework_of,
    is_owner,
)

ENTERPRISE = [OrgKind.ENTERPRISE]
_NUMERALS = dict(enumerate("一二三四五六七", start=1))  # art. 6 items are cited as （一）…（七）


def _errors(error: ValidationError) -> str:
    return "；".join(str(m) for m in error.messages)


def detail_url(assessment) -> str:
    return reverse("assessment:detail", args=[assessment.pk])


@require_safe
@member_required(kinds=ENTERPRISE)
def assessment_list(request):
    member = request.membership
    if not permissions.can_read(member):
        raise PermissionDenied
    rows = list(assessments_of(member).select_related("created_by", "reviewer_organisation"))
    finished = list(finished_of(member.organisation_id))
    context = {
        "assessments": rows,
        "run": permissions.can_run(member),
        "start_form": StartForm(),
        "has_draft": any(a.is_draft for a in rows),
    }
    if finished:
        context["trend"] = charts.trend(
            [f"{a.submitted_at:%Y-%m-%d}" for a in finished], [a.score for a in finished]
        )
    return render(request, "assessment/list.html", context)


@require_POST
@member_required(kinds=ENTERPRISE)
def assessment_start(request):
    form = StartForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择体检框架"))
        return redirect("assessment:list")
    try:
        assessment = actions.assessment_start(
            member=request.membership,
            framework_key=form.cleaned_data["framework"],
            title=form.cleaned_data["title"],
            request=request,
        )
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("assessment:list")
    messages.success(request, _("已开始自我体检，平台能回答的题目已给出建议"))
    return redirect(detail_url(assessment))


def _questions(assessment, framework, facts):
    """Per domain, each question with its answer and the platform's proposal."""
    answers = {a.question_id: a for a in assessment.answers.all()}
    domains = []
    for domain in framework.domains:
        items = []
        for q in framework.questions_of(domain.key):
            fact = facts.get(q.fact) if q.fact else None
            proposed = q.propose(fact.ratio, fact.numerator) if fact else None
            answer = answers.get(q.id)
            items.append(
                {
                    "q": q,
                    "answer": answer,
                    "fact": fact,
                    "proposed": q.choice(proposed) if proposed else None,
                    "measures": [f"（{_NUMERALS[m]}）{framework.measures.get(m, '')}" for m in q.measures],
                    "chapters": [framework.chapters.get(c, c) for c in q.chapters],
                    # What the form shows: the stored answer, or what was typed when it was refused.
                    "selected": answer.choice if answer else "",
                    "note": answer.note if answer else "",
                    "reason": answer.override_reason if answer else "",
                }
            )
        domains.append(
            {
                "domain": domain,
                "name": domain_name(domain),
                "items": items,
                "answered": sum(1 for i in items if i["answer"]),
            }
        )
    return domains


def _detail_context(request, assessment) -> dict:
    member = request.membership
    framework = framework_of(assessment)
    owner = is_owner(member, assessment)
    facts = compute_facts(assessment.organisation_id, timezone.localdate()) if assessment.is_draft else {}
    domains = _questions(assessment, framework, facts)
    answered = sum(d["answered"] for d in domains)
    return {
        "assessment": assessment,
        "framework": framework,
        "domains": domains,
        "answered": answered,
        "total": len(framework.questions),
        "percent": round(answered * 100 / len(framework.questions)) if framework.questions else 0,
        "edit": owner and assessment.is_draft and permissions.can_run(member),
        "owner": owner,
        "run": owner and permissions.can_run(member),
        "sources": dict(AnswerSource.choices),
        "events": assessment.events.select_related("deposit").order_by("at", "pk"),
        "submit_form": SubmitForm(),
        "invite_form": InviteForm(),
        "review_form": ReviewForm(),
        "can_review": (
            not owner
            and assessment.reviewer_organisation_id == member.organisation_id
            and assessment.state == "submitted"
        ),
    }


@require_safe
@member_required()
def assessment_detail(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    return render(request, "assessment/detail.html", _detail_context(request, assessment))


@require_POST
@member_required(kinds=ENTERPRISE)
def answer(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    form = AnswerForm(request.POST)
    error = ""
    if not form.is_valid():
        error = _("答案不完整：%(fields)s") % {"fields": "、".join(form.errors)}
    else:
        data = form.cleaned_data
        try:
            actions.answer_save(
                member=request.membership,
                assessment=assessment,
                question_id=data["question"],
                choice=data["choice"],
                note=data["note"],
                override_reason=data["override_reason"],
                request=request,
            )
        except ValidationError as e:
            error = _errors(e)
    question_id = request.POST.get("question", "")
    if request.htmx:
        context = _detail_context(request, assessment)
        item = next((i for d in context["domains"] for i in d["items"] if i["q"].id == question_id), None)
        if item is None:
            return render(request, "assessment/_answer_error.html", {"error": error}, status=422)
        if error:
            item.update(
                selected=request.POST.get("choice", ""),
                note=request.POST.get("note", ""),
                reason=request.POST.get("override_reason", ""),
            )
        context.update(item=item, error=error)
        response = render(request, "assessment/_question.html", context)  # htmx swaps 2xx only
        response["HX-Trigger"] = "answer-saved"
        return response
    if error:
        messages.error(request, error)
    return redirect(f"{detail_url(assessment)}#q-{question_id}")


def _step(request, assessment_id: int, perform, success: str):
    assessment = access_assessment(request.membership, assessment_id)
    try:
        result = perform(assessment)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, success % {"n": result} if "%(n)s" in success else success)
    return redirect(detail_url(assessment))


@require_POST
@member_required(kinds=ENTERPRISE)
def discard(request, assessment_id: int):
    assessment = access_assessment(request.membership, assessment_id)
    try:
        actions.assessment_discard(member=request.membership, assessment=assessment, request=request)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect(detail_url(assessment))
    messages.success(request, _("已放弃草稿“%(title)s”") % {"title": assessment.title})
    return redirect("assessment:list")


@require_POST
@member_required(kinds=ENTERPRISE)
def accept_proposals(request, assessment_id: int):
    return _step(
        request,
        assessment_id,
        lambda a: actions.proposals_accept(member=request.membership, assessment=a, request=request),
        _("已采用 %(n)s 题的系统建议"),
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def submit(request, assessment_id: int):
    form = SubmitForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    return _step(
        request,
        assessment_id,
        lambda a: actions.assessment_submit(
            member=request.membership,
            assessment=a,
            shared_with_regulator=data.get("shared_with_regulator", False),
            declares_standard=data.get("declares_standard", False),
            request=request,
        ),
        _("自我体检已提交，得分已存证"),
    )


@require_POST
@member_required(kinds=ENTERPRISE)
def invite(request, assessment_id: int):
    form = InviteForm(request.POST)
    if not form.is_valid():
        access_assessment(request.membership, assessment_id)
        messages.error(request, _("请选择一家服务机构或监管部门"))
        return redirect("assessment:detail", assessment_id)
    return _step(
        request,
        assessment_id,
        lambda a: actions.assessment_invite(
            member=request.membership, assessment=a, reviewer=form.cleaned_data["reviewer"], request=request
        ),
        _("已邀请评审"),
    )


@require_POST
@member_required(kinds=[OrgKind.PROVIDER, OrgKind.REGULATOR])
def review(request, assessment_id: int):
    form = ReviewForm(request.POST)
    opinion = form.data.get("opinion", "")
    return _step(
        request,
        assessment_id,
        lambda a: actions.assessment_review(
            member=request.membership, assessment=a, opinion=opinion, request=request
        ),
        _("评审意见已记录并存证"),
    )
