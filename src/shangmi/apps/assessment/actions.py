"""Writes of self-checks. Each action checks who may take it, runs in one transaction, writes its audit
event, and the steps that matter as evidence (start, submit, invite, review) deposit a canonical record."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.actions import notification_send
from shangmi.apps.accounts.models import Membership, Organisation
from shangmi.apps.assessment import permissions
from shangmi.apps.assessment.facts import compute_fact
from shangmi.apps.assessment.framework import FrameworkNotFound, get_framework
from shangmi.apps.assessment.models import (
    Answer,
    AnswerSource,
    Assessment,
    AssessmentEvent,
    AssessmentEventKind,
    AssessmentState,
)
from shangmi.apps.assessment.queries import answers_of, framework_of
from shangmi.apps.assessment.scoring import domain_scores, overall_score, unanswered
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.registry.actions.records import canonical_record
from shangmi.engines.tlog.material import digest_bytes

RECORD_FORMAT = "shangmi-assessment-record/1"
MAX_NOTE = 1000
MAX_REASON = 500


def _record(*, member, assessment: Assessment, kind: str, data: dict[str, Any], request=None) -> None:
    """Timeline row + deposit of its canonical record. Call inside the action's transaction."""
    now = timezone.now()
    actor = member.user if member is not None else None
    text = canonical_record(
        {
            "format": RECORD_FORMAT,
            "organisation": assessment.organisation.short_code,
            "assessment": assessment.pk,
            "framework": f"{assessment.framework_key}@{assessment.framework_version}",
            "framework_sha256": assessment.framework_sha256,
            "event": kind,
            "at": now,
            "actor": actor.name if actor else "",
            "actor_organisation": member.organisation.short_code if member is not None else "",
            "data": data,
        }
    )
    digest = digest_bytes(text.encode())
    [deposit_id] = deposit_create_batch(
        organisation=assessment.organisation,
        actor=actor,
        kind="record",
        items=[
            DepositItem(digest.sha256, digest.sm3, digest.size, label=f"assessment {assessment.pk} {kind}")
        ],
        request=request,
    )
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=kind,
        summary=str(data.get("summary", ""))[:200],
        actor=actor,
        actor_label=str(actor)[:128] if actor else "",
        at=now,
        record=text,
        deposit_id=deposit_id,
    )


def _require_run(member) -> None:
    if not permissions.can_run(member):
        raise PermissionDenied(_("只有保密员或管理员可以进行自我体检"))


def _locked(assessment: Assessment) -> Assessment:
    """Re-read under lock, inside the member's organisation: a stale or foreign object changes nothing."""
    found = (
        Assessment.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=assessment.pk)
        .first()
    )
    if found is None:
        raise ValidationError(_("该自我体检不存在"))
    return found


def _require_draft(assessment: Assessment) -> None:
    if assessment.state != AssessmentState.DRAFT:
        raise ValidationError(_("该自我体检已提交，不能再修改"))


def _own(member, assessment: Assessment) -> Assessment:
    """The self-check, locked, if `member` runs self-checks of the organisation that owns it."""
    _require_run(member)
    assessment = _locked(assessment)
    if assessment.organisation_id != member.organisation_id:
        raise PermissionDenied
    return assessment


def _editable(member, assessment: Assessment) -> Assessment:
    """As _own, and still a draft."""
    assessment = _own(member, assessment)
    _require_draft(assessment)
    return assessment


@transaction.atomic
def assessment_start(
    *, member, framework_key: str, version: str | None = None, title: str = "", request=None
):
    _require_run(member)
    try:
        framework = get_framework(framework_key, version)
    except FrameworkNotFound:
        raise ValidationError({"framework": _("没有体检框架 %(key)s") % {"key": framework_key}}) from None
    existing = Assessment.objects.filter(organisation_id=member.organisation_id, state=AssessmentState.DRAFT)
    if existing.exists():
        raise ValidationError(_("已有一份未提交的自我体检草稿，请先完成或提交它"))
    today = timezone.localdate()
    title = (title or "").strip() or _("%(year)s年度商业秘密保护自我体检") % {"year": today.year}
    if len(title) > 100:
        raise ValidationError({"title": _("名称不能超过 100 个字")})
    assessment = Assessment.objects.create(
        organisation=member.organisation,
        title=title,
        framework_key=framework.key,
        framework_version=framework.version,
        framework_name=framework.name,
        framework_sha256=framework.sha256,
        framework_data=framework.to_json(),
        created_by=member.user,
    )
    _record(
        member=member,
        assessment=assessment,
        kind=AssessmentEventKind.START,
        data={"title": title, "summary": title},
        request=request,
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.start",
        obj=assessment,
        changes={"framework": f"{framework.key}@{framework.version}", "title": title},
        request=request,
    )
    return assessment


@transaction.atomic
def assessment_discard(*, member, assessment: Assessment, request=None) -> None:
    """Delete a draft and its answers. Its start record stays in the evidence log (a deposit is never
    withdrawn); the audit trail says the draft was discarded."""
    assessment = _editable(member, assessment)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.discard",
        obj=assessment,
        changes={"title": assessment.title, "answers": assessment.answers.count()},
        request=request,
    )
    assessment.delete()


def proposal_for(question, organisation_id: int, today) -> tuple[str, str, str]:
    """(proposed choice, the figure as text, link) from the platform's data, or blanks."""
    if not question.fact:
        return "", "", ""
    fact = compute_fact(question.fact, organisation_id, today)
    return question.propose(fact.ratio, fact.numerator) or "", fact.text, fact.url


@transaction.atomic
def answer_save(
    *,
    member,
    assessment: Assessment,
    question_id: str,
    choice: str,
    note: str = "",
    override_reason: str = "",
    request=None,
) -> Answer:
    """Record one answer. Where the platform proposes an answer from its data, a different choice needs a
    reason, and both the proposal and the figure are kept beside the answer."""
    assessment = _editable(member, assessment)
    framework = framework_of(assessment)
    try:
        question = framework.question(question_id)
    except KeyError:
        raise ValidationError({"question": _("没有题号为 %(id)s 的题目") % {"id": question_id}}) from None
    if question.choice(choice) is None:
        raise ValidationError({"choice": _("请选择本题的一个答案")})
    note, override_reason = (note or "").strip(), (override_reason or "").strip()
    if len(note) > MAX_NOTE:
        raise ValidationError({"note": _("说明不能超过 %(n)s 个字") % {"n": MAX_NOTE}})
    if len(override_reason) > MAX_REASON:
        raise ValidationError({"override_reason": _("理由不能超过 %(n)s 个字") % {"n": MAX_REASON}})
    proposed, figure, _link = proposal_for(question, assessment.organisation_id, timezone.localdate())
    if not proposed:
        source = AnswerSource.OFFICER
    elif choice == proposed:
        source, override_reason = AnswerSource.SYSTEM, ""
    elif not override_reason:
        raise ValidationError(
            {
                "override_reason": _("系统根据平台数据建议的答案是“%(c)s”，改写时请说明理由")
                % {"c": question.choice(proposed).label}
            }
        )
    else:
        source = AnswerSource.OVERRIDDEN
    answer, _created = Answer.objects.update_or_create(
        assessment=assessment,
        question_id=question.id,
        defaults={
            "choice": choice,
            "source": source,
            "proposed_choice": proposed,
            "proposed_figure": figure[:200],
            "override_reason": override_reason,
            "note": note,
            "answered_by": member.user,
            "answered_at": timezone.now(),
        },
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.answer",
        obj=assessment,
        changes={"question": question.id, "choice": choice, "source": source, "reason": override_reason},
        request=request,
    )
    return answer


@transaction.atomic
def proposals_accept(*, member, assessment: Assessment, request=None) -> int:
    """Answer every still-unanswered question the platform can answer with its proposal. One audit event."""
    assessment = _editable(member, assessment)
    framework = framework_of(assessment)
    answered = set(answers_of(assessment))
    today, now = timezone.localdate(), timezone.now()
    rows = []
    for question in framework.questions:
        if question.id in answered or not question.fact:
            continue
        proposed, figure, _link = proposal_for(question, assessment.organisation_id, today)
        if proposed:
            rows.append(
                Answer(
                    assessment=assessment,
                    question_id=question.id,
                    choice=proposed,
                    source=AnswerSource.SYSTEM,
                    proposed_choice=proposed,
                    proposed_figure=figure[:200],
                    answered_by=member.user,
                    answered_at=now,
                )
            )
    Answer.objects.filter(assessment=assessment, question_id__in=[r.question_id for r in rows]).delete()
    Answer.objects.bulk_create(rows)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.accept_proposals",
        obj=assessment,
        changes={"questions": [r.question_id for r in rows]},
        request=request,
    )
    return len(rows)


@transaction.atomic
def assessment_submit(
    *, member, assessment: Assessment, shared_with_regulator: bool, declares_standard: bool, request=None
) -> Assessment:
    """Freeze the answers and the scores. Every question must be answered."""
    assessment = _editable(member, assessment)
    framework = framework_of(assessment)
    answers = answers_of(assessment)
    missing = unanswered(framework, answers)
    if missing:
        raise ValidationError(
            _("还有 %(n)s 题未作答（%(ids)s），全部作答后才能提交")
            % {
                "n": len(missing),
                "ids": "、".join(q.id for q in missing[:5]) + ("…" if len(missing) > 5 else ""),
            }
        )
    scores = {d.domain.key: d.score for d in domain_scores(framework, answers)}
    assessment.score = overall_score(framework, answers)
    assessment.domain_scores = scores
    assessment.state = AssessmentState.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.submitted_by = member.user
    assessment.shared_with_regulator = bool(shared_with_regulator)
    assessment.declares_standard = bool(declares_standard)
    assessment.save(
        update_fields=[
            "score",
            "domain_scores",
            "state",
            "submitted_at",
            "submitted_by",
            "shared_with_regulator",
            "declares_standard",
        ]
    )
    _record(
        member=member,
        assessment=assessment,
        kind=AssessmentEventKind.SUBMIT,
        data={
            "summary": _("总分 %(s)s") % {"s": assessment.score},
            "title": assessment.title,
            "score": assessment.score,
            "domain_scores": scores,
            "answers": answers,
            "shared_with_regulator": assessment.shared_with_regulator,
            "declares_standard": assessment.declares_standard,
        },
        request=request,
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.submit",
        obj=assessment,
        changes={"score": assessment.score, "shared": assessment.shared_with_regulator},
        request=request,
    )
    return assessment


def _notify(organisation_id: int, roles, *, title: str, link: str) -> None:
    for m in Membership.objects.filter(
        organisation_id=organisation_id, is_active=True, role__in=roles
    ).select_related("user", "organisation"):
        notification_send(recipient=m.user, organisation=m.organisation, title=title, link=link)


@transaction.atomic
def assessment_invite(*, member, assessment: Assessment, reviewer: Organisation, request=None) -> Assessment:
    """Invite a service provider or regulator to review a submitted self-check (replaces an earlier
    invitation that has not been answered)."""
    assessment = _own(member, assessment)
    if assessment.state != AssessmentState.SUBMITTED:
        raise ValidationError(_("只有已提交、尚未评审的自我体检可以邀请评审"))
    if reviewer is None or reviewer.kind not in permissions.REVIEWER_KINDS or not reviewer.is_active:
        raise ValidationError({"reviewer": _("请选择一家服务机构或监管部门")})
    assessment.reviewer_organisation = reviewer
    assessment.save(update_fields=["reviewer_organisation"])
    _record(
        member=member,
        assessment=assessment,
        kind=AssessmentEventKind.INVITE,
        data={"summary": reviewer.name, "reviewer": reviewer.name},
        request=request,
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="assessment.invite",
        obj=assessment,
        changes={"reviewer": reviewer.name},
        request=request,
    )
    _notify(
        reviewer.pk,
        ("admin", "staff", "expert", "lawyer"),
        title=_("%(org)s 邀请您评审其自我体检") % {"org": assessment.organisation.name},
        link=reverse("assessment:detail", args=[assessment.pk]),
    )
    return assessment


@transaction.atomic
def assessment_review(*, member, assessment: Assessment, opinion: str, request=None) -> Assessment:
    """The invited organisation records its opinion; the self-check becomes reviewed."""
    assessment = _locked(assessment)
    if (
        not permissions.is_reviewer_member(member)
        or assessment.reviewer_organisation_id != member.organisation_id
    ):
        raise PermissionDenied
    if assessment.state != AssessmentState.SUBMITTED:
        raise ValidationError(_("该自我体检不在待评审状态"))
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"opinion": _("请填写评审意见")})
    if len(opinion) > 5000:
        raise ValidationError({"opinion": _("评审意见不能超过 5000 个字")})
    assessment.state = AssessmentState.REVIEWED
    assessment.reviewed_by = member.user
    assessment.reviewed_at = timezone.now()
    assessment.review_opinion = opinion
    assessment.save(update_fields=["state", "reviewed_by", "reviewed_at", "review_opinion"])
    _record(
        member=member,
        assessment=assessment,
        kind=AssessmentEventKind.REVIEW,
        data={"summary": member.organisation.name, "reviewer": member.organisation.name, "opinion": opinion},
        request=request,
    )
    # The enterprise's chain records that its self-check was reviewed; the reviewer's chain records the act.
    for organisation in (assessment.organisation, member.organisation):
        audit_record(
            organisation=organisation,
            actor=member.user,
            verb="assessment.review",
            obj=assessment,
            changes={"reviewer": member.organisation.name},
            request=request,
        )
    _notify(
        assessment.organisation_id,
        ("admin", "officer"),
        title=_("%(org)s 已评审您的自我体检") % {"org": member.organisation.name},
        link=reverse("assessment:detail", args=[assessment.pk]),
    )
    return assessment
