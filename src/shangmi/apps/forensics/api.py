"""API of forensics under /api/v1/forensics: fingerprint indexes (list, detail, build from a server
folder), scans (list, detail with summary, start, the pairs of a finished scan, deposit of the result).

Path objects go through queries.access_* (missing and foreign are both 404); writes call the actions,
which check the role (403) and the input (422 naming the field) and write nothing on refusal."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from ninja import Field, Query, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.forensics import actions, permissions
from shangmi.apps.forensics.pipeline import load_pairs
from shangmi.apps.forensics.queries import access_index, access_scan, indexes_of, scans_of
from shangmi.apps.registry.api_schemas import body_doc, read_body

router = Router(tags=["forensics"])


def _member(request):
    return getattr(request, "membership", None)


def _reader(request):
    member = _member(request)
    if not permissions.can_read(member):
        raise PermissionDenied
    return member


class IndexOut(Schema):
    id: int
    name: str
    kind: str
    folder: str
    keyed: bool
    key_id: str
    items: int
    sha256: str
    state: str
    progress: dict
    error: str
    created_at: datetime
    finished_at: datetime | None


class IndexIn(Schema):
    name: str = Field(..., max_length=100)
    folder: str = Field(
        ..., max_length=500, description="服务器上的目录或 ZIP（相对路径从本单位收件目录算起）"
    )
    public_folder: str = Field("", max_length=500, description="公知材料目录，可选")
    keyed: bool = Field(False, description="生成案件密钥（隐私模式）")


class ScanOut(Schema):
    id: int
    name: str
    index_id: int
    suspect: str
    state: str
    progress: dict
    summary: dict
    result_sha256: str
    error: str
    deposit_id: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ScanIn(Schema):
    name: str = Field(..., max_length=100)
    index_id: int
    suspect: str = Field(..., max_length=500)


class PairFilters(Schema):
    all: bool = Field(False, description="也列出低于阈值的配对")


class DepositOut(Schema):
    deposit_id: int
    sha256: str
    state: str


def _index_out(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "kind": row.kind,
        "folder": row.folder,
        "keyed": row.keyed,
        "key_id": row.key_id,
        "items": row.items,
        "sha256": row.sha256,
        "state": row.state,
        "progress": row.progress,
        "error": row.error,
        "created_at": row.created_at,
        "finished_at": row.finished_at,
    }


def _scan_out(row) -> dict:
    return {
        "id": row.pk,
        "name": row.name,
        "index_id": row.index_id,
        "suspect": row.suspect,
        "state": row.state,
        "progress": row.progress,
        "summary": row.summary,
        "result_sha256": row.result_sha256,
        "error": row.error,
        "deposit_id": row.deposit_id,
        "created_at": row.created_at,
        "started_at": row.started_at,
        "finished_at": row.finished_at,
    }


@router.get("/indexes", response=list[IndexOut], url_name="forensics_indexes", summary="指纹库列表")
@paged
def index_list(request):
    return [_index_out(r) for r in indexes_of(_reader(request))]


@router.post(
    "/indexes",
    response={201: IndexOut},
    openapi_extra=body_doc(IndexIn),
    url_name="forensics_index_create",
    summary="由服务器目录建立指纹库（后台任务）",
)
def index_create(request):
    body = read_body(request, IndexIn)
    row = actions.index_from_folder(member=_member(request), request=request, **body.dict())
    return Status(201, _index_out(row))


@router.get("/indexes/{index_id}", response=IndexOut, url_name="forensics_index", summary="指纹库详情")
def index_detail(request, index_id: int):
    row = access_index(_member(request), index_id)
    return _index_out(row)


@router.get("/scans", response=list[ScanOut], url_name="forensics_scans", summary="比对任务列表")
@paged
def scan_list(request):
    return [_scan_out(r) for r in scans_of(_reader(request))]


@router.post(
    "/scans",
    response={201: ScanOut},
    openapi_extra=body_doc(ScanIn),
    url_name="forensics_scan_create",
    summary="发起比对（后台任务）",
)
def scan_create(request):
    member = _member(request)
    body = read_body(request, ScanIn)
    index = access_index(member, body.index_id)
    row = actions.scan_create(
        member=member, name=body.name, index=index, suspect=body.suspect, request=request
    )
    return Status(201, _scan_out(row))


@router.get("/scans/{scan_id}", response=ScanOut, url_name="forensics_scan", summary="比对任务详情与进度")
def scan_detail(request, scan_id: int):
    return _scan_out(access_scan(_member(request), scan_id))


@router.get(
    "/scans/{scan_id}/pairs",
    response=list[dict],
    url_name="forensics_scan_pairs",
    summary="完成的比对中共享指纹的配对（默认只列超过阈值的），得分从高到低",
)
@paged
def scan_pairs(request, scan_id: int, filters: Query[PairFilters]):
    pairs, _skipped = load_pairs(access_scan(_member(request), scan_id))
    return pairs if filters.all else [p for p in pairs if p["above_threshold"]]


@router.post(
    "/scans/{scan_id}/deposit",
    response=DepositOut,
    url_name="forensics_scan_deposit",
    summary="将比对结果（JSON）的摘要存证",
)
def scan_deposit(request, scan_id: int):
    member = _member(request)
    deposit = actions.scan_deposit(member=member, scan=access_scan(member, scan_id), request=request)
    return {"deposit_id": deposit.pk, "sha256": deposit.sha256, "state": deposit.state}
