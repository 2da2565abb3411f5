"""The register as rows of the workbook's four sheets, read for an export (xlsx and docx).

Each sheet is one query streamed in chunks, ordered by secret code, so that an export, imported into
another enterprise and exported again, gives the same rows in the same order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from shangmi.apps.registry import permissions
from shangmi.apps.registry.models import AccessGrant, Carrier, SecretPoint, TradeSecret
from shangmi.apps.registry.models.choices import (
    CarrierKind,
    CarrierState,
    Category,
    DestroyMethod,
    Level,
    MarkingState,
    PeriodKind,
    SecretState,
    Subcategory,
)
from shangmi.apps.registry.spreadsheets.columns import LONG_TERM_LABEL, UNTIL_PUBLIC_LABEL, label_of
from shangmi.apps.registry.spreadsheets.people import person_labels

CHUNK = 2000
_PERIOD_LABELS = {PeriodKind.LONG_TERM: LONG_TERM_LABEL, PeriodKind.UNTIL_PUBLIC: UNTIL_PUBLIC_LABEL}


@dataclass
class RegisterRows:
    """The rows of an export of `secrets` (already limited to what `member` may see, and filtered)."""

    secrets: QuerySet[TradeSecret]
    member: object

    def __post_init__(self):
        self.people = person_labels(self.member.organisation_id)
        self._ids = self.secrets.order_by().values("pk")

    def person(self, user_id: int | None) -> str | None:
        return self.people.get(user_id) if user_id else None

    def secret_rows(self) -> Iterator[list]:
        fields = (
            "code",
            "name",
            "category",
            "subcategory",
            "description",
            "level",
            "period_kind",
            "period_until",
            "department",
            "responsible_id",
            "value_estimate",
            "value_basis",
            "state",
            "designated_at",
        )
        for (
            code,
            name,
            category,
            subcategory,
            description,
            level,
            period_kind,
            period_until,
            department,
            responsible_id,
            value,
            basis,
            state,
            designated_at,
        ) in self.secrets.order_by("code").values_list(*fields).iterator(chunk_size=CHUNK):
            yield [
                code,
                name,
                label_of(Category, category),
                label_of(Subcategory, subcategory),
                description or None,
                label_of(Level, level),
                period_until if period_kind == PeriodKind.UNTIL_DATE else _PERIOD_LABELS.get(period_kind),
                department,
                self.person(responsible_id),
                value,
                basis or None,
                label_of(SecretState, state),
                local_date(designated_at),
            ]

    def point_rows(self) -> Iterator[list]:
        points = SecretPoint.objects.filter(secret__in=self._ids).order_by("secret__code", "number")
        for code, number, title, description in points.values_list(
            "secret__code", "number", "title", "description"
        ).iterator(chunk_size=CHUNK):
            yield [code, number, title, description or None]

    def carrier_rows(self) -> Iterator[list]:
        carriers = Carrier.objects.filter(secret__in=self._ids).order_by("secret__code", "code")
        fields = (
            "code",
            "secret__code",
            "kind",
            "name",
            "location",
            "custodian_id",
            "marking",
            "copies",
            "sha256",
            "sm3",
            "size",
            "state",
            "destroy_method",
            "destroy_witness",
            "destroyed_on",
        )
        for row in carriers.values_list(*fields).iterator(chunk_size=CHUNK):
            (code, secret, kind, name, location, custodian, marking, copies) = row[:8]
            (sha256, sm3, size, state, method, witness, destroyed_on) = row[8:]
            yield [
                code,
                secret,
                label_of(CarrierKind, kind),
                name,
                location or None,
                self.person(custodian),
                label_of(MarkingState, marking),
                copies,
                sha256 or None,
                sm3 or None,
                size,
                label_of(CarrierState, state),
                label_of(DestroyMethod, method) if method else None,
                witness or None,
                destroyed_on,
            ]

    def grant_rows(self) -> Iterator[list]:
        """Grants in force or expired, not revoked. An employee sees only the grants that entrust
        them: who else knows a secret is the officers' business."""
        grants = AccessGrant.objects.filter(secret__in=self._ids, revoked_at__isnull=True)
        if not permissions.reads_everything(self.member):
            mine = Q(user_id=self.member.user_id)
            if self.member.title:
                mine |= Q(position=self.member.title)
            grants = grants.filter(mine)
        grants = grants.order_by("secret__code", "granted_at", "id")
        for code, user_id, position, reason, expires_on, acknowledged_at in grants.values_list(
            "secret__code", "user_id", "position", "reason", "expires_on", "acknowledged_at"
        ).iterator(chunk_size=CHUNK):
            yield [
                code,
                self.person(user_id),
                position or None,
                reason,
                expires_on,
                local_time(acknowledged_at),
            ]


def local_date(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def local_time(moment: datetime | None) -> datetime | None:
    """Excel has no time zones: local wall-clock time, to the second."""
    return timezone.localtime(moment).replace(tzinfo=None, microsecond=0) if moment else None
