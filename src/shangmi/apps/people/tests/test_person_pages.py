"""The person page: record, onboarding checklist, agreements, trainings, departure link and one timeline
whose records and receipts download and verify; who may see which person."""

from __future__ import annotations

import hashlib
import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shangmi.apps.evidence.log_service import include_pending, verifier_key
from shangmi.apps.people.actions import trainings as training_actions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.models import Agreement, Departure, Employee, PeoplePolicy, PersonEvent
from shangmi.apps.people.onboarding import onboarding_checklist
from shangmi.apps.people.queries import policy_of
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db


def _person(org, number, *, user=None, state="employed", hired_on=date(2024, 1, 1), key=False):
    return Employee.objects.create(
        organisation=org,
        number=number,
        name=f"员工{number}",
        user=user,
        state=state,
        hired_on=hired_on,
        is_key_person=key,
    )


def _agreement(org, person, kind, state="signed", number=None, signed_on=date(2024, 1, 2)):
    return Agreement.objects.create(
        organisation=org,
        kind=kind,
        number=number or f"{kind}-{person.number}",
        employee=person,
        state=state,
        template_version="test/1",
        signed_on=signed_on if state == "signed" else None,
    )


@pytest.fixture
def hired(enterprise, members):
    """A person with a HIRE record, a signed NDA, a sent clean-hands pledge and one training."""
    org, people = enterprise
    person = _person(org, "E1", user=people["employee"], key=True)
    record_person_event(
        member=members["officer"],
        organisation=org,
        kind="hire",
        employee=person,
        data={"number": "E1"},
        summary="登记入职",
    )
    _agreement(org, person, "nda")
    _agreement(org, person, "clean_hands", state="sent")
    training = training_actions.training_add(
        member=members["officer"], topic="入职保密培训", held_on=date(2024, 1, 20), trainer="王老师"
    )
    training_actions.attendance_record(member=members["officer"], training=training, employee=person)
    return person


def test_person_page_shows_everything_and_one_timeline(login, enterprise, hired):
    org, people = enterprise
    Departure.objects.create(
        organisation=org, employee=hired, resignation_on=date(2026, 1, 5), last_day=date(2026, 2, 5)
    )
    body = login(people["officer"]).get(f"/people/{hired.pk}/").content.decode()
    assert "员工E1（E1）" in body
    assert 'id="person-entrusted">是 · 关键人员' in body
    agreements = re.search(r'id="person-agreements">(.*?)</table>', body, re.S).group(1)
    assert "员工保密合同" in agreements and "已签署" in agreements and "已发送" in agreements
    checklist = dict(re.findall(r'data-item="(\w+)" data-state="(\w+)"', body))
    assert checklist == {"clean_hands": "missing", "nda": "done", "training": "done"}
    assert "入职保密培训" in re.search(r'id="person-trainings">(.*?)</table>', body, re.S).group(1)
    departure = Departure.objects.get()
    assert f'href="/people/departures/{departure.pk}/"' in body
    kinds = re.findall(r'<li data-event="people-\d+" data-kind="(\w+)">', body)
    assert kinds == ["hire", "training"]
    assert (
        body.count('class="badge text-bg-warning deposit-state">待入链<') == 2 and "event-receipt" not in body
    )
    assert 'id="person-dossier"' in body
    include_pending()
    body = login(people["officer"]).get(f"/people/{hired.pk}/").content.decode()
    assert body.count('class="badge text-bg-success deposit-state">已入链<') == 2
    for event in PersonEvent.objects.filter(employee=hired):
        assert f'href="/people/events/{event.pk}/record.json"' in body
        assert f'href="/people/events/{event.pk}/receipt"' in body


def test_record_and_receipt_download_and_verify(login, enterprise, hired):
    _org, people = enterprise
    client = login(people["officer"])
    event = PersonEvent.objects.select_related("deposit").get(employee=hired, kind="training")
    record = client.get(f"/people/events/{event.pk}/record.json")
    assert record.status_code == 200 and record["Content-Type"] == "application/json; charset=utf-8"
    assert record["Content-Disposition"] == f'attachment; filename="E1-training-{event.pk}.json"'
    assert record.content == event.record.encode()
    assert hashlib.sha256(record.content).hexdigest() == event.deposit.sha256
    pending = client.get(f"/people/events/{event.pk}/receipt")
    assert pending.status_code == 409
    include_pending()
    receipt = client.get(f"/people/events/{event.pk}/receipt")
    assert receipt.status_code == 200
    assert receipt["Content-Disposition"] == f'attachment; filename="E1-training-{event.pk}.receipt"'
    verdict = verify_receipt(
        receipt.content, material=digest_bytes(record.content), trusted_vkey=verifier_key()
    )
    assert verdict.valid, [(c.name, c.detail) for c in verdict.checks]
    # A receipt does not verify another record.
    other = PersonEvent.objects.get(employee=hired, kind="hire")
    assert not verify_receipt(receipt.content, material=digest_bytes(other.record.encode())).valid


def test_employee_sees_only_own_page(login, enterprise, hired):
    org, people = enterprise
    someone = _person(org, "E2")
    record_person_event(member=None, organisation=org, kind="hire", employee=someone, data={})
    client = login(people["employee"])
    body = client.get(f"/people/{hired.pk}/").content.decode()
    assert "员工E1" in body and 'id="person-dossier"' not in body and "person-resign" not in body
    event = PersonEvent.objects.filter(employee=hired).first()
    assert client.get(f"/people/events/{event.pk}/record.json").status_code == 200
    assert client.get(f"/people/{someone.pk}/").status_code == 404
    foreign_event = PersonEvent.objects.get(employee=someone)
    for url in (
        f"/people/events/{foreign_event.pk}/record.json",
        f"/people/events/{foreign_event.pk}/receipt",
    ):
        assert client.get(url).status_code == 404
    assert client.get(f"/people/{hired.pk}/dossier.zip").status_code == 403


def test_manager_reads_any_page_without_write_buttons(login, enterprise, hired):
    _org, people = enterprise
    body = login(people["manager"]).get(f"/people/{hired.pk}/").content.decode()
    assert "员工E1" in body and 'id="person-dossier"' in body and "person-resign" not in body


def test_other_enterprise_and_missing_are_404(login, enterprise, other_enterprise, hired):
    _org, _people = enterprise
    _other, other_people = other_enterprise
    event = PersonEvent.objects.filter(employee=hired).first()
    for role in ("officer", "employee"):
        client = login(other_people[role])
        for url in (
            f"/people/{hired.pk}/",
            f"/people/{hired.pk}/dossier.zip",
            f"/people/events/{event.pk}/record.json",
            f"/people/events/{event.pk}/receipt",
            "/people/987654/",
            "/people/events/987654/record.json",
        ):
            assert client.get(url).status_code == 404, (role, url)


def test_anonymous_is_sent_to_login(client, hired):
    event = PersonEvent.objects.filter(employee=hired).first()
    for url in (
        f"/people/{hired.pk}/",
        f"/people/{hired.pk}/dossier.zip",
        f"/people/events/{event.pk}/record.json",
        f"/people/events/{event.pk}/receipt",
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_person_pages_refuse_writes(login, enterprise, hired):
    _org, people = enterprise
    before = PersonEvent.objects.count()
    client = login(people["officer"])
    for url in (f"/people/{hired.pk}/", f"/people/{hired.pk}/dossier.zip"):
        assert client.post(url).status_code == 405
    assert PersonEvent.objects.count() == before


def test_onboarding_checklist_states(enterprise, members):
    org, _people = enterprise
    today = date(2026, 6, 15)
    policy = policy_of(org.pk)
    assert policy.first_training_days == 30 and policy.pk is None
    fresh = _person(org, "N1", state="onboarding", hired_on=today - timedelta(days=10))
    late = _person(org, "N2", state="onboarding", hired_on=today - timedelta(days=31))
    checklist = onboarding_checklist(fresh, policy, today)
    assert [(i.key, i.state) for i in checklist.items] == [
        ("clean_hands", "missing"),
        ("nda", "missing"),
        ("training", "due"),
    ]
    assert checklist.item("training").due_on == date(2026, 6, 5) + timedelta(days=30)
    overdue = onboarding_checklist(late, policy, today)
    assert overdue.item("training").state == "overdue" and overdue.overdue and not overdue.complete
    # A configured longer period makes the same person merely due.
    saved = PeoplePolicy.objects.create(organisation=org, first_training_days=60)
    assert onboarding_checklist(late, saved, today).item("training").state == "due"
    # Signed agreements and a failed quiz: the training item stays open until a pass.
    _agreement(org, late, "nda")
    _agreement(org, late, "clean_hands")
    quiz = training_actions.training_add(
        member=members["officer"], topic="测验", held_on=today, trainer="王", pass_mark=60
    )
    attendance = training_actions.attendance_record(
        member=members["officer"], training=quiz, employee=late, score=50
    )
    result = onboarding_checklist(late, policy, today)
    assert [i.state for i in result.items] == ["done", "done", "overdue"]
    attendance.score = 80
    attendance.save(update_fields=["score"])
    result = onboarding_checklist(late, policy, today)
    assert result.complete
    assert "逾期完成" in result.item("training").detail
    assert timezone.is_aware(timezone.now())


def test_officer_sees_the_steps_that_apply(login, enterprise):
    org, people = enterprise
    newcomer = _person(org, "N9", state="onboarding", hired_on=date(2026, 1, 1))
    body = login(people["officer"]).get(f"/people/{newcomer.pk}/").content.decode()
    assert f'href="/people/{newcomer.pk}/employ/"' in body and f'href="/people/{newcomer.pk}/edit/"' in body
    assert f'href="/people/{newcomer.pk}/resign/"' in body
    assert 'id="timeline-empty"' in body
    left = _person(org, "L9", state="left")
    body = login(people["officer"]).get(f"/people/{left.pk}/").content.decode()
    assert "person-employ" not in body and "person-resign" not in body


def test_acknowledgements_of_grants_join_the_person_timeline_and_dossier(login, enterprise, members):
    """Point 4's evidence on point 8's timeline: the person's 知悉确认 from the register."""
    import io
    import zipfile

    from shangmi.apps.people.dossier import dossier_zip
    from shangmi.apps.registry import actions as registry

    org, people = enterprise
    person = _person(org, "A1", user=people["employee"])
    secret = registry.secret_apply(
        member=members["officer"],
        points=[("冷却水路", "分三路")],
        name="压铸模具冷却水路图",
        category="technical",
        subcategory="drawing",
        description="模具冷却",
        level="important",
        period_kind="long_term",
        department="研发部",
    )
    grant = registry.grant_add(
        member=members["officer"], secret=secret, user=people["employee"], reason="模具维护"
    )
    registry.grant_acknowledge(member=members["employee"], grant=grant)
    include_pending()

    for viewer in ("officer", "employee"):
        body = login(people[viewer]).get(f"/people/{person.pk}/").content.decode()
        entry = re.search(r'<li data-event="register-(\d+)" data-kind="grant_ack">(.*?)</li>', body, re.S)
        assert entry and secret.code in entry.group(2), viewer
        record = login(people[viewer]).get(f"/registry/events/{entry.group(1)}/record/")
        assert record.status_code == 200 and b"grant-ack/2" in record.content

    with zipfile.ZipFile(io.BytesIO(dossier_zip(person))) as archive:
        names = archive.namelist()
        [stem] = [
            n[: -len(".json")]
            for n in names
            if n.startswith("records/") and "register-" in n and n.endswith(".json")
        ]
        assert f"{stem}.receipt" in names
        record = archive.read(f"{stem}.json")
        receipt = archive.read(f"{stem}.receipt").decode()
    assert verify_receipt(receipt, material=digest_bytes(record), trusted_vkey=verifier_key()).valid
