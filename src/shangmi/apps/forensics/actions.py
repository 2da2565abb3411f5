"""Writes of forensics: a fingerprint index (built from a server folder, or uploaded), a scan of suspect
material against it, and the deposit of a scan's result in the evidence log. Each checks the role and the
input, writes in one transaction with its audit event, and queues the worker's part on commit. A refusal
names what is wrong and stores nothing."""

from __future__ import annotations

import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shangmi.apps.audit.actions import audit_record
from shangmi.apps.forensics import permissions, storage
from shangmi.apps.forensics.models import FingerprintIndex, ForensicScan, JobState
from shangmi.engines.fingerprint.winnow import Hasher

MIN_KEY_BYTES = 16


def _require_manage(member) -> None:
    if not permissions.can_manage(member):
        raise PermissionDenied(_("只有保密员或管理员可以建立指纹库和发起比对"))


def _check_name(model, member, name: str, errors: dict) -> str:
    name = (name or "").strip()
    if not name or len(name) > 100:
        errors["name"] = [_("请填写名称（最多 100 字）")]
    elif model.objects.filter(organisation_id=member.organisation_id, name=name).exists():
        errors["name"] = [_("已有同名的记录")]
    return name


def _check_folder(member, field: str, text: str, errors: dict, *, required: bool) -> str:
    text = (text or "").strip()
    if not text:
        if required:
            errors[field] = [_("请填写服务器上的目录或 ZIP 文件")]
        return ""
    try:
        return str(storage.resolve(member.organisation_id, text))
    except storage.FolderError as error:
        errors[field] = [_("不能读取 %(path)s：%(reason)s") % {"path": text, "reason": error}]
        return ""


def parse_key(text: str) -> bytes:
    """A case key as `shangmi fp keygen` prints it: hex, at least 16 bytes."""
    try:
        key = bytes.fromhex((text or "").strip())
    except ValueError:
        raise ValidationError(
            {"case_key": [_("案件密钥应为十六进制字符串（shangmi fp keygen 的输出）")]}
        ) from None
    if len(key) < MIN_KEY_BYTES:
        raise ValidationError(
            {
                "case_key": [
                    _("案件密钥至少 %(n)d 字节（%(h)d 个十六进制字符）")
                    % {"n": MIN_KEY_BYTES, "h": 2 * MIN_KEY_BYTES}
                ]
            }
        )
    return key


def _queue_index(index_id: int) -> None:
    from shangmi.apps.forensics.tasks import build_index

    transaction.on_commit(lambda: build_index.enqueue(index_id))


def _audit_index(member, row: FingerprintIndex, verb: str, request) -> None:
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb=verb,
        obj=row,
        changes={
            "name": row.name,
            "kind": row.kind,
            "folder": row.folder,
            "keyed": row.keyed,
            "key_id": row.key_id,
        },
        request=request,
    )


@transaction.atomic
def index_from_folder(
    *, member, name: str, folder: str, public_folder: str = "", keyed: bool = False, request=None
) -> FingerprintIndex:
    """Queue fingerprinting of the registered material in a server folder. With `keyed`, a fresh case key
    is generated and kept on the server: its fingerprints mean nothing without it."""
    _require_manage(member)
    errors: dict[str, list[str]] = {}
    name = _check_name(FingerprintIndex, member, name, errors)
    folder = _check_folder(member, "folder", folder, errors, required=True)
    public_folder = _check_folder(member, "public_folder", public_folder, errors, required=False)
    if errors:
        raise ValidationError(errors)
    key = secrets.token_bytes(32) if keyed else b""
    row = FingerprintIndex.objects.create(
        organisation=member.organisation,
        name=name,
        kind=FingerprintIndex.Kind.FOLDER,
        folder=folder,
        public_folder=public_folder,
        case_key=key.hex(),
        key_id=Hasher(key).key_id if key else "",
        created_by=member.user,
    )
    _audit_index(member, row, "forensics.index_build", request)
    _queue_index(row.pk)
    return row


@transaction.atomic
def index_upload(*, member, name: str, uploaded, case_key: str = "", request=None) -> FingerprintIndex:
    """Keep an index built elsewhere with `shangmi fp index` (with its case key when keyed); the worker
    checks its format and key before it can be scanned against."""
    _require_manage(member)
    errors: dict[str, list[str]] = {}
    name = _check_name(FingerprintIndex, member, name, errors)
    if uploaded is None or not uploaded.size:
        errors["file"] = [_("请选择 shangmi fp index 生成的指纹库文件")]
    key = b""
    if (case_key or "").strip():
        try:
            key = parse_key(case_key)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    row = FingerprintIndex.objects.create(
        organisation=member.organisation,
        name=name,
        kind=FingerprintIndex.Kind.UPLOAD,
        case_key=key.hex(),
        key_id=Hasher(key).key_id if key else "",
        created_by=member.user,
    )
    try:
        path, sha256 = storage.save_index(member.organisation_id, row.pk, uploaded)
    except storage.FolderError as error:
        raise ValidationError({"file": [str(error)]}) from None
    row.path, row.sha256 = str(path), sha256
    row.save(update_fields=["path", "sha256"])
    _audit_index(member, row, "forensics.index_upload", request)
    _queue_index(row.pk)
    return row


@transaction.atomic
def scan_create(*, member, name: str, index: FingerprintIndex, suspect: str, request=None) -> ForensicScan:
    """Queue a scan of suspect material (a server folder or ZIP) against a ready index."""
    _require_manage(member)
    if index.organisation_id != member.organisation_id:
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    name = _check_name(ForensicScan, member, name, errors)
    if index.state != JobState.DONE:
        errors["index"] = [
            _("指纹库“%(name)s”尚未就绪（%(state)s）")
            % {"name": index.name, "state": index.get_state_display()}
        ]
    suspect = _check_folder(member, "suspect", suspect, errors, required=True)
    if errors:
        raise ValidationError(errors)
    row = ForensicScan.objects.create(
        organisation=member.organisation, index=index, name=name, suspect=suspect, requested_by=member.user
    )
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="forensics.scan",
        obj=row,
        changes={"name": name, "index": index.name, "suspect": suspect},
        request=request,
    )
    from shangmi.apps.forensics.tasks import run_scan

    transaction.on_commit(lambda: run_scan.enqueue(row.pk))
    return row


@transaction.atomic
def scan_deposit(*, member, scan: ForensicScan, request=None):
    """Deposit the digest of the scan's result JSON (parameters, engine version, manifest, every pair) in
    the evidence log; the file itself stays here. Once per scan."""
    from shangmi.apps.evidence.actions import deposit_create
    from shangmi.apps.forensics.pipeline import result_path
    from shangmi.engines.tlog.material import digest_file

    _require_manage(member)
    scan = (
        ForensicScan.objects.select_for_update()
        .filter(pk=scan.pk, organisation_id=member.organisation_id)
        .first()
    )
    if scan is None:
        raise PermissionDenied
    if scan.deposit_id:
        return scan.deposit
    path = result_path(scan)
    if scan.state != JobState.DONE or not path.is_file():
        raise ValidationError(_("比对尚未完成，没有可存证的结果"))
    material = digest_file(path)
    if material.sha256 != scan.result_sha256:
        raise ValidationError(_("结果文件与完成时记录的摘要不符，未存证"))
    deposit = deposit_create(
        organisation=member.organisation,
        actor=member.user,
        kind="file",
        sha256=material.sha256,
        sm3=material.sm3,
        size=material.size,
        label=_("鉴定比对结果：%(name)s") % {"name": scan.name},
        meta={
            "scan": scan.pk,
            "index_sha256": scan.index.sha256,
            "engine_version": scan.summary.get("engine_version", ""),
        },
        request=request,
    )
    scan.deposit = deposit
    scan.save(update_fields=["deposit"])
    audit_record(
        organisation=member.organisation,
        actor=member.user,
        verb="forensics.deposit",
        obj=scan,
        changes={"sha256": material.sha256, "deposit": deposit.pk},
        request=request,
    )
    return deposit
