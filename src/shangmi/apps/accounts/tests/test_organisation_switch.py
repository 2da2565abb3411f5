"""A user in several organisations switches between them; never into one they do not belong to."""

import pytest

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.middleware import SESSION_ORG_KEY
from shangmi.apps.accounts.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_org_user(enterprise, make_org):
    """The enterprise's manager, also a lawyer at a law firm."""
    org, people = enterprise
    firm = make_org("provider", name="丙律师事务所")
    user = people["manager"]
    actions.membership_add(actor=None, user=user, organisation=firm, role="lawyer")
    return user, org, firm


def active_org_id(client):
    return client.session.get(SESSION_ORG_KEY)


def test_first_organisation_is_active_and_the_navbar_offers_both(login, two_org_user):
    user, org, firm = two_org_user
    client = login(user)
    body = client.get("/").content.decode()
    assert active_org_id(client) == org.pk  # enterprises sort before providers
    assert 'id="org-switch"' in body
    assert f'<option value="{org.pk}" selected>{org.name} · 管理者</option>' in body
    assert f'<option value="{firm.pk}" >{firm.name} · 律师</option>' in body


def test_switch_changes_the_active_organisation(login, two_org_user):
    user, org, firm = two_org_user
    client = login(user)
    response = client.post("/accounts/switch/", {"organisation": str(firm.pk), "next": "/accounts/inbox/"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inbox/"
    assert active_org_id(client) == firm.pk
    body = client.get("/").content.decode()
    assert f"已切换到 {firm.name}" in body
    assert f'<option value="{firm.pk}" selected>' in body
    assert client.get("/api/v1/me").json()["organisation"]["id"] == firm.pk

    client.post("/accounts/switch/", {"organisation": str(org.pk)})
    assert active_org_id(client) == org.pk


def test_switch_ignores_a_next_on_another_host(login, two_org_user):
    user, _org, firm = two_org_user
    client = login(user)
    response = client.post("/accounts/switch/", {"organisation": firm.pk, "next": "https://evil.example/x"})
    assert response["Location"] == "/"


@pytest.mark.parametrize("value", ["foreign", "missing", "", "abc"])
def test_switch_to_an_organisation_one_is_not_in_is_404_and_changes_nothing(
    login, two_org_user, other_enterprise, value
):
    user, org, _firm = two_org_user
    foreign, _people = other_enterprise
    target = {"foreign": str(foreign.pk), "missing": "999999", "": "", "abc": "abc"}[value]
    client = login(user)
    client.get("/")
    assert active_org_id(client) == org.pk
    response = client.post("/accounts/switch/", {"organisation": target})
    assert response.status_code == 404
    assert active_org_id(client) == org.pk
    assert foreign.name not in client.get("/").content.decode()


def test_switch_to_an_organisation_whose_membership_ended_is_404(login, two_org_user):
    user, org, firm = two_org_user
    client = login(user)
    membership = Membership.objects.get(user=user, organisation=firm)
    actions.membership_deactivate(actor=None, membership=membership)
    response = client.post("/accounts/switch/", {"organisation": str(firm.pk)})
    assert response.status_code == 404
    assert active_org_id(client) == org.pk


def test_switch_needs_post(login, two_org_user):
    user, org, firm = two_org_user
    client = login(user)
    assert client.get("/accounts/switch/", {"organisation": firm.pk}).status_code == 405
    assert active_org_id(client) == org.pk


def test_ended_membership_of_the_active_organisation_falls_back_to_another(login, two_org_user):
    user, org, firm = two_org_user
    client = login(user, organisation=firm)
    assert client.get("/api/v1/me").json()["organisation"]["id"] == firm.pk
    actions.membership_deactivate(actor=None, membership=Membership.objects.get(user=user, organisation=firm))
    assert client.get("/api/v1/me").json()["organisation"]["id"] == org.pk
    assert active_org_id(client) == org.pk


def test_user_with_one_organisation_sees_no_switcher(login, enterprise):
    org, people = enterprise
    body = login(people["employee"]).get("/").content.decode()
    assert 'id="org-switch"' not in body
    assert (
        f'<span class="navbar-text small d-none d-md-inline" id="active-org">{org.name} · 员工</span>' in body
    )
