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


def _sidebar(body: str) -> list[tuple[str, bool]]:
    import re

    nav = re.search(r'<nav class="nav nav-pills.*?</nav>', body, re.S).group(0)
    return [
        (re.sub(r"<[^>]+>", "", link).strip(), 'aria-current="page"' in link)
        for link in re.findall(r"<a class=\"nav-link.*?</a>", nav, re.S)
    ]


def test_the_cached_sidebar_follows_the_page_the_role_and_the_language(enterprise, login, client):
    """The sidebar is cached (base.html, nav_key): the active entry, the entries and the language still
    follow each request."""
    _org, people = enterprise
    officer = login(people["officer"])
    on_register = _sidebar(officer.get("/registry/").content.decode())
    assert [label for label, active in on_register if active] == ["商业秘密台账"]
    on_dashboard = _sidebar(officer.get("/").content.decode())
    assert [label for label, active in on_dashboard if active] == ["工作台"]
    assert [label for label, _a in on_dashboard] == [label for label, _a in on_register]
    employee = _sidebar(login(people["employee"]).get("/").content.decode())
    assert len(employee) < len(on_dashboard)  # an employee's menu is shorter than the officer's
    officer.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = _sidebar(officer.get("/").content.decode())
    assert [label for label, active in english if active] == ["Dashboard"]
