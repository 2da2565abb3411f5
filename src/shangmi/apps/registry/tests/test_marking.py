"""Marking: the mark text, the carrier label page and the sheet of labels, through the pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from shangmi.apps.audit.models import AuditEvent
from shangmi.apps.registry import actions
from shangmi.apps.registry.marking import mark_for, qr_svg
from shangmi.apps.registry.models import Carrier, SecretEvent

pytestmark = pytest.mark.django_db

WARNING = "本载体含有商业秘密，未经授权禁止复制、传播"


@pytest.fixture
def secret(members, application):
    return application(members["officer"], name="压铸模具温控曲线")


@pytest.fixture
def carrier(members, secret):
    return actions.carrier_add(
        member=members["officer"],
        secret=secret,
        kind="drawing",
        name="模具总装图 A 版",
        location="档案室 3 号柜",
    )


def _mark_lines(secret, carrier, headline):
    org = secret.organisation
    return [headline, f"编号：{secret.code} / {carrier.code}", f"权属：{org.name}", WARNING]


class TestMarkText:
    def test_long_term_core(self, secret, carrier):
        mark = mark_for(carrier)
        assert mark.lines() == _mark_lines(secret, carrier, "核心商业秘密★长期")
        assert mark.text == "\n".join(mark.lines())
        assert carrier.code == f"{secret.code}-C01"

    def test_dated_period_and_levels(self, members, application):
        until = timezone.localdate() + timedelta(days=400)
        secret = application(
            members["officer"], level="important", period_kind="date", period_until=until, points=[("a", "")]
        )
        carrier = actions.carrier_add(member=members["officer"], secret=secret, kind="paper", name="工艺卡")
        assert mark_for(carrier).headline == f"重要商业秘密★至{until.isoformat()}"

    def test_until_public_general(self, members, application):
        secret = application(members["officer"], level="general", period_kind="until_public")
        carrier = actions.carrier_add(member=members["officer"], secret=secret, kind="sample", name="样件")
        assert mark_for(carrier).headline == "一般商业秘密★至公开"


class TestCarrierLabelPage:
    def test_officer_gets_mark_text_copy_button_label_and_print(self, members, login, secret, carrier):
        url = reverse("registry:carrier_label", args=[carrier.pk])
        response = login(members["officer"].user).get(url)
        assert response.status_code == 200
        html = response.content.decode()
        lines = _mark_lines(secret, carrier, "核心商业秘密★长期")
        assert f'id="mark-text">{chr(10).join(lines)}</pre>' in html
        assert 'data-copy="#mark-text"' in html
        # The label: the same lines, and a QR code of the absolute URL of the public proof page.
        for line in lines:
            assert f">{line}</div>" in html
        proof = f"http://testserver/registry/l/{carrier.label_token}/"
        assert str(qr_svg(proof)) in html
        assert f'href="{proof}"' in html
        assert "data-print" in html and "打印" in html
        assert "shangmi/registry/labels.css" in html
        # CSP: every script carries the nonce; no inline handlers.
        scripts = re.findall(r"<script[^>]*>", html)
        assert scripts and all("nonce=" in tag for tag in scripts)
        assert not re.search(r"\son[a-z]+=", html)
        assert f'href="{reverse("registry:labels", args=[secret.pk])}"' in html
        assert f'action="/registry/carriers/{carrier.pk}/mark/"' in html
        assert f'href="/registry/{secret.pk}/"' in html

    def test_qr_code_uses_error_correction_m(self):
        import segno

        url = "http://testserver/registry/l/abc/"
        code = segno.make(url, error="m", boost_error=False, micro=False)
        assert code.error == "M"
        assert str(qr_svg(url)).startswith('<svg viewBox="0 0 ')
        assert 'class="label-qr"' in str(qr_svg(url))

    def test_marked_carrier_offers_no_marking(self, members, login, carrier):
        actions.carrier_mark(member=members["officer"], carrier=carrier)
        html = login(members["officer"].user).get(reverse("registry:carrier_label", args=[carrier.pk]))
        html = html.content.decode()
        assert 'id="marking-state">已标识<' in html
        assert 'id="carrier-mark"' not in html

    def test_manager_sees_the_mark_but_may_not_mark(self, members, login, carrier):
        response = login(members["manager"].user).get(reverse("registry:carrier_label", args=[carrier.pk]))
        assert response.status_code == 200
        assert 'id="mark-text"' in response.content.decode()
        assert 'id="carrier-mark"' not in response.content.decode()

    def test_employee_without_a_grant_gets_not_found(self, members, login, carrier):
        before = (Carrier.objects.get(pk=carrier.pk).marking, SecretEvent.objects.count())
        client = login(members["employee"].user)
        response = client.get(reverse("registry:carrier_label", args=[carrier.pk]))
        missing = client.get(reverse("registry:carrier_label", args=[987654]))
        assert response.status_code == missing.status_code == 404
        assert "模具总装图" not in response.content.decode()
        assert (Carrier.objects.get(pk=carrier.pk).marking, SecretEvent.objects.count()) == before

    def test_employee_with_an_acknowledged_grant_sees_the_mark(self, members, login, secret, carrier):
        grant = actions.grant_add(
            member=members["officer"], secret=secret, user=members["employee"].user, reason="工艺改进"
        )
        client = login(members["employee"].user)
        label = reverse("registry:carrier_label", args=[carrier.pk])
        assert client.get(label).status_code == 404  # not before the acknowledgement
        actions.grant_acknowledge(member=members["employee"], grant=grant)
        response = client.get(label)
        assert response.status_code == 200
        assert secret.code in response.content.decode()
        assert 'id="carrier-mark"' not in response.content.decode()

    def test_other_organisation_gets_not_found(self, other_enterprise, login, carrier):
        _org, people = other_enterprise
        client = login(people["officer"])
        response = client.get(reverse("registry:carrier_label", args=[carrier.pk]))
        assert response.status_code == 404
        assert "模具总装图" not in response.content.decode()

    def test_regulator_is_refused(self, make_org, make_member, login, carrier):
        staff = make_member(make_org("regulator"), "staff")
        assert login(staff).get(reverse("registry:carrier_label", args=[carrier.pk])).status_code == 403

    def test_post_is_not_allowed_and_changes_nothing(self, members, login, carrier):
        before = (SecretEvent.objects.count(), AuditEvent.objects.count())
        client = login(members["officer"].user)
        assert client.post(reverse("registry:carrier_label", args=[carrier.pk])).status_code == 405
        assert (SecretEvent.objects.count(), AuditEvent.objects.count()) == before


class TestLabelSheet:
    def test_sheets_of_ten_for_active_carriers_only(self, members, login, secret):
        officer = members["officer"]
        carriers = [
            actions.carrier_add(member=officer, secret=secret, kind="paper", name=f"工艺卡 {n}")
            for n in range(12)
        ]
        actions.carrier_destroy(
            member=officer,
            carrier=carriers[0],
            method="shred",
            witness="王监销",
            destroyed_on=timezone.localdate(),
        )
        response = login(officer.user).get(reverse("registry:labels", args=[secret.pk]))
        assert response.status_code == 200
        html = response.content.decode()
        assert html.count('<div class="label-sheet">') == 2
        printed = re.findall(r'<div class="label" data-carrier="([^"]+)">', html)
        assert printed == sorted(c.code for c in carriers[1:])
        assert html.count('<svg viewBox="0 0 ') == 11
        assert html.count(WARNING) == 11
        assert 'id="label-count">11 个在用载体<' in html
        assert 'data-print id="print-labels"' in html
        for carrier in carriers[1:]:
            assert str(qr_svg(f"http://testserver/registry/l/{carrier.label_token}/")) in html

    def test_a_secret_without_carriers_shows_the_empty_state(self, members, login, secret):
        html = (
            login(members["officer"].user).get(reverse("registry:labels", args=[secret.pk])).content.decode()
        )
        assert "这项商业秘密没有在用的载体" in html
        assert "label-sheet" not in html.replace("labels.css", "")
        assert "data-print id=" not in html

    def test_other_organisation_gets_the_same_answer_as_for_a_missing_secret(
        self, other_enterprise, login, secret
    ):
        _org, people = other_enterprise
        client = login(people["admin"])
        foreign = client.get(reverse("registry:labels", args=[secret.pk]))
        missing = client.get(reverse("registry:labels", args=[987654]))
        assert foreign.status_code == missing.status_code == 404
        assert secret.code not in foreign.content.decode()
