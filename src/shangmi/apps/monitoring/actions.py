"""Writes of monitoring: log sources, uploads, settings, scoring requests and alert triage. Each checks
the role, runs in one transaction with its audit event, and queues the worker's part on commit."""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shangmi.apps.accounts.models import Membership
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.monitoring import permissions, storage
from shangmi.apps.monitoring.models import (
    Alert,
    AlertNote,
    AlertState,
    LogSource,
    LogUpload,
    MonitoringSettings,
    ScoringRun,
)
from shangmi.apps.monitoring.models.sources import Preset
from shangmi.apps.monitoring.queries import lines


def _require_manage(member) -> None:
    if not permissions.can_manage(member):
        raise PermissionDenied(_("只有保密员或管理员可以管理监测"))


@transaction.atomic
def source_create(*, member, name: str, kind: str, preset: str, folder: str = "", request=None) -> LogSource:
    _require_manage(member)
    errors: dict[str, list[str]] = {}
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("请填写名称（最多 100 字）")]
    elif LogSource.objects.filter(organisation_id=member.organisation_id, name=name).exists():
        errors["name"] = [_("已有同名的日志来源")]
    if kind not in LogSource.Kind.values:
        errors["kind"] = [_("请选择上传文件或监视目录")]
    if preset not in Preset.values:
        errors["preset"] = [_("请选择日志格式")]
    folder = (folder or "").strip()
    if kind == LogSource.Kind.FOLDER:
        path = Path(folder)
        if not folder or not path.is_absolute():
            errors["folder"] = [_("请填写服务器上的绝对路径")]
        elif not path.is_dir():
            errors["folder"] = [_("服务器上没有目录 %(path)s（或无权读取）") % {"path": folder}]
    else:
        folder = ""
    if errors:
        raise ValidationError(errors)
    source = LogSource.objects.create(
        organisation=member.organisation,
        name=name,
        kind=kind,
        preset=preset,
        folder=folder,
        created_by=member.user,
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="monitoring.source_create",
        obj=source,
        changes={"kind": kind, "preset": preset, "folder": folder},
        request=request,
    )
    return source


def _queue_ingest(upload_id: int) -> None:
    from shangmi.apps.monitoring.tasks import ingest_upload

    transaction.on_commit(lambda: ingest_upload.enqueue(upload_id))


@transaction.atomic
def upload_add(*, member, source: LogSource, uploaded, request=None) -> LogUpload:
    """Keep an uploaded log file (or ZIP of a CERT r6 folder) and queue its ingestion."""
    _require_manage(member)
    if source.organisation_id != member.organisation_id:
        raise PermissionDenied
    if uploaded is None or not uploaded.size:
        raise ValidationError({"file": [_("请选择要上传的日志文件")]})
    try:
        path, sha256, size = storage.save_upload(source.organisation_id, uploaded)
    except storage.UploadError as error:
        raise ValidationError({"file": [str(error)]}) from None
    upload = LogUpload.objects.create(
        source=source, name=(uploaded.name or "upload")[:255], sha256=sha256, size=size, path=str(path)
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="monitoring.upload",
        obj=upload,
        changes={"source": source.name, "file": upload.name, "sha256": sha256, "size": size},
        request=request,
    )
    _queue_ingest(upload.pk)
    return upload


@transaction.atomic
def settings_update(
    *,
    member,
    own_domains: str,
    competitor_domains: str,
    watchlist: str,
    weights: str,
    extra_register: str = "",
    request=None,
) -> MonitoringSettings:
    _require_manage(member)
    from shangmi.apps.monitoring.platform_context import parse_extra_register

    try:
        parse_extra_register(extra_register)
    except ValueError as error:
        raise ValidationError({"extra_register": [str(error)]}) from None
    try:
        parsed = json.loads(weights) if (weights or "").strip() else {}
    except ValueError as error:
        raise ValidationError({"weights": [_("权重应为 JSON 对象：%(e)s") % {"e": error}]}) from None
    if not isinstance(parsed, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and 0 <= v <= 1000 for k, v in parsed.items()
    ):
        raise ValidationError({"weights": [_("权重应为 {“指标”: 0 到 1000 的数} 形式的 JSON 对象")]})
    from shangmi.apps.monitoring.pipeline import unknown_weights

    unknown = unknown_weights(parsed)
    if unknown:
        raise ValidationError({"weights": [_("没有这些指标：%(keys)s") % {"keys": _("、").join(unknown)}]})
    row, _created = MonitoringSettings.objects.get_or_create(organisation=member.organisation)
    row.own_domains = "\n".join(lines(own_domains))
    row.competitor_domains = "\n".join(lines(competitor_domains))
    row.watchlist = "\n".join(lines(watchlist))
    row.weights = parsed
    row.extra_register = "\n".join(
        line.strip() for line in (extra_register or "").splitlines() if line.strip()
    )
    row.save(
        update_fields=[
            "own_domains",
            "competitor_domains",
            "watchlist",
            "weights",
            "extra_register",
            "updated_at",
        ]
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="monitoring.settings",
        obj=row,
        changes={"own": row.own_domains, "competitors": row.competitor_domains, "weights": parsed},
        request=request,
    )
    return row


@transaction.atomic
def scoring_request(*, member, queue: bool = True, request=None) -> ScoringRun:
    """Queue a scoring run over everything ingested (one at a time per organisation). With
    `queue=False` the caller runs it itself (pipeline.run_scoring), as the demo does."""
    _require_manage(member)
    busy = ScoringRun.objects.filter(
        organisation_id=member.organisation_id, state__in=(ScoringRun.State.QUEUED, ScoringRun.State.RUNNING)
    ).first()
    if busy is not None:
        return busy
    run = ScoringRun.objects.create(organisation=member.organisation, requested_by=member.user)
    audit_record(
        organisation=member.organisation, actor=member.user, verb="monitoring.score", obj=run, request=request
    )
    if queue:
        from shangmi.apps.monitoring.tasks import score_organisation

        transaction.on_commit(lambda: score_organisation.enqueue(run.pk))
    return run


# ---- triage ----------------------------------------------------------------------------------------


def _note(alert: Alert, member, action: str, text: str) -> None:
    AlertNote.objects.create(
        alert=alert, action=action, text=text, actor=member.user, actor_label=str(member.user)[:128]
    )


def _triage(
    member, alert: Alert, *, state: str, action: str, text: str, assignee=None, request=None
) -> Alert:
    _require_manage(member)
    alert = (
        Alert.objects.select_for_update().filter(pk=alert.pk, organisation_id=member.organisation_id).first()
    )
    if alert is None:
        raise PermissionDenied
    alert.state = state
    fields = ["state", "updated_at"]
    if assignee is not None:
        alert.assignee = assignee
        fields.append("assignee")
    alert.updated_at = timezone.now()
    alert.save(update_fields=fields)
    _note(alert, member, action, text)
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb=f"monitoring.alert_{action}",
        obj=alert,
        changes={"state": state, "text": text, "assignee": str(assignee) if assignee else ""},
        request=request,
    )
    return alert


@transaction.atomic
def alert_assign(*, member, alert: Alert, assignee_id: int, request=None) -> Alert:
    target = (
        Membership.objects.filter(organisation_id=member.organisation_id, user_id=assignee_id, is_active=True)
        .select_related("user")
        .first()
    )
    if target is None or not permissions.can_read(target):
        raise ValidationError({"assignee": [_("请选择本单位的保密员、管理员或管理者")]})
    return _triage(
        member,
        alert,
        state=AlertState.ASSIGNED,
        action="assign",
        text=target.user.name,
        assignee=target.user,
        request=request,
    )


@transaction.atomic
def alert_dismiss(*, member, alert: Alert, reason: str, request=None) -> Alert:
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationError({"reason": [_("排除告警须写明理由（最多 1000 字）")]})
    return _triage(member, alert, state=AlertState.DISMISSED, action="dismiss", text=reason, request=request)


@transaction.atomic
def alert_escalate(*, member, alert: Alert, note: str = "", request=None) -> Alert:
    note = (note or "").strip()[:1000]
    return _triage(member, alert, state=AlertState.ESCALATED, action="escalate", text=note, request=request)


@transaction.atomic
def alert_reopen(*, member, alert: Alert, request=None) -> Alert:
    return _triage(member, alert, state=AlertState.OPEN, action="reopen", text="", request=request)
