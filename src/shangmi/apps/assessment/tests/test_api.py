"""The self-check API: 401 anonymous, 404 foreign, 403 role, 422 bad input with nothing written, and a
whole self-check from start to review."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client
from docx import Document

from shangmi.apps.accounts import actions as accounts_actions
from shangmi.apps.assessment.models import Answer, Assessment
from shangmi.apps.assessment.tests.support import finished, member_of

pytestmark = pytest.mark.django_db

API = "/api/v1/assessment"


class Api:
    def __init__(self, user, organisation):
        _token, secret = accounts_actions.token_create(actor=user, organisation=organisation, name="test")
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    def get(self, path: str):
        return self.client.get(API + path, **self.headers)

    def post(self, path: str, body=None):
        data = "" if body is None else json.dumps(body)
        return self.client.post(API + path, data, content_type="application/json", **self.headers)


def test_anonymous_gets_401(client, mini):
    for path in ("/frameworks", "/assessments", "/readiness", "/jurisdiction"):
        assert client.get(API + path).status_code == 401


def test_whole_flow(enterprise, make_org, make_member, mini):
    org, people = enterprise
    api = Api(people["officer"], org)
    frameworks = api.get("/frameworks").json()
    assert {(f["key"], f["questions"]) for f in frameworks["items"]} >= {("mini", 3)}
    response = api.post("/assessments", {"framework": "mini", "title": "接口体检"})
    assert response.status_code == 201
    a = response.json()
    assert (a["title"], a["state"], a["answers"]) == ("接口体检", "draft", [])
    path = f"/assessments/{a['id']}"
    assert api.post(f"{path}/accept-proposals").json() == {"accepted": 1}
    refused = api.post(f"{path}/answers", {"question": "b-one", "choice": "no"})
    assert refused.status_code == 422 and "override_reason" in refused.text
    assert api.post(f"{path}/answers", {"question": "a-one", "choice": "yes"}).json()["source"] == "officer"
    refused = api.post(f"{path}/submit", {"shared_with_regulator": True})
    assert refused.status_code == 422 and "未作答" in refused.json()["errors"][0]["message"]
    api.post(f"{path}/answers", {"question": "a-two", "choice": "na"})
    submitted = api.post(f"{path}/submit", {"shared_with_regulator": True, "declares_standard": True}).json()
    assert (submitted["state"], submitted["score"], submitted["declares_standard"]) == (
        "submitted",
        100.0,
        True,
    )
    report = api.get(f"{path}/report").json()
    assert report["overall"] == 100.0 and report["gaps"] == []
    assert [d["key"] for d in report["domains"]] == ["a", "b"]
    docx = api.get(f"{path}/report.docx")
    assert "商业秘密保护自我体检报告" in "\n".join(
        p.text for p in Document(io.BytesIO(docx.content)).paragraphs
    )
    firm = make_org("provider", name="评审机构")
    expert = make_member(firm, "expert")
    assert api.post(f"{path}/invite", {"reviewer_id": org.pk}).status_code == 422
    assert api.post(f"{path}/invite", {"reviewer_id": firm.pk}).json()["reviewer"] == "评审机构"
    reviewer = Api(expert, firm)
    assert [x["id"] for x in reviewer.get("/assessments").json()["items"]] == [a["id"]]
    reviewed = reviewer.post(f"{path}/review", {"opinion": "同意"}).json()
    assert reviewed["state"] == "reviewed"


def test_foreign_and_role_refusals_change_nothing(enterprise, other_enterprise, mini):
    org, people = enterprise
    a = finished(member_of(people["officer"], org), framework="mini")
    before = list(Answer.objects.values_list("pk", "choice"))
    foreign = Api(other_enterprise[1]["officer"], other_enterprise[0])
    assert foreign.get(f"/assessments/{a.pk}").status_code == 404
    assert foreign.get("/assessments/987654321").status_code == 404
    assert (
        foreign.post(f"/assessments/{a.pk}/answers", {"question": "a-one", "choice": "no"}).status_code == 404
    )
    assert foreign.get("/assessments").json()["items"] == []
    employee = Api(people["employee"], org)
    assert employee.get(f"/assessments/{a.pk}").status_code == 404
    assert employee.post("/assessments", {"framework": "mini"}).status_code == 403
    assert employee.get("/readiness").status_code == 403
    assert Api(people["officer"], org).get("/jurisdiction").status_code == 403
    assert list(Answer.objects.values_list("pk", "choice")) == before
    assert Assessment.objects.count() == 1


def test_bad_bodies_name_the_field(enterprise, mini):
    org, people = enterprise
    api = Api(people["officer"], org)
    response = api.post("/assessments", {"framework": "none"})
    assert response.status_code == 422 and "framework" in response.text
    response = api.post("/assessments", {"title": "x" * 101, "framework": "mini"})
    assert response.status_code == 422 and "title" in response.text
    assert not Assessment.objects.exists()
