"""The register's API: the list, detail and charts, every lifecycle step, carriers, grants, the canonical
records with their receipts, and the register's settings.

Tenant access goes through queries.access_* (missing and foreign objects are both 404, and members of
regulators and service providers find nothing: lists are empty). Each write calls its action, which
checks the role (403) and the input (422 naming the field) and writes nothing on refusal. Object
routes read the body only after the object was found, so that an outsider learns nothing from a 422.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.errors import HttpError
from ninja.pagination import PageNumberPagination, paginate

from shangmi.api.pagination import paged
from shangmi.apps.evidence.log_service import receipt_for
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry import actions, permissions
from shangmi.apps.registry.acknowledgement import ACK_TEXT_VERSION, acknowledgement_text, text_sha256
from shangmi.apps.registry.acknowledgements_pending import pending_acknowledgements
from shangmi.apps.registry.actions.grants import grant_covers
from shangmi.apps.registry.api_files import router as files_router
from shangmi.apps.registry.api_schemas import (
    AcknowledgementTextOut,
    AmendIn,
    ApproveIn,
    CarrierIn,
    CarrierOut,
    DeclassifyIn,
    DestroyIn,
    GrantIn,
    GrantOut,
    MyGrantOut,
    PendingAcknowledgementOut,
    PolicyIn,
    PolicyOut,
    RegisterFilters,
    ReviewIn,
    SecretApplyIn,
    SecretDetailOut,
    SecretOut,
    StatsOut,
    body_doc,
    read_body,
)
from shangmi.apps.registry.list_rows import rows_of
from shangmi.apps.registry.listing import list_register, listing_shape
from shangmi.apps.registry.models import AccessGrant, Carrier, TradeSecret
from shangmi.apps.registry.models.choices import CarrierState, Category, Level, MarkingState
from shangmi.apps.registry.queries import (
    access_carrier,
    access_event,
    access_grant,
    access_my_grant,
    access_secret,
    acknowledged_by,
    filter_register,
    grants_covering,
    register_stats,
    secrets_visible_to,
    timeline,
)
from shangmi.apps.registry.versioned_cache import cached, register_version

router = Router(tags=["registry"])
router.add_router("", files_router)


def _member(request):
    return getattr(request, "membership", None)


def with_carrier_counts(secrets: list[TradeSecret]) -> list[TradeSecret]:
    """Carrier counts for the given secrets in one grouped query (a page of the list, never the table)."""
    counts = {
        row["secret_id"]: row
        for row in Carrier.objects.filter(secret_id__in=[s.pk for s in secrets])
        .order_by()
        .values("secret_id")
        .annotate(
            total=Count("id"),
            unmarked=Count("id", filter=Q(marking=MarkingState.UNMARKED, state=CarrierState.ACTIVE)),
        )
    }
    for secret in secrets:
        row = counts.get(secret.pk, {})
        secret.carrier_count, secret.unmarked_count = row.get("total", 0), row.get("unmarked", 0)
    return secrets


class CarrierCountedPages(PageNumberPagination):
    """Pages cut from the filters' listing, cached per register version (registry.listing): a page is one
    read of its rows by primary key with their responsible person and carrier counts."""

    def paginate_queryset(self, queryset, pagination, request, **params):
        size = self._get_page_size(pagination.page_size)
        member = _member(request)
        if member is None or queryset.query.is_empty():  # nothing visible (secrets_visible_to)
            return {self.items_attribute: [], "count": 0}
        shape = {"api": listing_shape(params["filters"].model_dump())}
        version = register_version(member.organisation_id)
        listing = cached(member, version, "listing", shape, lambda: list_register(queryset))
        rows = rows_of(member, listing.window((pagination.page - 1) * size, size))
        return {self.items_attribute: rows, "count": listing.total}


def _visible_register(request, filters: RegisterFilters):
    return filter_register(secrets_visible_to(_member(request)), filters.model_dump())


# ---- the register ----------------------------------------------------------------------------------


@router.get(
    "/secrets", response=list[SecretOut], url_name="registry_secret_list", summary="台账（可筛选、检索）"
)
@paginate(CarrierCountedPages, page_size=settings.NINJA_PAGINATION_PER_PAGE)
def secret_list(request, filters: Query[RegisterFilters]):
    # The paginator lists these and reads only the page's rows (registry.listing.rows_of).
    return _visible_register(request, filters)


@router.get("/stats", response=StatsOut, url_name="registry_stats", summary="按密级、类别、部门统计")
def register_statistics(request, filters: Query[RegisterFilters]):
    qs = _visible_register(request, filters)
    stats = register_stats(qs)
    labels = {"level": dict(Level.choices), "category": dict(Category.choices), "department": {}}
    return {
        "total": qs.count(),
        **{
            field: [
                {
                    "key": row[field],
                    "label": str(labels[field].get(row[field], row[field])),
                    "count": row["count"],
                }
                for row in rows
            ]
            for field, rows in stats.items()
        },
    }


@router.get(
    "/secrets/{secret_id}",
    response=SecretDetailOut,
    url_name="registry_secret_detail",
    summary="商业秘密详情：密点、载体、知悉范围、审查、台账记录",
)
def secret_detail(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    secret.point_rows = list(secret.points.all())
    secret.carrier_rows = list(secret.carriers.select_related("custodian").order_by("code"))
    grants = secret.grants.select_related("user", "granted_by").order_by("-granted_at", "-id")
    # Employees see their own place in the circle of knowledge, not the whole circle.
    everyone = permissions.reads_everything(member)
    secret.grant_rows = [g for g in grants if everyone or grant_covers(g, member)]
    secret.review_rows = list(secret.reviews.select_related("reviewer"))
    secret.event_rows = list(timeline(secret))
    with_carrier_counts([secret])
    return secret


# ---- the designation lifecycle --------------------------------------------------------------------


def _counted(secret: TradeSecret) -> TradeSecret:
    return with_carrier_counts([secret])[0]


@router.post("/secrets", response={201: SecretOut}, url_name="registry_secret_apply", summary="定密申请")
def secret_apply(request, payload: SecretApplyIn):
    fields = payload.model_dump(exclude={"points"})
    points = [(p.title, p.description) for p in payload.points]
    secret = actions.secret_apply(member=_member(request), points=points, request=request, **fields)
    return Status(201, _counted(secret))


@router.post(
    "/secrets/{secret_id}/review",
    response=SecretOut,
    openapi_extra=body_doc(ReviewIn),
    url_name="registry_secret_review",
    summary="定密审查（含非公知性检索）",
)
def secret_review(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, ReviewIn)
    return _counted(actions.secret_review(member=member, secret=secret, request=request, **body.model_dump()))


@router.post(
    "/secrets/{secret_id}/approve",
    response=SecretOut,
    openapi_extra=body_doc(ApproveIn),
    url_name="registry_secret_approve",
    summary="批准定密",
)
def secret_approve(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, ApproveIn)
    return _counted(
        actions.secret_approve(member=member, secret=secret, request=request, **body.model_dump())
    )


@router.post(
    "/secrets/{secret_id}/amend",
    response=SecretOut,
    openapi_extra=body_doc(AmendIn),
    url_name="registry_secret_amend",
    summary="变更（密级、期限、部门、责任人）",
)
def secret_amend(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, AmendIn)
    return _counted(actions.secret_amend(member=member, secret=secret, request=request, **body.model_dump()))


@router.post(
    "/secrets/{secret_id}/declassify",
    response=SecretOut,
    openapi_extra=body_doc(DeclassifyIn),
    url_name="registry_secret_declassify",
    summary="解密",
)
def secret_declassify(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, DeclassifyIn)
    return _counted(
        actions.secret_declassify(member=member, secret=secret, request=request, **body.model_dump())
    )


# ---- carriers --------------------------------------------------------------------------------------


@router.post(
    "/secrets/{secret_id}/carriers",
    response={201: CarrierOut},
    openapi_extra=body_doc(CarrierIn),
    url_name="registry_carrier_add",
    summary="登记载体（电子载体只提交摘要）",
)
def carrier_add(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, CarrierIn)
    carrier = actions.carrier_add(member=member, secret=secret, request=request, **body.model_dump())
    return Status(201, carrier)


@router.post(
    "/carriers/{carrier_id}/mark", response=CarrierOut, url_name="registry_carrier_mark", summary="载体已标识"
)
def carrier_mark(request, carrier_id: int):
    member = _member(request)
    carrier = access_carrier(member, carrier_id)
    return actions.carrier_mark(member=member, carrier=carrier, request=request)


@router.post(
    "/carriers/{carrier_id}/destroy",
    response=CarrierOut,
    openapi_extra=body_doc(DestroyIn),
    url_name="registry_carrier_destroy",
    summary="销毁载体",
)
def carrier_destroy(request, carrier_id: int):
    member = _member(request)
    carrier = access_carrier(member, carrier_id)
    body = read_body(request, DestroyIn)
    return actions.carrier_destroy(member=member, carrier=carrier, request=request, **body.model_dump())


# ---- access grants (知悉范围) -----------------------------------------------------------------------


@router.post(
    "/secrets/{secret_id}/grants",
    response={201: GrantOut},
    openapi_extra=body_doc(GrantIn),
    url_name="registry_grant_add",
    summary="授权知悉",
)
def grant_add(request, secret_id: int):
    member = _member(request)
    secret = access_secret(member, secret_id)
    body = read_body(request, GrantIn)
    grant = actions.grant_add(member=member, secret=secret, request=request, **body.model_dump())
    return Status(201, grant)


@router.post(
    "/grants/{grant_id}/revoke", response=GrantOut, url_name="registry_grant_revoke", summary="撤销知悉"
)
def grant_revoke(request, grant_id: int):
    member = _member(request)
    grant = access_grant(member, grant_id)
    return actions.grant_revoke(member=member, grant=grant, request=request)


@router.post(
    "/grants/{grant_id}/acknowledge",
    response=GrantOut,
    url_name="registry_grant_acknowledge",
    summary="本人确认知悉及保密义务",
)
def grant_acknowledge(request, grant_id: int):
    """Confirms the acknowledgement text (知悉确认书, GET .../acknowledgement shows it); only then does the
    grant let the person see the secret."""
    member = _member(request)
    grant = access_my_grant(member, grant_id)
    actions.grant_acknowledge(member=member, grant=grant, request=request)
    grant.refresh_from_db()
    return grant


@router.get(
    "/grants/{grant_id}/acknowledgement",
    response=AcknowledgementTextOut,
    url_name="registry_grant_acknowledgement",
    summary="知悉确认书全文（版本与 SHA-256）",
)
def grant_acknowledgement(request, grant_id: int):
    member = _member(request)
    grant = access_my_grant(member, grant_id)
    text = acknowledgement_text(grant, member.user.name)
    return {
        "version": ACK_TEXT_VERSION,
        "text": text,
        "sha256": text_sha256(text),
        "acknowledged_at": grant.acknowledgement_time(member.user_id),
    }


@router.get(
    "/grants/mine", response=list[MyGrantOut], url_name="registry_grants_mine", summary="我的知悉授权"
)
@paged
def grants_mine(request, unacknowledged: bool = False):
    member = _member(request)
    if not permissions.is_enterprise_member(member):
        return AccessGrant.objects.none()
    qs = grants_covering(member)
    if unacknowledged:
        qs = qs.exclude(acknowledged_by(member.user_id))
    return qs.select_related("secret", "user", "granted_by").distinct().order_by("-granted_at", "-id")


@router.get(
    "/grants/pending",
    response=list[PendingAcknowledgementOut],
    url_name="registry_grants_pending",
    summary="尚未确认知悉的人员（保密员、管理者）",
)
@paged
def grants_pending(request, q: str = ""):
    member = _member(request)
    if not permissions.reads_everything(member):
        raise PermissionDenied
    return pending_acknowledgements(member.organisation_id, search=q.strip()[:64])


# ---- canonical records and receipts ----------------------------------------------------------------


@router.get(
    "/events/{event_id}/record",
    url_name="registry_event_record",
    summary="台账记录的规范文本（其 SHA-256 即存证摘要）",
)
def event_record(request, event_id: int):
    event = access_event(_member(request), event_id)
    response = HttpResponse(event.record.encode(), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-record-{event.pk}.json"'
    return response


@router.get(
    "/events/{event_id}/receipt",
    url_name="registry_event_receipt",
    summary="台账记录的存证回执（入链后可取；之前为 409）",
)
def event_receipt(request, event_id: int):
    event = access_event(_member(request), event_id)
    if event.deposit is None or event.deposit.state != Deposit.State.INCLUDED:
        raise HttpError(409, _("尚未入链，请稍后再取回执"))
    response = HttpResponse(receipt_for(event.deposit).to_text(), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="register-record-{event.pk}.receipt"'
    return response


# ---- settings --------------------------------------------------------------------------------------


def _policy_out(policy) -> dict:
    reviewers = sorted(policy.reviewers.all(), key=lambda u: u.pk)
    return {
        "code_pattern": policy.code_pattern,
        "reviewers": [u.pk for u in reviewers],
        "reviewer_names": [u.name for u in reviewers],
        "reviews_required": policy.reviews_required,
        "reminder_days": policy.reminder_days,
    }


@router.get(
    "/policy", response=PolicyOut, url_name="registry_policy", summary="台账设置：编号规则、定密审查小组"
)
def policy_detail(request):
    member = _member(request)
    if not permissions.is_enterprise_member(member):
        raise PermissionDenied
    return _policy_out(actions.policy_for(member.organisation))


@router.put(
    "/policy", response=PolicyOut, url_name="registry_policy_update", summary="修改台账设置（管理员、保密员）"
)
def policy_update(request, payload: PolicyIn):
    policy = actions.policy_update(member=_member(request), request=request, **payload.model_dump())
    return _policy_out(policy)
