"""Helpers for the agreements tests (no tests here): employees and parties created directly, a PDF scan,
agreements at each state through the real actions, an API client per member holding a personal access
token, and a snapshot of every row an agreement write could touch."""

from __future__ import annotations

import io
import json
from datetime import date

from django.core import serializers
from django.test import Client
from django.utils import timezone

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit, PendingDeposit
from shangmi.apps.people.actions import agreements as actions
from shangmi.apps.people.models import (
    Agreement,
    CompensationPayment,
    Department,
    Employee,
    ExternalParty,
    NonCompeteTerms,
    PeopleReminderRun,
    PersonEvent,
    Position,
)

API = "/api/v1/people"
PDF = b"%PDF-1.4\n% signed agreement scan\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TERMS = {
    "scope": "铝合金压铸件的研发、生产与销售",
    "region": "浙江省、江苏省、上海市",
    "months": 12,
    "monthly_compensation": "6000",
}


def employee(org, number="E001", name="张三", **fields) -> Employee:
    department = Department.objects.get_or_create(organisation=org, name="研发部")[0]
    position = Position.objects.get_or_create(organisation=org, name="工艺工程师")[0]
    defaults = {
        "hired_on": date(2024, 3, 1),
        "state": "employed",
        "department": department,
        "position": position,
    }
    defaults.update(fields)
    return Employee.objects.create(organisation=org, number=number, name=name, **defaults)


def party(org, name="宁波精工模具有限公司", **fields) -> ExternalParty:
    data = {
        "kind": "processor",
        "contact": "王经理",
        "phone": "0574-88888888",
        "credit_code": "91330200MA2H000001",
    }
    data.update(fields)
    return ExternalParty.objects.create(organisation=org, name=name, **data)


def upload(data: bytes = PDF, name: str = "签署件.pdf"):
    file = io.BytesIO(data)
    file.name = name
    return file


def draft(member, kind="nda", person=None, counterparty=None, **fields) -> Agreement:
    if kind == "non_compete":
        fields = {**TERMS, **fields}
    return actions.agreement_draft(member, kind, employee=person, party=counterparty, **fields)


def signed(member, kind="nda", person=None, counterparty=None, signed_on=None, **fields) -> Agreement:
    agreement = draft(member, kind, person, counterparty, **fields)
    agreement = actions.agreement_send(member, agreement)
    return actions.agreement_sign(member, agreement, "scan.pdf", PDF, signed_on or timezone.localdate())


class Api:
    """The people API as one member sees it through a token scoped to one organisation."""

    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(API + path, params, **self.headers)

    def post(self, path: str, body=None):
        data = "" if body is None else json.dumps(body, default=str)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)

    def put(self, path: str, body):
        return self.client.put(
            API + path, json.dumps(body, default=str), content_type="application/json", **self.headers
        )

    def multipart(self, path: str, data: dict):
        return self.client.post(API + path, data, **self.headers)


def role_apis(enterprise) -> dict[str, Api]:
    org, people = enterprise
    return {role: Api(user, org) for role, user in people.items()}


STORED_MODELS = (
    Agreement,
    NonCompeteTerms,
    CompensationPayment,
    ExternalParty,
    PersonEvent,
    PeopleReminderRun,
    AuditEvent,
    Deposit,
    PendingDeposit,
)


def stored() -> dict[str, str]:
    """Every row an agreement write could add or change."""
    return {
        model._meta.label_lower: serializers.serialize("json", model.objects.order_by("pk"))
        for model in STORED_MODELS
    }
