"""Marking (标识): the text a carrier bears, the QR code on its label, and the little the public proof
page may say about it.

The mark names the secret's level, its period, both codes and the owner: it is meant to be read by whoever
holds the carrier. The proof page behind the QR code is public, so it is built from `LabelProof`, which
holds nothing that identifies the owner, the secret, the carrier or any person.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

import segno
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shangmi.apps.evidence.models import Deposit
from shangmi.apps.registry.models import Carrier, SecretEvent
from shangmi.apps.registry.models.choices import CarrierState, EventKind, Level, MarkingState, PeriodKind

LEVEL_MARKS = {
    Level.CORE: gettext_lazy("核心商业秘密"),
    Level.IMPORTANT: gettext_lazy("重要商业秘密"),
    Level.GENERAL: gettext_lazy("一般商业秘密"),
}
WARNING = gettext_lazy("本载体含有商业秘密，未经授权禁止复制、传播")
LABELS_PER_SHEET = 10  # A4, 2 columns × 5 rows (labels.css)


@dataclass(frozen=True)
class Mark:
    level: str
    period: str
    secret_code: str
    carrier_code: str
    owner: str
    warning: str

    @property
    def headline(self) -> str:
        """`密级★保密期限`, the customary form of a secrecy mark."""
        return f"{self.level}★{self.period}"

    def lines(self) -> list[str]:
        return [
            self.headline,
            _("编号：%(secret)s / %(carrier)s") % {"secret": self.secret_code, "carrier": self.carrier_code},
            _("权属：%(owner)s") % {"owner": self.owner},
            self.warning,
        ]

    @property
    def text(self) -> str:
        return "\n".join(self.lines())


def period_text(secret) -> str:
    if secret.period_kind == PeriodKind.UNTIL_DATE and secret.period_until:
        return _("至%(day)s") % {"day": secret.period_until.isoformat()}
    return str(secret.get_period_kind_display())


def mark_for(carrier: Carrier) -> Mark:
    """The mark of a carrier (its secret and organisation are read from the carrier)."""
    secret = carrier.secret
    return Mark(
        level=str(LEVEL_MARKS.get(secret.level, secret.get_level_display())),
        period=period_text(secret),
        secret_code=secret.code,
        carrier_code=carrier.code,
        owner=secret.organisation.name,
        warning=str(WARNING),
    )


def proof_url(request, carrier: Carrier) -> str:
    """The absolute URL the label's QR code leads to."""
    return request.build_absolute_uri(reverse("registry:label_proof", args=[carrier.label_token]))


def qr_svg(url: str) -> SafeString:
    """An inline SVG QR code (error correction M, never boosted, so the level printed is the level promised)."""
    code = segno.make(url, error="m", boost_error=False, micro=False)
    # segno writes the markup itself from the module matrix: nothing of `url` is echoed unescaped.
    return mark_safe(
        code.svg_inline(scale=1, omitsize=True, svgclass="label-qr", lineclass=None, light="#fff")
    )


@dataclass(frozen=True)
class Label:
    carrier: Carrier
    mark: Mark
    url: str
    qr: SafeString


def label_for(request, carrier: Carrier) -> Label:
    url = proof_url(request, carrier)
    return Label(carrier=carrier, mark=mark_for(carrier), url=url, qr=qr_svg(url))


def sheets(labels: list[Label], per_sheet: int = LABELS_PER_SHEET) -> list[list[Label]]:
    """Labels in pages of one A4 sheet each."""
    return [labels[i : i + per_sheet] for i in range(0, len(labels), per_sheet)]


# --- the public proof page ----------------------------------------------------------------------


@dataclass(frozen=True)
class LabelProof:
    """What the QR page may tell anyone: that the carrier is registered, when, its marking and state,
    and the digest of its registration record. `secret_id` and `organisation_id` are for deciding
    whether the visitor is a member who may follow a link to the register; they are never shown."""

    registered_on: date
    marked: bool
    marking: str
    active: bool
    state: str
    destroyed_on: date | None
    record_sha256: str
    leaf_index: int | None
    secret_id: int
    organisation_id: int


def registration_event(carrier: Carrier) -> SecretEvent | None:
    """The carrier_add record of this carrier: the secret's carrier_add events whose record names its code."""
    needle = '"carrier":' + json.dumps(carrier.code, ensure_ascii=False)
    candidates = SecretEvent.objects.filter(
        secret_id=carrier.secret_id, kind=EventKind.CARRIER_ADD, record__contains=needle
    ).select_related("deposit")
    for event in candidates.order_by("at", "id"):
        if json.loads(event.record).get("data", {}).get("carrier") == carrier.code:
            return event
    return None


def proof_for_token(token: str) -> LabelProof | None:
    """The proof of the carrier whose label carries `token`, or None for an unknown token."""
    if not token or len(token) > Carrier._meta.get_field("label_token").max_length:
        return None
    carrier = Carrier.objects.filter(label_token=token).first()
    if carrier is None:
        return None
    event = registration_event(carrier)
    deposit = event.deposit if event else None
    included = deposit is not None and deposit.state == Deposit.State.INCLUDED
    return LabelProof(
        registered_on=timezone.localdate(carrier.created_at),
        marked=carrier.marking == MarkingState.MARKED,
        marking=str(carrier.get_marking_display()),
        active=carrier.state == CarrierState.ACTIVE,
        state=str(carrier.get_state_display()),
        destroyed_on=carrier.destroyed_on,
        record_sha256=deposit.sha256 if deposit else "",
        leaf_index=deposit.leaf_index if included else None,
        secret_id=carrier.secret_id,
        organisation_id=carrier.organisation_id,
    )
