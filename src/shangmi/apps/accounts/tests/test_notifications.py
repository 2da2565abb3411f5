"""The notifications inbox: listing, unread badge, opening (marks read, follows the link), privacy, paging."""

import re

import pytest

from shangmi.apps.accounts import actions
from shangmi.apps.accounts.models import Notification

pytestmark = pytest.mark.django_db

INBOX = "/accounts/inbox/"


def badge(html: str) -> int:
    """The unread count shown on the navbar bell (0 when no badge is shown)."""
    match = re.search(
        r'href="/accounts/inbox/"[^>]*>\s*<i class="bi bi-bell"></i>'
        r'(?:<span class="position-absolute[^"]*badge[^"]*">(\d+)</span>)?',
        html,
    )
    assert match, "no inbox bell in the navbar"
    return int(match.group(1) or 0)


def listed_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'action="/accounts/inbox/(\d+)/open/"', html)]


def test_sent_notification_is_listed_and_counted_in_the_badge(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    client = login(officer)
    assert badge(client.get("/").content.decode()) == 0

    n = actions.notification_send(
        recipient=officer, organisation=org, title="离职审计待处理", body="张三将于下周离职", link="/audit/"
    )
    page = client.get(INBOX).content.decode()
    assert listed_ids(page) == [n.pk]
    assert "离职审计待处理" in page
    assert "张三将于下周离职" in page
    assert badge(page) == 1
    assert badge(client.get("/").content.decode()) == 1


def test_opening_marks_read_and_follows_the_link(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    n = actions.notification_send(recipient=officer, organisation=org, title="请查看审计日志", link="/audit/")
    other = actions.notification_send(recipient=officer, organisation=org, title="另一条")
    client = login(officer)

    response = client.post(f"/accounts/inbox/{n.pk}/open/")
    assert response.status_code == 302
    assert response["Location"] == "/audit/"
    n.refresh_from_db()
    other.refresh_from_db()
    assert n.read_at is not None
    assert other.read_at is None
    assert badge(client.get(INBOX).content.decode()) == 1


def test_opening_without_a_link_or_with_a_foreign_link_returns_to_the_inbox(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    plain = actions.notification_send(recipient=officer, organisation=org, title="无链接")
    foreign = actions.notification_send(
        recipient=officer, organisation=org, title="外部链接", link="https://evil.example/phish"
    )
    client = login(officer)
    assert client.post(f"/accounts/inbox/{plain.pk}/open/")["Location"] == INBOX
    assert client.post(f"/accounts/inbox/{foreign.pk}/open/")["Location"] == INBOX
    assert Notification.objects.filter(read_at__isnull=True).count() == 0


def test_other_users_never_see_or_open_it(login, enterprise, other_enterprise):
    org, people = enterprise
    n = actions.notification_send(recipient=people["officer"], organisation=org, title="仅保密员可见")
    for intruder in (people["admin"], other_enterprise[1]["officer"]):
        client = login(intruder)
        page = client.get(INBOX).content.decode()
        assert "仅保密员可见" not in page
        assert listed_ids(page) == []
        assert badge(page) == 0
        assert client.post(f"/accounts/inbox/{n.pk}/open/").status_code == 404
        assert client.get("/api/v1/notifications").json()["count"] == 0
    n.refresh_from_db()
    assert n.read_at is None


def test_unread_filter_and_mark_all_read(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    first = actions.notification_send(recipient=officer, organisation=org, title="一")
    second = actions.notification_send(recipient=officer, organisation=org, title="二")
    client = login(officer)
    client.post(f"/accounts/inbox/{first.pk}/open/")
    assert listed_ids(client.get(INBOX, {"show": "unread"}).content.decode()) == [second.pk]
    assert sorted(listed_ids(client.get(INBOX).content.decode())) == [first.pk, second.pk]

    assert client.post("/accounts/inbox/read-all/")["Location"] == INBOX
    page = client.get(INBOX, {"show": "unread"}).content.decode()
    assert listed_ids(page) == []
    assert "没有通知" in page
    assert badge(page) == 0


def test_notifications_stay_with_their_organisation(login, enterprise, make_org):
    org, people = enterprise
    user = people["manager"]
    firm = make_org("provider", name="丙律师事务所")
    actions.membership_add(actor=None, user=user, organisation=firm, role="lawyer")
    at_org = actions.notification_send(recipient=user, organisation=org, title="企业的通知")
    at_firm = actions.notification_send(recipient=user, organisation=firm, title="律所的通知")
    personal = actions.notification_send(recipient=user, title="个人通知")

    client = login(user, organisation=org)
    page = client.get(INBOX).content.decode()
    assert sorted(listed_ids(page)) == sorted([at_org.pk, personal.pk])
    assert badge(page) == 2

    # "mark all read" in the enterprise leaves the law firm's notification unread
    client.post("/accounts/inbox/read-all/")
    assert Notification.objects.filter(read_at__isnull=True).get() == at_firm

    client.post("/accounts/switch/", {"organisation": firm.pk})
    page = client.get(INBOX).content.decode()
    assert sorted(listed_ids(page)) == sorted([at_firm.pk, personal.pk])
    assert badge(page) == 1


def test_inbox_pages_twenty_at_a_time_newest_first(login, enterprise):
    org, people = enterprise
    officer = people["officer"]
    sent = [
        actions.notification_send(recipient=officer, organisation=org, title=f"第{i}条") for i in range(25)
    ]
    newest_first = [n.pk for n in reversed(sent)]
    client = login(officer)

    first = client.get(INBOX).content.decode()
    assert listed_ids(first) == newest_first[:20]
    assert "共 25 条，第 1–20 条" in first
    assert 'href="?show=all&page=2"' in first
    assert badge(first) == 25

    second = client.get(INBOX, {"show": "all", "page": 2}).content.decode()
    assert listed_ids(second) == newest_first[20:]
    assert "共 25 条，第 21–25 条" in second

    # an htmx request gets only the rows fragment
    fragment = client.get(INBOX, {"page": 2}, HTTP_HX_REQUEST="true").content.decode()
    assert listed_ids(fragment) == newest_first[20:]
    assert "<html" not in fragment
