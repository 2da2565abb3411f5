"""Helpers for the register API tests (no tests here): a client per member holding a personal access
token, a sample application, and a snapshot of everything a register write could touch."""

from __future__ import annotations

import json

from django.core import serializers
from django.test import Client

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Checkpoint, Deposit, PendingDeposit
from shangmi.apps.registry.models import (
    AccessGrant,
    Carrier,
    CodeCounter,
    DesignationReview,
    RegisterPolicy,
    SecretEvent,
    SecretPoint,
    TradeSecret,
)

API = "/api/v1/registry"

APPLICATION = {
    "name": "高强度铝合金压铸工艺参数",
    "category": "technical",
    "subcategory": "process",
    "description": "压铸温度、保压时间与模具预热曲线",
    "level": "core",
    "period_kind": "long_term",
    "department": "研发部",
    "points": [
        {"title": "模具预热曲线", "description": "分三段升温"},
        {"title": "保压时间", "description": "随壁厚调整"},
    ],
}

REVIEW = {
    "decision": "pass",
    "searched": "国家知识产权局专利检索：压铸 保压 预热；CNKI；行业标准 GB/T 15114",
    "found": "未检索到相同的预热曲线与保压参数组合",
}


class Api:
    """The register API as one member sees it through a token scoped to one organisation."""

    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.user = user
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str, **params):
        return self.client.get(API + path, params, **self.headers)

    def post(self, path: str, body=None):
        data = "" if body is None else json.dumps(body, default=str)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)

    def put(self, path: str, body):
        data = json.dumps(body, default=str)
        return self.client.put(API + path, data, content_type="application/json", **self.headers)


def role_apis(enterprise) -> dict[str, Api]:
    org, people = enterprise
    return {role: Api(user, org) for role, user in people.items()}


STORED_MODELS = (
    TradeSecret,
    SecretPoint,
    Carrier,
    AccessGrant,
    SecretEvent,
    DesignationReview,
    RegisterPolicy,
    CodeCounter,
    AuditEvent,
    Deposit,
    PendingDeposit,
    Checkpoint,
)


def stored() -> dict[str, str]:
    """Every row a register write could add or change (access tokens' last use is left out: reading
    through the API updates it)."""
    state = {
        model._meta.label_lower: serializers.serialize("json", model.objects.order_by("pk"))
        for model in STORED_MODELS
    }
    state["reviewers"] = json.dumps(
        sorted(RegisterPolicy.reviewers.through.objects.values_list("registerpolicy_id", "user_id"))
    )
    return state
