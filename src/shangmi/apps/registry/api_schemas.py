"""The register API's schemas. Inputs keep vocabularies as plain strings: the actions check them and
answer in Chinese, naming the field. Outputs carry the stored codes (labels are in models.choices)."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal

import pydantic
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.errors import HttpError
from ninja.errors import ValidationError as NinjaValidationError


def _name(user) -> str | None:
    return user.name if user is not None else None


# ---- bodies read once the object is found ------------------------------------------------------------
# django-ninja validates a declared body before the view runs, so an outsider posting garbage to another
# organisation's object would get a 422 where a missing object gets a 404. Object routes therefore read
# their body themselves, after queries.access_*; errors keep the API's one schema.


def read_body[S: Schema](request, schema: type[S]) -> S:
    try:
        data = json.loads(request.body or b"null")
    except ValueError as exc:
        raise HttpError(400, "Cannot parse request body") from exc  # → 422 on "body" (api.errors)
    if data is None:
        raise ValidationError({"body": [_("请求体不能为空")]})
    try:
        return schema.model_validate(data)
    except pydantic.ValidationError as exc:
        raise NinjaValidationError(
            [{"loc": ("body", *e["loc"]), "msg": e["msg"], "type": e["type"]} for e in exc.errors()]
        ) from exc


def body_doc(schema: type[Schema]) -> dict:
    """openapi_extra documenting a body that read_body reads."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": schema.model_json_schema()}},
        }
    }


# ---- filters ---------------------------------------------------------------------------------------


class RegisterFilters(Schema):
    """The list page's filters (queries.filter_register)."""

    category: str = ""
    level: str = ""
    state: str = ""
    department: str = ""
    ending_within: int | None = Field(None, ge=0, le=36500, description="保密期限在 N 天内届满")
    unmarked: bool = Field(False, description="有未标识的在用载体")
    q: str = Field("", max_length=200, description="检索：编号、名称、描述、部门、责任人、密点（中文子串）")


# ---- outputs ---------------------------------------------------------------------------------------


class SecretOut(Schema):
    """A row of the register."""

    id: int
    code: str
    name: str
    category: str
    subcategory: str
    level: str
    period_kind: str
    period_until: date | None
    department: str
    responsible: str | None
    state: str
    created_at: datetime
    designated_at: datetime | None
    carrier_count: int = Field(description="载体总数（含已销毁）")
    unmarked_count: int = Field(description="未标识的在用载体数")

    @staticmethod
    def resolve_responsible(obj) -> str | None:
        if hasattr(obj, "responsible_name"):  # a list row read with its person's name (list_rows.rows_of)
            return obj.responsible_name
        return _name(obj.responsible)

    @staticmethod
    def resolve_carrier_count(obj) -> int:
        return getattr(obj, "carrier_count", 0)

    @staticmethod
    def resolve_unmarked_count(obj) -> int:
        return getattr(obj, "unmarked_count", 0)


class PointOut(Schema):
    number: int
    title: str
    description: str


class CarrierOut(Schema):
    id: int
    secret_id: int
    code: str
    kind: str
    name: str
    location: str
    custodian: str | None
    custodian_id: int | None
    marking: str
    copies: int
    sha256: str
    sm3: str
    size: int | None
    deposit_id: int | None
    state: str
    destroy_method: str
    destroy_witness: str
    destroyed_on: date | None
    created_at: datetime

    @staticmethod
    def resolve_custodian(obj) -> str | None:
        return _name(obj.custodian)


class GrantOut(Schema):
    id: int
    secret_id: int
    user_id: int | None
    user: str | None
    position: str
    reason: str
    granted_by: str | None
    granted_at: datetime
    expires_on: date | None
    acknowledged_at: datetime | None
    revoked_at: datetime | None
    active: bool

    @staticmethod
    def resolve_user(obj) -> str | None:
        return _name(obj.user)

    @staticmethod
    def resolve_granted_by(obj) -> str | None:
        return _name(obj.granted_by)

    @staticmethod
    def resolve_active(obj) -> bool:
        return obj.is_active()


class SecretBriefOut(Schema):
    id: int
    code: str
    name: str
    level: str
    state: str


class MyGrantOut(GrantOut):
    secret: SecretBriefOut


class AcknowledgementTextOut(Schema):
    version: str
    text: str
    sha256: str
    acknowledged_at: datetime | None


class PendingAcknowledgementOut(Schema):
    grant_id: int
    secret_id: int
    code: str
    name: str
    level: str
    person: str
    position: str
    granted_at: datetime


class ReviewOut(Schema):
    reviewer: str
    decision: str
    searched: str
    found: str
    opinion: str
    at: datetime

    @staticmethod
    def resolve_reviewer(obj) -> str:
        return obj.reviewer.name


class EventOut(Schema):
    """A timeline row: the canonical record is deposited; its receipt is ready once included."""

    id: int
    kind: str
    actor: str
    at: datetime
    sha256: str | None
    deposit_state: str | None
    leaf_index: int | None
    record_url: str
    receipt_url: str

    @staticmethod
    def resolve_actor(obj) -> str:
        return obj.actor_label

    @staticmethod
    def resolve_sha256(obj) -> str | None:
        return obj.deposit.sha256 if obj.deposit_id else None

    @staticmethod
    def resolve_deposit_state(obj) -> str | None:
        return obj.deposit.state if obj.deposit_id else None

    @staticmethod
    def resolve_leaf_index(obj) -> int | None:
        return obj.deposit.leaf_index if obj.deposit_id else None

    @staticmethod
    def resolve_record_url(obj) -> str:
        return reverse("api:registry_event_record", kwargs={"event_id": obj.pk})

    @staticmethod
    def resolve_receipt_url(obj) -> str:
        return reverse("api:registry_event_receipt", kwargs={"event_id": obj.pk})


class SecretDetailOut(SecretOut):
    description: str
    value_estimate: Decimal | None
    value_basis: str
    applicant: str | None
    declassified_at: datetime | None
    # Prepared by the view (api.secret_detail): what the caller may see of each.
    points: list[PointOut]
    carriers: list[CarrierOut]
    grants: list[GrantOut]
    reviews: list[ReviewOut]
    events: list[EventOut]

    @staticmethod
    def resolve_applicant(obj) -> str | None:
        return _name(obj.applicant)

    @staticmethod
    def resolve_points(obj) -> list:
        return obj.point_rows

    @staticmethod
    def resolve_carriers(obj) -> list:
        return obj.carrier_rows

    @staticmethod
    def resolve_grants(obj) -> list:
        return obj.grant_rows

    @staticmethod
    def resolve_reviews(obj) -> list:
        return obj.review_rows

    @staticmethod
    def resolve_events(obj) -> list:
        return obj.event_rows


class Bucket(Schema):
    key: str
    label: str
    count: int


class StatsOut(Schema):
    total: int
    level: list[Bucket]
    category: list[Bucket]
    department: list[Bucket]


class PolicyOut(Schema):
    code_pattern: str
    reviewers: list[int] = Field(description="定密审查小组成员的用户 id；为空时由保密员审查")
    reviewer_names: list[str]
    reviews_required: int
    reminder_days: int


# ---- inputs ----------------------------------------------------------------------------------------


class PointIn(Schema):
    title: str
    description: str = ""


class SecretApplyIn(Schema):
    name: str
    category: str = Field(description="technical | business")
    subcategory: str
    description: str = ""
    level: str = Field(description="core | important | general")
    period_kind: str = Field(description="date | long_term | until_public")
    period_until: date | None = None
    department: str
    responsible: int | None = Field(None, description="责任人的用户 id")
    value_estimate: Decimal | None = Field(None, description="估值（万元）")
    value_basis: str = ""
    points: list[PointIn]


class ReviewIn(Schema):
    decision: str = Field(description="pass | reject")
    searched: str = Field(description="非公知性检索：检索了哪些来源与关键词")
    found: str = Field(description="检索结果")
    opinion: str = ""


class ApproveIn(Schema):
    approve: bool
    opinion: str = ""


class AmendIn(Schema):
    """Only the fields given change."""

    reason: str
    level: str | None = None
    period_kind: str | None = None
    period_until: date | None = None
    department: str | None = None
    responsible: int | None = Field(None, description="责任人的用户 id")


class DeclassifyIn(Schema):
    reason: str = Field(description="published | patented | expired | no_value | other")
    note: str = ""


class CarrierIn(Schema):
    code: str = Field("", description="留空则自动编号")
    kind: str = Field(description="document | drawing | repository | paper | sample | device | other")
    name: str
    location: str = ""
    custodian: int | None = Field(None, description="保管人的用户 id")
    copies: int = 1
    sha256: str = Field("", description="电子载体：在本地计算的摘要（内容不上传）")
    sm3: str = ""
    size: int | None = None
    marking: str = Field("unmarked", description="unmarked | marked")


class DestroyIn(Schema):
    method: str = Field(description="shred | incinerate | wipe | degauss | physical | other")
    witness: str
    destroyed_on: date | None
    note: str = ""


class GrantIn(Schema):
    """To a person (user id) or to a position (职务), one of the two."""

    user: int | None = None
    position: str = ""
    reason: str
    expires_on: date | None = None


class PolicyIn(Schema):
    code_pattern: str
    reviewers: list[int] = Field(description="定密审查小组成员的用户 id")
    reviews_required: int
    reminder_days: int
