"""The API through HTTP: token auth scoped to one organisation, one error schema, pagination everywhere."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import AccessToken, Notification

pytestmark = pytest.mark.django_db


def bearer(secret):
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def officer_token(enterprise):
    org, people = enterprise
    _token, secret = actions.token_create(actor=people["officer"], organisation=org, name="cli")
    return secret


def test_token_authenticates_as_its_user_in_its_organisation(client, enterprise, officer_token):
    org, people = enterprise
    response = client.get("/api/v1/me", **bearer(officer_token))
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == people["officer"].pk
    assert body["organisation"]["short_code"] == org.short_code
    assert body["role"] == "officer"


def test_token_is_scoped_to_one_organisation_even_if_user_has_two(client, enterprise, make_org):
    org, people = enterprise
    second = make_org("enterprise", name="丙公司")
    actions.membership_add(actor=None, user=people["officer"], organisation=second, role="employee")
    _t, secret = actions.token_create(actor=people["officer"], organisation=second, name="second")
    body = client.get("/api/v1/me", **bearer(secret)).json()
    assert body["organisation"]["id"] == second.pk
    assert body["role"] == "employee"
    # as an employee of the second organisation the token may not list members
    assert client.get("/api/v1/members", **bearer(secret)).status_code == 403


@pytest.mark.parametrize("mutate", ["revoke", "expire", "leave", "garbage"])
def test_unusable_tokens_get_401_in_the_error_schema(client, enterprise, officer_token, mutate):
    org, people = enterprise
    token = AccessToken.objects.get(user=people["officer"])
    secret = officer_token
    if mutate == "revoke":
        actions.token_revoke(actor=people["officer"], token=token)
    elif mutate == "expire":
        AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif mutate == "leave":
        membership = people["officer"].memberships.get(organisation=org)
        actions.membership_deactivate(actor=people["admin"], membership=membership)
    else:
        secret = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response.json() == {"detail": "需要登录或有效的访问令牌", "errors": []}


def test_token_use_records_last_used(client, enterprise, officer_token):
    _org, people = enterprise
    assert AccessToken.objects.get(user=people["officer"]).last_used_at is None
    client.get("/api/v1/me", **bearer(officer_token))
    assert AccessToken.objects.get(user=people["officer"]).last_used_at is not None


def test_lists_are_paginated_with_count(client, enterprise, officer_token):
    _org, people = enterprise
    for i in range(7):
        actions.notification_send(recipient=people["officer"], title=f"n{i}")
    first = client.get("/api/v1/notifications?page=1&page_size=3", **bearer(officer_token)).json()
    third = client.get("/api/v1/notifications?page=3&page_size=3", **bearer(officer_token)).json()
    assert first["count"] == 7 and len(first["items"]) == 3
    assert third["count"] == 7 and len(third["items"]) == 1
    titles = {i["title"] for i in first["items"]} | {i["title"] for i in third["items"]}
    assert len(titles) == 4


# The people side's lists (issue 5): employees, departments, positions, agreements, payments, parties,
# departure audits, trainings and a person's timeline.
PEOPLE_LISTS = [
    "/api/v1/people/employees",
    "/api/v1/people/departments",
    "/api/v1/people/positions",
    "/api/v1/people/agreements",
    "/api/v1/people/agreements/{agreement_id}/payments",
    "/api/v1/people/parties",
    "/api/v1/people/departures",
    "/api/v1/people/trainings",
    "/api/v1/people/employees/{employee_id}/timeline",
]


def test_every_list_endpoint_in_the_schema_is_paginated(client):
    schema = client.get("/api/v1/openapi.json").json()
    paged = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            body = (
                op["responses"]
                .get("200", {})
                .get("content", {})
                .get("application/json", {})
                .get("schema", {})
            )
            assert body.get("type") != "array", f"{method.upper()} {path} returns a bare array; page it"
            if body.get("$ref", "").rsplit("/", 1)[-1].startswith("Paged"):
                names = {p["name"] for p in op.get("parameters", [])}
                assert {"page", "page_size"} <= names, path
                paged.append(path)
    assert sorted(paged) == sorted(
        [
            "/api/v1/organisations",
            "/api/v1/members",
            "/api/v1/notifications",
            "/api/v1/tokens",
            "/api/v1/regions",
            "/api/v1/audit/events",
            "/api/v1/evidence/deposits",
            "/api/v1/registry/secrets",
            "/api/v1/registry/grants/mine",
            "/api/v1/registry/grants/pending",
            *PEOPLE_LISTS,
            "/api/v1/assessment/frameworks",
            "/api/v1/assessment/assessments",
            "/api/v1/monitoring/alerts",
            "/api/v1/monitoring/sources",
            "/api/v1/monitoring/uploads",
            "/api/v1/monitoring/runs",
            "/api/v1/forensics/indexes",
            "/api/v1/forensics/scans",
            "/api/v1/forensics/scans/{scan_id}/pairs",
            "/api/v1/bases/applications",
            "/api/v1/bases/published",
        ]
    )


def test_malformed_json_is_422_with_a_body_field_error(client, enterprise, officer_token):
    response = client.post(
        "/api/v1/notifications/read",
        data="{ids: [1,",
        content_type="application/json",
        **bearer(officer_token),
    )
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == "请求内容不是有效的 JSON"
    assert body["errors"][0]["field"] == "body"
    assert "line 1" in body["errors"][0]["message"]


def test_wrong_types_are_422_naming_the_field(client, enterprise, officer_token):
    _org, people = enterprise
    note = actions.notification_send(recipient=people["officer"], title="keep unread")
    response = client.post(
        "/api/v1/notifications/read",
        data=json.dumps({"ids": ["x"]}),
        content_type="application/json",
        **bearer(officer_token),
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert errors and errors[0]["field"] == "ids.0"
    note.refresh_from_db()
    assert note.read_at is None


def test_mark_read_only_touches_own_notifications(client, enterprise, officer_token):
    _org, people = enterprise
    mine = actions.notification_send(recipient=people["officer"], title="mine")
    theirs = actions.notification_send(recipient=people["admin"], title="theirs")
    response = client.post(
        "/api/v1/notifications/read",
        data=json.dumps({"ids": [mine.pk, theirs.pk]}),
        content_type="application/json",
        **bearer(officer_token),
    )
    assert response.json() == {"marked": 1}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


def test_unknown_path_parameter_is_404_in_the_error_schema(client, enterprise, officer_token):
    response = client.post("/api/v1/notifications/999999/read", **bearer(officer_token))
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到", "errors": []}


def test_audit_events_require_admin_or_officer(client, enterprise, officer_token):
    org, people = enterprise
    response = client.get("/api/v1/audit/events?verb=membership", **bearer(officer_token))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 4  # the fixture added four members
    assert all(e["verb"] == "membership.add" for e in body["items"])
    _t, employee_secret = actions.token_create(actor=people["employee"], organisation=org, name="e")
    assert client.get("/api/v1/audit/events", **bearer(employee_secret)).status_code == 403


def test_session_auth_needs_csrf_for_writes(enterprise, login):
    _org, people = enterprise
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(people["employee"])
    response = c.post("/api/v1/notifications/read", data="{}", content_type="application/json")
    assert response.status_code in (401, 403)
    assert c.get("/api/v1/me").status_code == 200


def test_docs_are_served_locally(client):
    response = client.get("/api/docs")
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/ninja/swagger-ui-bundle" in html
    assert "cdn" not in html.lower()
