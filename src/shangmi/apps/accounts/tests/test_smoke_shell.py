"""The shell renders for each kind of organisation with counts from the database."""

import pytest

pytestmark = pytest.mark.django_db


def test_dashboard_shows_member_count_from_database(enterprise, login):
    org, people = enterprise
    response = login(people["officer"]).get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert org.name in body
    # four members were created by the fixture; the card counts them
    assert '<div class="stat-value">4</div>' in body


def test_anonymous_dashboard_redirects_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
