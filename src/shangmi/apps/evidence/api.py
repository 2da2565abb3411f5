"""Evidence API: batch deposits of digests (never content) and receipts."""

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from shangmi.api.pagination import paged
from shangmi.apps.evidence import actions
from shangmi.apps.evidence.log_service import receipt_for, verifier_key
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.evidence.queries import access_deposit, deposits_of

router = Router(tags=["evidence"])


class DepositItemIn(Schema):
    sha256: str = Field(..., min_length=64, max_length=64)
    sm3: str = Field(..., min_length=64, max_length=64)
    size: int = Field(..., ge=0)
    label: str = Field("", max_length=200)


class DepositBatchIn(Schema):
    kind: str = "file"
    client: str = Field(actions.SERVER_CLIENT, max_length=96)
    # Items are checked by the action, which names each bad field as items.N.field; typing them here as
    # DepositItemIn (documented below) would validate 10,000 objects twice.
    items: list[dict[str, Any]] = Field(
        ...,
        min_length=1,
        max_length=actions.MAX_BATCH,
        description="[{sha256, sm3, size, label?}] — see DepositItemIn",
    )


class DepositOut(Schema):
    id: int
    kind: str
    sha256: str
    sm3: str
    size: int
    label: str
    state: str
    leaf_index: int | None
    created_at: datetime
    included_at: datetime | None


class BatchOut(Schema):
    count: int
    ids: list[int]


class LogInfoOut(Schema):
    origin: str
    verifier_key: str


def _require_member(request):
    if request.membership is None:
        raise PermissionDenied


@router.post("/deposits", response={202: BatchOut}, summary="批量存证（只提交摘要，最多 10000 项）")
def deposit_batch(request, payload: DepositBatchIn):
    _require_member(request)
    items = [actions.DepositItem.from_json(i) for i in payload.items]
    ids = actions.deposit_create_batch(
        organisation=request.organisation,
        actor=request.user,
        kind=payload.kind,
        items=items,
        client=payload.client,
        request=request,
    )
    return Status(202, {"count": len(ids), "ids": ids})


@router.get("/deposits", response=list[DepositOut], summary="本组织的存证")
@paged
def deposit_list(request, state: str = "", sha256: str = ""):
    _require_member(request)
    qs = deposits_of(request.organisation)
    if state:
        qs = qs.filter(state=state)
    if sha256:
        qs = qs.filter(sha256=sha256.lower())
    return qs


@router.get("/deposits/{deposit_id}", response=DepositOut, summary="一项存证")
def deposit_detail(request, deposit_id: int):
    _require_member(request)
    return access_deposit(request.organisation, deposit_id)


@router.get("/deposits/{deposit_id}/receipt", summary="回执（入链后可取；之前为 409）")
def deposit_receipt(request, deposit_id: int):
    _require_member(request)
    deposit = access_deposit(request.organisation, deposit_id)
    if deposit.state != Deposit.State.INCLUDED:
        raise HttpError(409, _("尚未入链，请稍后再取回执"))
    response = HttpResponse(receipt_for(deposit).to_text(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{deposit.sha256[:16]}.receipt"'
    return response


@router.get("/receipts/{sha256}", summary="按 SHA-256 取本组织最早一次已入链存证的回执")
def receipt_by_digest(request, sha256: str):
    _require_member(request)
    deposit = (
        deposits_of(request.organisation)
        .filter(sha256=sha256.lower(), state=Deposit.State.INCLUDED)
        .order_by("leaf_index")
        .first()
    )
    if deposit is None:
        raise Http404()
    response = HttpResponse(receipt_for(deposit).to_text(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{deposit.sha256[:16]}.receipt"'
    return response


@router.get("/log", response=LogInfoOut, auth=None, summary="日志来源与验证公钥（公开）")
def log_info(request):
    from shangmi.apps.evidence.log_service import origin

    return {"origin": origin(), "verifier_key": verifier_key()}
