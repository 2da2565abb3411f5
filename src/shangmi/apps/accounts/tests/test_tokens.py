"""Personal access tokens from the security page: shown once, stored as SHA-256 only, expiring, revocable."""

import hashlib
from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import AccessToken, Membership
from shangmi.apps.accounts.tests.pages import element_text
from shangmi.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def create_on_page(client, name="研发部哈希脚本", days="30"):
    return client.post("/accounts/tokens/", {"name": name, "days": days})


def test_created_token_is_shown_once_and_only_its_digest_is_stored(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    client = login(officer)
    response = create_on_page(client)
    assert response.status_code == 200
    secret = element_text(response.content.decode(), "new-token")
    assert secret.startswith("smt_")
    assert len(secret) == 4 + 43  # smt_ + 32 random bytes, URL-safe base64

    token = AccessToken.objects.get()
    assert (token.user_id, token.organisation_id, token.name) == (officer.pk, org.pk, "研发部哈希脚本")
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    row = AccessToken.objects.filter(pk=token.pk).values().get()
    assert all(secret not in str(value) for value in row.values())
    assert abs(token.expires_at - (timezone.now() + timedelta(days=30))) < timedelta(minutes=1)

    # the audit trail names the token but never holds the secret
    event = AuditEvent.objects.get(verb="token.create", object_id=str(token.pk))
    assert (event.organisation_id, event.actor_id) == (org.pk, officer.pk)
    assert event.ip == "127.0.0.1"
    assert secret not in str(model_to_dict(event))

    # shown once: the security page afterwards lists the token by prefix, never the secret
    page = client.get("/accounts/security/").content.decode()
    assert secret not in page
    assert 'id="new-token"' not in page
    assert f"{token.prefix}…" in page


def test_token_authenticates_the_api_until_revoked(login, enterprise):
    org, people = enterprise
    client = login(people["employee"])
    secret = element_text(create_on_page(client).content.decode(), "new-token")
    token = AccessToken.objects.get()
    api = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}

    anonymous = Client()
    response = anonymous.get("/api/v1/me", **api)
    assert response.status_code == 200
    assert response.json()["organisation"]["id"] == org.pk
    assert anonymous.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}x").status_code == 401

    response = client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/security/"
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert anonymous.get("/api/v1/me", **api).status_code == 401

    revoked = AuditEvent.objects.filter(verb="token.revoke", object_id=str(token.pk))
    assert revoked.count() == 1
    assert revoked.get().actor_id == people["employee"].pk
    page = client.get("/accounts/security/").content.decode()
    assert f"令牌 {token.name} 已撤销" in page
    assert "已撤销</span>" in page

    # revoking again changes nothing and writes no second event
    client.post(f"/accounts/tokens/{token.pk}/revoke/")
    assert revoked.count() == 1


@pytest.mark.parametrize("days", ["0", "367", "-5", "100000"])
def test_days_out_of_range_are_refused_with_a_message(login, enterprise, days):
    _org, people = enterprise
    client = login(people["officer"])
    response = create_on_page(client, days=days)
    assert response.status_code == 200
    body = response.content.decode()
    assert "有效期应为 1 至 366 天" in body
    assert 'id="new-token"' not in body
    assert not AccessToken.objects.exists()
    assert not AuditEvent.objects.filter(verb="token.create").exists()


@pytest.mark.parametrize("days", ["1", "366"])
def test_days_at_the_limits_are_accepted(login, enterprise, days):
    _org, people = enterprise
    client = login(people["officer"])
    assert 'id="new-token"' in create_on_page(client, days=days).content.decode()
    token = AccessToken.objects.get()
    assert (token.expires_at - token.created_at).days == int(days)


def test_name_is_required(login, enterprise):
    _org, people = enterprise
    body = create_on_page(login(people["officer"]), name="   ").content.decode()
    assert 'id="new-token"' not in body
    assert "is-invalid" in body
    assert not AccessToken.objects.exists()


def test_token_belongs_to_the_active_organisation(login, enterprise, make_org):
    org, people = enterprise
    firm = make_org("provider")
    user = people["manager"]
    actions.membership_add(actor=None, user=user, organisation=firm, role="expert")
    client = login(user, organisation=firm)
    create_on_page(client)
    assert AccessToken.objects.get().organisation_id == firm.pk


def test_a_user_cannot_revoke_another_users_token(login, enterprise, other_enterprise):
    org, people = enterprise
    token, secret = actions.token_create(actor=people["officer"], organisation=org, name="保密员脚本")
    intruders = [people["admin"], other_enterprise[1]["admin"]]
    for intruder in intruders:
        response = login(intruder).post(f"/accounts/tokens/{token.pk}/revoke/")
        assert response.status_code == 404
    missing = login(people["admin"]).post(f"/accounts/tokens/{token.pk + 1000}/revoke/")
    assert missing.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(verb="token.revoke").exists()
    assert login(people["admin"]).get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").json()["id"] == (
        people["officer"].pk
    )


def test_security_page_lists_only_ones_own_tokens(login, enterprise):
    org, people = enterprise
    actions.token_create(actor=people["officer"], organisation=org, name="保密员的令牌")
    actions.token_create(actor=people["admin"], organisation=org, name="管理员的令牌")
    page = login(people["officer"]).get("/accounts/security/").content.decode()
    assert "保密员的令牌" in page
    assert "管理员的令牌" not in page


def test_expired_token_is_refused_by_the_api(client, enterprise):
    org, people = enterprise
    token, secret = actions.token_create(actor=people["officer"], organisation=org, name="旧令牌", days=1)
    AccessToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_token_of_an_ended_membership_is_refused_by_the_api(client, enterprise):
    org, people = enterprise
    _token, secret = actions.token_create(actor=people["employee"], organisation=org, name="离职员工的令牌")
    membership = Membership.objects.get(user=people["employee"], organisation=org)
    actions.membership_deactivate(actor=people["admin"], membership=membership)
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_token_create_needs_post(login, enterprise):
    _org, people = enterprise
    assert login(people["officer"]).get("/accounts/tokens/").status_code == 405
    assert not AccessToken.objects.exists()
