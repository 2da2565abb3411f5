"""API of the people side: agreements (list, detail, draft, send, sign with the scan as multipart,
terminate, the generated DOCX and the scan), non-compete payments and the decision at departure, and
external parties.

Tenant access goes through queries.access_* (404 for missing and foreign alike); each write calls its
action (403 for the wrong role, 422 naming the field, nothing written on refusal). Object routes read
the body only after the object was found."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from shangmi.api.pagination import paged
from shangmi.apps.people import permissions
from shangmi.apps.people.actions.agreements import (
    agreement_draft,
    agreement_send,
    agreement_sign,
    agreement_terminate,
)
from shangmi.apps.people.actions.non_compete import (
    UNPAID_WARNING_MONTHS,
    non_compete_decide,
    payment_record,
    terms_of,
    unpaid_streak,
)
from shangmi.apps.people.actions.parties import party_add, party_update
from shangmi.apps.people.models import CompensationPayment, Employee, ExternalParty
from shangmi.apps.people.models.choices import AgreementKind, NonCompeteDecision
from shangmi.apps.people.queries import access_agreement, access_party, parties_of
from shangmi.apps.people.views.agreement_detail import scan_response
from shangmi.apps.people.views.agreements import filtered_agreements
from shangmi.apps.registry.api_schemas import body_doc, read_body
from shangmi.office.word import DOCX_CONTENT_TYPE

router = Router(tags=["people"])


def _member(request):
    return getattr(request, "membership", None)


# ---- schemas ---------------------------------------------------------------------------------------


class AgreementFilters(Schema):
    kind: str = ""
    state: str = ""
    q: str = Field("", max_length=200, description="编号、姓名、工号、外部单位名称（子串）")
    unpaid: bool = Field(False, description="只看竞业补偿连续三个月以上未支付的")


class TermsIn(Schema):
    scope: str = ""
    region: str = ""
    months: int | None = None
    monthly_compensation: Decimal | None = None


class AgreementIn(TermsIn):
    kind: str
    employee_id: int | None = None
    party_id: int | None = None
    number: str = ""
    effective_on: date | None = None
    expires_on: date | None = None


class TerminateIn(Schema):
    reason: str = ""


class PaymentIn(Schema):
    month: date | None = Field(None, description="所属月份（该月任一天，按当月计）")
    amount: Decimal | None = None
    paid_on: date | None = None
    reference: str = ""


class DecideIn(Schema):
    decision: str = Field(..., description="enforce 履行 / waive 放弃")
    reason: str = ""


class PartyIn(Schema):
    kind: str
    name: str
    credit_code: str = ""
    contact: str = ""
    phone: str = ""
    address: str = ""


class PartyOut(Schema):
    id: int
    kind: str
    name: str
    credit_code: str
    contact: str
    phone: str
    address: str


class PaymentOut(Schema):
    id: int
    month: date
    amount: Decimal
    paid_on: date
    reference: str


class TermsOut(Schema):
    scope: str
    region: str
    months: int
    monthly_compensation: Decimal
    decision: str
    decision_reason: str
    decided_at: datetime | None
    starts_on: date | None
    ends_on: date | None


class AgreementOut(Schema):
    id: int
    number: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    employee_id: int | None
    employee_name: str
    employee_number: str
    party_id: int | None
    party_name: str
    effective_on: date | None
    expires_on: date | None
    template_version: str
    generated_sha256: str
    sent_at: datetime | None
    signed_on: date | None
    scan_name: str
    scan_sha256: str
    scan_size: int | None
    scan_deposit_id: int | None
    terminated_at: datetime | None
    termination_reason: str
    created_at: datetime
    unpaid_months: int

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_state_label(obj) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_employee_name(obj) -> str:
        return obj.employee.name if obj.employee_id else ""

    @staticmethod
    def resolve_employee_number(obj) -> str:
        return obj.employee.number if obj.employee_id else ""

    @staticmethod
    def resolve_party_name(obj) -> str:
        return obj.party.name if obj.party_id else ""

    @staticmethod
    def resolve_unpaid_months(obj) -> int:
        terms = getattr(obj, "non_compete", None) if obj.kind == AgreementKind.NON_COMPETE else None
        if terms is None or terms.decision != NonCompeteDecision.ENFORCE:
            return 0
        return unpaid_streak(terms, timezone.localdate())


class AgreementDetailOut(AgreementOut):
    non_compete: TermsOut | None = None
    payments: list[PaymentOut] = []
    unpaid_warning: bool = False

    @staticmethod
    def resolve_non_compete(obj):
        return terms_of(obj)

    @staticmethod
    def resolve_payments(obj) -> list:
        terms = terms_of(obj)
        return list(terms.payments.order_by("month")) if terms else []

    @staticmethod
    def resolve_unpaid_warning(obj) -> bool:
        return AgreementOut.resolve_unpaid_months(obj) >= UNPAID_WARNING_MONTHS


def _detail(agreement):
    return agreement


# ---- agreements ------------------------------------------------------------------------------------


@router.get("/agreements", response=list[AgreementOut], url_name="people_agreement_list", summary="协议台账")
@paged
def agreement_list(request, filters: Query[AgreementFilters]):
    params = filters.model_dump()
    params["unpaid"] = "1" if params["unpaid"] else ""
    return filtered_agreements(_member(request), params)


@router.post(
    "/agreements", response={201: AgreementDetailOut}, url_name="people_agreement_create", summary="生成协议"
)
def agreement_create(request, payload: AgreementIn):
    member = _member(request)
    if not permissions.can_manage(member):
        raise PermissionDenied
    fields = payload.model_dump()
    errors: dict = {}
    employee = party = None
    employee_id, party_id = fields.pop("employee_id"), fields.pop("party_id")
    if employee_id is not None:
        employee = Employee.objects.filter(organisation_id=member.organisation_id, pk=employee_id).first()
        if employee is None:
            errors["employee_id"] = [_("不是本单位登记的员工")]
    if party_id is not None:
        party = ExternalParty.objects.filter(organisation_id=member.organisation_id, pk=party_id).first()
        if party is None:
            errors["party_id"] = [_("不是本单位登记的外部单位")]
    if errors:
        raise ValidationError(errors)
    kind = fields.pop("kind")
    agreement = agreement_draft(member, kind, employee=employee, party=party, request=request, **fields)
    return Status(201, _detail(agreement))


@router.get(
    "/agreements/{agreement_id}",
    response=AgreementDetailOut,
    url_name="people_agreement_detail",
    summary="协议详情（含竞业限制条款与补偿支付）",
)
def agreement_detail(request, agreement_id: int):
    return _detail(access_agreement(_member(request), agreement_id))


@router.post(
    "/agreements/{agreement_id}/send",
    response=AgreementDetailOut,
    url_name="people_agreement_send",
    summary="标记为已发送",
)
def agreement_send_api(request, agreement_id: int):
    member = _member(request)
    agreement = access_agreement(member, agreement_id)
    return _detail(agreement_send(member, agreement, request=request))


SIGN_DOC = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file", "signed_on"],
                    "properties": {
                        "file": {
                            "type": "string",
                            "format": "binary",
                            "description": "签署扫描件（PDF/PNG/JPG）",
                        },
                        "signed_on": {"type": "string", "format": "date"},
                    },
                }
            }
        },
    }
}


@router.post(
    "/agreements/{agreement_id}/sign",
    response=AgreementDetailOut,
    openapi_extra=SIGN_DOC,
    url_name="people_agreement_sign",
    summary="登记签署（multipart：file 扫描件，signed_on 签署日期）；扫描件摘要存证",
)
def agreement_sign_api(request, agreement_id: int):
    member = _member(request)
    agreement = access_agreement(member, agreement_id)
    if not permissions.can_manage(member):
        raise PermissionDenied  # before reading the upload
    upload = request.FILES.get("file")
    raw = (request.POST.get("signed_on") or "").strip()
    signed_on = None
    if raw:
        try:
            signed_on = date.fromisoformat(raw)
        except ValueError:
            raise ValidationError({"signed_on": [_("日期格式应为 YYYY-MM-DD")]}) from None
    name, data = (upload.name, upload.read()) if upload is not None else ("", b"")
    return _detail(agreement_sign(member, agreement, name, data, signed_on, request=request))


@router.post(
    "/agreements/{agreement_id}/terminate",
    response=AgreementDetailOut,
    openapi_extra=body_doc(TerminateIn),
    url_name="people_agreement_terminate",
    summary="终止协议（须写明原因）",
)
def agreement_terminate_api(request, agreement_id: int):
    member = _member(request)
    agreement = access_agreement(member, agreement_id)
    body = read_body(request, TerminateIn)
    return _detail(agreement_terminate(member, agreement, body.reason, request=request))


@router.get(
    "/agreements/{agreement_id}/document.docx",
    url_name="people_agreement_document",
    summary="协议文本（.docx，与生成时的 SHA-256 一致）",
)
def agreement_document_api(request, agreement_id: int):
    from shangmi.apps.people.documents.agreements import render_agreement
    from shangmi.apps.people.storage import read_document

    agreement = access_agreement(_member(request), agreement_id)
    try:
        data = read_document(agreement.organisation_id, agreement.generated_sha256)
    except FileNotFoundError:
        data = render_agreement(agreement)
    response = HttpResponse(data, content_type=DOCX_CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, f"{agreement.number}.docx")
    return response


@router.get("/agreements/{agreement_id}/scan", url_name="people_agreement_scan", summary="签署扫描件")
def agreement_scan_api(request, agreement_id: int):
    return scan_response(access_agreement(_member(request), agreement_id))


# ---- non-compete -----------------------------------------------------------------------------------


@router.get(
    "/agreements/{agreement_id}/payments",
    response=list[PaymentOut],
    url_name="people_agreement_payments",
    summary="竞业限制补偿支付记录",
)
@paged
def payment_list(request, agreement_id: int):
    terms = terms_of(access_agreement(_member(request), agreement_id))
    return terms.payments.order_by("month") if terms else CompensationPayment.objects.none()


@router.post(
    "/agreements/{agreement_id}/payments",
    response={201: PaymentOut},
    openapi_extra=body_doc(PaymentIn),
    url_name="people_agreement_payment_add",
    summary="登记一个月的竞业限制补偿支付",
)
def payment_add(request, agreement_id: int):
    member = _member(request)
    agreement = access_agreement(member, agreement_id)
    body = read_body(request, PaymentIn)
    payment = payment_record(
        member, agreement, body.month, body.amount, body.paid_on, body.reference, request=request
    )
    return Status(201, payment)


@router.post(
    "/agreements/{agreement_id}/decide",
    response=AgreementDetailOut,
    openapi_extra=body_doc(DecideIn),
    url_name="people_agreement_decide",
    summary="离职时竞业限制决定：履行或放弃（放弃须写明理由）",
)
def agreement_decide_api(request, agreement_id: int):
    member = _member(request)
    agreement = access_agreement(member, agreement_id)
    body = read_body(request, DecideIn)
    non_compete_decide(member, agreement, body.decision, body.reason, request=request)
    return _detail(access_agreement(member, agreement_id))


# ---- external parties ------------------------------------------------------------------------------


@router.get("/parties", response=list[PartyOut], url_name="people_party_list", summary="外部单位")
@paged
def party_list(request):
    member = _member(request)
    if not permissions.reads_everyone(member) and permissions.is_enterprise_member(member):
        raise PermissionDenied
    return parties_of(member).order_by("name", "id")


@router.post("/parties", response={201: PartyOut}, url_name="people_party_create", summary="登记外部单位")
def party_create(request, payload: PartyIn):
    party = party_add(member=_member(request), request=request, **payload.model_dump())
    return Status(201, party)


@router.get("/parties/{party_id}", response=PartyOut, url_name="people_party_detail", summary="外部单位详情")
def party_detail(request, party_id: int):
    return access_party(_member(request), party_id)


@router.put(
    "/parties/{party_id}",
    response=PartyOut,
    openapi_extra=body_doc(PartyIn),
    url_name="people_party_update",
    summary="修改外部单位",
)
def party_update_api(request, party_id: int):
    member = _member(request)
    party = access_party(member, party_id)
    body = read_body(request, PartyIn)
    return party_update(member=member, party=party, request=request, **body.model_dump())
