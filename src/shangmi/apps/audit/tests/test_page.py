"""The audit page (/audit/) and its .xlsx export: who may see it, filters, pages, HTMX fragment."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
from django.db import transaction
from django.utils import timezone
from openpyxl import load_workbook

from shangmi.apps.accounts import actions as accounts
from shangmi.apps.audit.actions import audit_record
from shangmi.apps.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
ROW = re.compile(r"<tr><td>(\d+)</td>")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def seqs_on(response) -> list[int]:
    return [int(n) for n in ROW.findall(response.content.decode())]


def record(org, verb: str, actor=None, obj_repr: str = "", n: int = 1, **extra) -> list[AuditEvent]:
    events = []
    with transaction.atomic():
        for _ in range(n):
            event = audit_record(organisation=org, actor=actor, verb=verb, **extra)
            if obj_repr:
                AuditEvent.objects.filter(pk=event.pk).update(object_repr=obj_repr)
            events.append(event)
    return events


def all_seqs(org, **filters) -> list[int]:
    return list(
        AuditEvent.objects.filter(organisation=org, **filters).order_by("-seq").values_list("seq", flat=True)
    )


class TestWhoMaySee:
    @pytest.mark.parametrize("role", ["admin", "officer"])
    def test_admins_and_officers_see_their_organisations_trail(self, enterprise, login, role):
        org, people = enterprise
        response = login(people[role]).get("/audit/")
        assert response.status_code == 200
        assert seqs_on(response) == all_seqs(org)
        assert "organisation.create" in response.content.decode()

    @pytest.mark.parametrize("role", ["manager", "employee"])
    @pytest.mark.parametrize("path", ["/audit/", "/audit/export.xlsx", "/audit/?q=membership"])
    def test_managers_and_employees_are_refused(self, enterprise, login, role, path):
        org, people = enterprise
        before = AuditEvent.objects.count()
        response = login(people[role]).get(path)
        assert response.status_code == 403
        assert "organisation.create" not in response.content.decode()
        assert AuditEvent.objects.count() == before

    def test_anonymous_is_sent_to_login(self, client):
        response = client.get("/audit/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")

    def test_only_the_active_organisations_events_are_listed(self, enterprise, other_enterprise, login):
        org, people = enterprise
        other, _ = other_enterprise
        accounts.membership_add(actor=None, user=people["admin"], organisation=other, role="officer")
        record(org, "mine.only", obj_repr="甲的秘密")
        record(other, "theirs.only", obj_repr="乙的秘密")

        in_first = login(people["admin"], organisation=org).get("/audit/")
        body = in_first.content.decode()
        assert seqs_on(in_first) == all_seqs(org)
        assert "甲的秘密" in body and "乙的秘密" not in body and "theirs.only" not in body

        in_second = login(people["admin"], organisation=other).get("/audit/")
        body = in_second.content.decode()
        assert seqs_on(in_second) == all_seqs(other)
        assert "乙的秘密" in body and "甲的秘密" not in body

        workbook = load_workbook(
            BytesIO(login(people["admin"], organisation=other).get("/audit/export.xlsx").content)
        )
        assert [row[3] for row in workbook.active.iter_rows(min_row=3, values_only=True)].count(
            "mine.only"
        ) == 0


class TestFilters:
    @pytest.fixture
    def trail(self, enterprise):
        org, people = enterprise
        officer = people["officer"]
        designate = record(org, "secret.designate", actor=officer, obj_repr="配方 A", n=3)
        destroy = record(org, "secret.destroy", actor=people["manager"], obj_repr="旧图纸 B")
        return org, people, designate, destroy

    def test_verb_filter_matches_exactly_the_chosen_verb(self, trail, login):
        org, people, designate, _destroy = trail
        response = login(people["officer"]).get("/audit/", {"verb": "secret.designate"})
        assert seqs_on(response) == sorted((e.seq for e in designate), reverse=True)

    def test_verb_filter_is_a_prefix_so_a_family_can_be_chosen(self, trail, login):
        org, people, designate, destroy = trail
        response = login(people["officer"]).get("/audit/", {"verb": "secret."})
        assert seqs_on(response) == sorted((e.seq for e in [*designate, *destroy]), reverse=True)

    def test_actor_filter(self, trail, login):
        org, people, _designate, destroy = trail
        response = login(people["officer"]).get("/audit/", {"actor": people["manager"].name})
        assert seqs_on(response) == [destroy[0].seq]

    def test_free_text_searches_object_verb_and_actor(self, trail, login):
        org, people, designate, destroy = trail
        client = login(people["officer"])
        assert seqs_on(client.get("/audit/", {"q": "旧图纸"})) == [destroy[0].seq]
        assert seqs_on(client.get("/audit/", {"q": "designate"})) == sorted(
            (e.seq for e in designate), reverse=True
        )
        assert seqs_on(client.get("/audit/", {"q": "no such thing"})) == []
        assert "没有符合条件的审计事件" in client.get("/audit/", {"q": "no such thing"}).content.decode()

    def test_dates_are_whole_local_days_with_both_ends_included(self, enterprise, login):
        org, people = enterprise
        late, early, later = record(org, "test.dated", n=3)
        # 23:30 on 1 March in Shanghai is 15:30 UTC; 00:10 on 2 March is 16:10 UTC on 1 March.
        moments = {
            late.pk: datetime(2026, 3, 1, 23, 30, tzinfo=SHANGHAI),
            early.pk: datetime(2026, 3, 2, 0, 10, tzinfo=SHANGHAI),
            later.pk: datetime(2026, 3, 5, 12, 0, tzinfo=SHANGHAI),
        }
        for pk, moment in moments.items():
            AuditEvent.objects.filter(pk=pk).update(created_at=moment)
        client = login(people["officer"])
        verb = {"verb": "test.dated"}
        assert seqs_on(client.get("/audit/", {**verb, "date_to": "2026-03-01"})) == [late.seq]
        assert seqs_on(client.get("/audit/", {**verb, "date_from": "2026-03-02"})) == [later.seq, early.seq]
        assert seqs_on(
            client.get("/audit/", {**verb, "date_from": "2026-03-02", "date_to": "2026-03-02"})
        ) == [early.seq]
        assert seqs_on(
            client.get("/audit/", {**verb, "date_from": "2026-03-01", "date_to": "2026-03-05"})
        ) == [
            later.seq,
            early.seq,
            late.seq,
        ]

    def test_reversed_date_range_shows_the_form_error_and_no_events(self, enterprise, login):
        org, people = enterprise
        response = login(people["officer"]).get(
            "/audit/", {"date_from": "2026-03-05", "date_to": "2026-03-01"}
        )
        assert response.status_code == 200
        body = response.content.decode()
        assert "起始日期不能晚于截止日期" in body
        assert seqs_on(response) == []

    def test_a_malformed_date_names_the_field_and_other_filters_still_apply(self, trail, login):
        org, people, _designate, destroy = trail
        response = login(people["officer"]).get("/audit/", {"date_from": "yesterday", "q": "旧图纸"})
        body = response.content.decode()
        assert "起始日期：" in body
        assert seqs_on(response) == [destroy[0].seq]


class TestPagesAndFragments:
    def test_fifty_events_per_page(self, enterprise, login):
        org, people = enterprise
        record(org, "bulk.event", n=115)
        total = AuditEvent.objects.filter(organisation=org).count()
        assert total == 120  # organisation.create + 4 members + 115
        client = login(people["officer"])
        assert seqs_on(client.get("/audit/")) == list(range(120, 70, -1))
        assert seqs_on(client.get("/audit/", {"page": 2})) == list(range(70, 20, -1))
        last = client.get("/audit/", {"page": 3})
        assert seqs_on(last) == list(range(20, 0, -1))
        assert "共 120 条，第 101–120 条" in last.content.decode()
        assert seqs_on(client.get("/audit/", {"page": 99})) == list(
            range(20, 0, -1)
        )  # past the end: last page

    def test_page_links_keep_the_filters(self, enterprise, login):
        org, people = enterprise
        record(org, "bulk.event", n=60)
        response = login(people["officer"]).get("/audit/", {"verb": "bulk.event"})
        assert len(seqs_on(response)) == 50
        assert 'href="?verb=bulk.event&page=2"' in response.content.decode()
        assert len(seqs_on(login(people["officer"]).get("/audit/", {"verb": "bulk.event", "page": 2}))) == 10

    def test_htmx_request_gets_only_the_results_fragment(self, enterprise, login):
        org, people = enterprise
        client = login(people["officer"])
        full = client.get("/audit/", {"verb": "membership.add"}).content.decode()
        fragment = client.get(
            "/audit/", {"verb": "membership.add"}, headers={"HX-Request": "true"}
        ).content.decode()
        assert "<html" in full and "<form" in full and 'id="results"' in full
        assert "<html" not in fragment and "<form" not in fragment and 'id="results"' not in fragment
        assert fragment.strip().startswith(
            '<div class="table-responsive"><table class="table table-sm table-hover'
        )
        assert (
            ROW.findall(fragment)
            == ROW.findall(full)
            == [str(s) for s in all_seqs(org, verb="membership.add")]
        )

    def test_htmx_fragment_carries_the_form_error(self, enterprise, login):
        org, people = enterprise
        fragment = login(people["officer"]).get(
            "/audit/", {"date_from": "2026-03-05", "date_to": "2026-03-01"}, headers={"HX-Request": "true"}
        )
        assert "起始日期不能晚于截止日期" in fragment.content.decode()
        assert "<form" not in fragment.content.decode()


class TestExport:
    def _sheet(self, response):
        assert response.status_code == 200
        assert response["Content-Type"] == XLSX
        workbook = load_workbook(BytesIO(response.content))
        assert workbook.sheetnames == ["审计日志"]
        return list(workbook.active.iter_rows(values_only=True))

    def test_export_holds_a_header_and_one_row_per_event_with_hashes(self, enterprise, login):
        org, people = enterprise
        record(org, "secret.designate", actor=people["officer"], obj_repr="配方 A", changes={"level": "core"})
        record(org, "test.ip", ip="203.0.113.9")
        response = login(people["officer"]).get("/audit/export.xlsx")
        assert re.fullmatch(
            rf'attachment; filename="audit-{org.short_code}-\d{{8}}-\d{{4}}\.xlsx"',
            response["Content-Disposition"],
        )
        rows = self._sheet(response)
        assert rows[0][0].startswith(f"{org.name} — 审计日志 (")
        assert rows[1] == (
            "序号",
            "时间",
            "操作人",
            "操作",
            "对象",
            "IP 地址",
            "哈希（SHA-256）",
            "前一哈希",
            "变更内容",
        )
        events = list(AuditEvent.objects.filter(organisation=org).order_by("-seq"))
        assert len(rows) == 2 + len(events) == 2 + 7
        for row, event in zip(rows[2:], events, strict=True):
            assert row[0] == event.seq
            local = timezone.localtime(event.created_at).replace(tzinfo=None)
            assert abs(row[1] - local) < timedelta(milliseconds=1)  # Excel keeps times as fractions of a day
            assert row[2:] == (
                event.actor_label or None,
                event.verb,
                event.object_repr or None,
                event.ip,
                event.hash,
                event.prev_hash,
                json.dumps(event.changes, ensure_ascii=False, sort_keys=True) if event.changes else None,
            )
        assert rows[2][5] == "203.0.113.9"
        assert json.loads(rows[3][8]) == {"level": "core"}

    def test_export_follows_the_filters(self, enterprise, login):
        org, people = enterprise
        designated = record(org, "secret.designate", n=3)
        record(org, "secret.destroy")
        rows = self._sheet(login(people["admin"]).get("/audit/export.xlsx", {"verb": "secret.designate"}))
        assert [row[0] for row in rows[2:]] == sorted((e.seq for e in designated), reverse=True)
        assert {row[3] for row in rows[2:]} == {"secret.designate"}
        assert [row[6] for row in rows[2:]] == [e.hash for e in sorted(designated, key=lambda e: -e.seq)]

    def test_export_with_invalid_filters_is_refused_with_the_reason(self, enterprise, login):
        org, people = enterprise
        response = login(people["officer"]).get(
            "/audit/export.xlsx", {"date_from": "2026-03-05", "date_to": "2026-03-01"}
        )
        assert response.status_code == 400
        assert response.content.decode() == "起始日期不能晚于截止日期"
        bad_date = login(people["officer"]).get("/audit/export.xlsx", {"date_to": "soon"})
        assert bad_date.status_code == 400
        assert bad_date.content.decode().startswith("截止日期: ")


class TestApi:
    def test_officer_token_lists_only_its_organisations_events(self, enterprise, other_enterprise):
        from django.test import Client

        org, people = enterprise
        other, _ = other_enterprise
        record(other, "theirs.only")
        _token, secret = accounts.token_create(actor=people["officer"], organisation=org, name="audit")
        response = Client().get(
            "/api/v1/audit/events", {"verb": "membership."}, headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200
        body = response.json()
        assert body["count"] == 4
        assert [item["seq"] for item in body["items"]] == all_seqs(org, verb="membership.add")
        assert {item["hash"] for item in body["items"]} == set(
            AuditEvent.objects.filter(organisation=org, verb="membership.add").values_list("hash", flat=True)
        )

    def test_employee_token_is_refused(self, enterprise):
        from django.test import Client

        org, people = enterprise
        _token, secret = accounts.token_create(actor=people["employee"], organisation=org, name="audit")
        response = Client().get("/api/v1/audit/events", headers={"Authorization": f"Bearer {secret}"})
        assert response.status_code == 403
        assert response.json() == {"detail": "无权执行此操作", "errors": []}
