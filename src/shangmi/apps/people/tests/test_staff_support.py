"""Helpers for the staff tests (no tests here): real .xlsx workbooks built with openpyxl, an API client per
member holding a personal access token, and a snapshot of every row a staff write could touch."""

from __future__ import annotations

import io
import json
from datetime import date

from django.core import serializers
from django.test import Client
from openpyxl import Workbook

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.evidence.models import Deposit, PendingDeposit
from shangmi.apps.people.models import Department, Employee, PeoplePolicy, PersonEvent, Position

API = "/api/v1/people"
HEADERS = ["工号", "姓名", "部门", "岗位", "手机号", "电子邮箱", "入职日期", "关键人员", "客户岗位", "状态"]


def workbook(rows: list[list], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(headers or HEADERS)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person_row(number="E001", name="张三", **over) -> list:
    row = {
        "工号": number,
        "姓名": name,
        "部门": "研发部",
        "岗位": "工艺工程师",
        "手机号": "13800138000",
        "电子邮箱": f"{str(number).lower()}@example.com",
        "入职日期": date(2024, 3, 1),
        "关键人员": "否",
        "客户岗位": "否",
        "状态": "",
    }
    row.update(over)
    return [row[h] for h in HEADERS]


def upload(data: bytes, name: str = "人员.xlsx"):
    file = io.BytesIO(data)
    file.name = name
    return file


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

    def patch(self, path: str, body):
        return self.client.patch(
            API + path, json.dumps(body, default=str), content_type="application/json", **self.headers
        )

    def upload(self, path: str, data: bytes):
        return self.client.post(API + path, {"file": upload(data)}, **self.headers)


STORED_MODELS = (
    Employee,
    Department,
    Position,
    PersonEvent,
    PeoplePolicy,
    AuditEvent,
    Deposit,
    PendingDeposit,
)


def stored() -> dict[str, str]:
    """Every row a staff write could add or change."""
    return {
        model._meta.label_lower: serializers.serialize("json", model.objects.order_by("pk"))
        for model in STORED_MODELS
    }
