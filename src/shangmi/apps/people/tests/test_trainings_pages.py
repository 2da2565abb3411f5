"""Trainings pages and the onboarding overview: who may open each, the coverage figure and the untrained
list, the session form with its material file, bulk attendance, the material download, removal."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from shangmi.apps.people.actions import trainings as actions
from shangmi.apps.people.models import Attendance, Employee, PersonEvent, Training
from shangmi.engines.tlog.material import digest_bytes

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 slides"


def _person(org, number, *, key=False, user=None, state="employed", hired_on=date(2024, 1, 1)):
    return Employee.objects.create(
        organisation=org,
        number=number,
        name=f"员工{number}",
        is_key_person=key,
        user=user,
        state=state,
        hired_on=hired_on,
    )


@pytest.fixture
def session(members):
    return actions.training_add(
        member=members["officer"],
        topic="保密制度宣贯",
        held_on=timezone.localdate() - timedelta(days=10),
        trainer="王老师",
        pass_mark=60,
        material_name="制度.pdf",
        material_data=PDF,
    )


def _urls(training, attendance=None):
    urls = {
        "list": "/people/trainings/",
        "add": "/people/trainings/new/",
        "detail": f"/people/trainings/{training.pk}/",
        "edit": f"/people/trainings/{training.pk}/edit/",
        "material": f"/people/trainings/{training.pk}/material/",
        "onboarding": "/people/onboarding/",
    }
    if attendance is not None:
        urls["delete"] = f"/people/attendance/{attendance.pk}/delete/"
    return urls


def test_anonymous_is_sent_to_login(client, session):
    for url in [*_urls(session).values(), f"/people/trainings/{session.pk}/attendance/"]:
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_other_enterprise_gets_404_for_objects_and_empty_lists(
    login, session, enterprise, members, other_enterprise
):
    org, _people = enterprise
    attendance = actions.attendance_record(
        member=members["officer"], training=session, employee=_person(org, "E1")
    )
    _other, other_people = other_enterprise
    client = login(other_people["officer"])
    for name in ("detail", "edit", "material", "delete"):
        assert client.get(_urls(session, attendance)[name]).status_code == 404, name
    before = (Attendance.objects.count(), PersonEvent.objects.count())
    response = client.post(
        f"/people/trainings/{session.pk}/attendance/", {"employees": [attendance.employee_id]}
    )
    assert response.status_code == 404
    assert client.post(_urls(session, attendance)["delete"], {"reason": "x"}).status_code == 404
    assert (Attendance.objects.count(), PersonEvent.objects.count()) == before
    body = client.get("/people/trainings/").content.decode()
    assert "保密制度宣贯" not in body and 'id="coverage-percent">—<' in body


def test_employee_sees_only_own_trainings_and_no_officer_pages(login, enterprise, members, session):
    org, people = enterprise
    me = _person(org, "E1", user=people["employee"])
    other = _person(org, "E2")
    actions.attendance_record(member=members["officer"], training=session, employee=me, score=90)
    actions.attendance_record(member=members["officer"], training=session, employee=other, score=10)
    hidden = actions.training_add(
        member=members["officer"], topic="未参加的培训", held_on=date(2026, 1, 1), trainer="李"
    )
    client = login(people["employee"])
    body = client.get("/people/trainings/").content.decode()
    assert "保密制度宣贯" in body and "未参加的培训" not in body and 'id="coverage"' not in body
    row = re.search(rf'<tr data-training="{session.pk}">(.*?)</tr>', body, re.S).group(1)
    assert "我的成绩" in body and "<td>90 <span" in row and "合格" in row
    detail = client.get(f"/people/trainings/{session.pk}/").content.decode()
    assert "员工E1" in detail and "员工E2" not in detail and 'id="attendance-form"' not in detail
    assert client.get(f"/people/trainings/{session.pk}/material/").content == PDF
    assert client.get(f"/people/trainings/{hidden.pk}/").status_code == 404
    before = (Training.objects.count(), Attendance.objects.count())
    for url in ("/people/trainings/new/", f"/people/trainings/{session.pk}/edit/", "/people/onboarding/"):
        assert client.get(url).status_code == 403, url
    assert client.post("/people/trainings/new/", {"topic": "x"}).status_code == 403
    attendance = Attendance.objects.get(employee=me)
    assert client.post(f"/people/attendance/{attendance.pk}/delete/", {"reason": "x"}).status_code == 403
    response = client.post(f"/people/trainings/{session.pk}/attendance/", {"employees": [me.pk]})
    assert response.status_code == 403
    assert (Training.objects.count(), Attendance.objects.count()) == before


def test_list_shows_coverage_and_untrained(login, enterprise, members, session):
    org, people = enterprise
    trained = _person(org, "K1", key=True)
    _person(org, "K2", key=True)
    _person(org, "N1")
    actions.attendance_record(member=members["officer"], training=session, employee=trained, score=60)
    for role in ("officer", "manager", "admin"):
        body = login(people[role]).get("/people/trainings/").content.decode()
        assert 'id="coverage-percent">50.0%<' in body
        assert "2 名涉密人员中已培训 1 名" in body
        untrained = re.search(r'<ul class="list-inline mb-0" id="untrained">(.*?)</ul>', body, re.S).group(1)
        assert "员工K2（K2）" in untrained and "K1" not in untrained and "N1" not in untrained
        assert f'data-training="{session.pk}"' in body
        assert ('id="training-add"' in body) == (role != "manager")


def test_add_with_material_then_edit(login, enterprise, members):
    _org, people = enterprise
    client = login(people["officer"])
    assert client.get("/people/trainings/new/").status_code == 200
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        "/people/trainings/new/",
        {
            "topic": "新员工保密培训",
            "held_on": "2026-03-01",
            "trainer": "王老师",
            "hours": "1.5",
            "pass_mark": "70",
            "materials": "提纲",
            "material": SimpleUploadedFile("课件.pdf", PDF, content_type="application/pdf"),
        },
    )
    training = Training.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/people/trainings/{training.pk}/"
    assert (training.pass_mark, str(training.hours), training.material_sha256) == (
        70,
        "1.5",
        digest_bytes(PDF).sha256,
    )
    download = client.get(f"/people/trainings/{training.pk}/material/")
    assert (
        download.status_code == 200
        and download.content == PDF
        and download["Content-Type"] == "application/pdf"
    )
    assert "attachment" in download["Content-Disposition"]
    edit = client.get(f"/people/trainings/{training.pk}/edit/").content.decode()
    assert 'value="新员工保密培训"' in edit and 'id="current-material"' in edit
    response = client.post(
        f"/people/trainings/{training.pk}/edit/",
        {"topic": "新员工保密培训（修订）", "held_on": "2026-03-02", "trainer": "王老师", "pass_mark": "70"},
    )
    assert response.status_code == 302
    training.refresh_from_db()
    assert (training.topic, training.held_on, training.material_name) == (
        "新员工保密培训（修订）",
        date(2026, 3, 2),
        "课件.pdf",
    )


def test_add_bad_input_shows_errors_and_writes_nothing(login, enterprise):
    _org, people = enterprise
    client = login(people["officer"])
    response = client.post(
        "/people/trainings/new/", {"topic": "", "held_on": "2026-03-01", "trainer": "", "pass_mark": "120"}
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "请填写培训主题" in body and "请填写培训人" in body and "及格分应为 0 至 100 的整数" in body
    assert Training.objects.count() == 0


def test_bulk_attendance_and_removal(login, enterprise, members, session):
    org, people = enterprise
    a, b = _person(org, "E1"), _person(org, "E2")
    client = login(people["officer"])
    form = client.get(f"/people/trainings/{session.pk}/").content.decode()
    assert 'id="attendance-form"' in form and f'value="{a.pk}"' in form
    response = client.post(
        f"/people/trainings/{session.pk}/attendance/", {"employees": [a.pk, b.pk], "score": "75"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#attendance")
    assert sorted(Attendance.objects.values_list("employee__number", "score")) == [("E1", 75), ("E2", 75)]
    assert PersonEvent.objects.filter(kind="training").count() == 2
    body = client.get(f"/people/trainings/{session.pk}/").content.decode()
    table = re.search(r'id="attendance-table">(.*?)</table>', body, re.S).group(1)
    assert table.count("合格") == 2 and "员工E1" in table
    # Recording someone twice refuses the whole batch, naming them.
    c = _person(org, "E3")
    response = client.post(f"/people/trainings/{session.pk}/attendance/", {"employees": [c.pk, a.pk]})
    assert response.status_code == 422
    assert "员工E1（E1） 已登记参加本次培训" in response.content.decode()
    assert Attendance.objects.count() == 2 and PersonEvent.objects.count() == 2
    response = client.post(f"/people/trainings/{session.pk}/attendance/", {"employees": [c.pk], "score": "x"})
    assert response.status_code == 422 and Attendance.objects.count() == 2
    # Removal asks for a reason, then leaves a correction record.
    attendance = Attendance.objects.get(employee=a)
    url = f"/people/attendance/{attendance.pk}/delete/"
    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 200 and Attendance.objects.count() == 2
    response = client.post(url, {"reason": "误选"})
    assert response.status_code == 302
    assert (
        Attendance.objects.count() == 1 and PersonEvent.objects.filter(kind="change", employee=a).count() == 1
    )


def test_material_missing_is_404(login, enterprise, members):
    _org, people = enterprise
    training = actions.training_add(
        member=members["officer"], topic="t", held_on=date(2026, 1, 1), trainer="w"
    )
    assert login(people["officer"]).get(f"/people/trainings/{training.pk}/material/").status_code == 404


def test_onboarding_overview_flags_overdue(login, enterprise, members):
    org, people = enterprise
    today = timezone.localdate()
    late = _person(org, "L1", state="onboarding", hired_on=today - timedelta(days=45))
    fresh = _person(org, "F1", state="onboarding", hired_on=today - timedelta(days=5))
    _person(org, "O1", state="employed", hired_on=today - timedelta(days=400))  # not recent: not listed
    for role in ("officer", "manager", "admin"):
        response = login(people[role]).get("/people/onboarding/")
        assert response.status_code == 200
        body = response.content.decode()
        rows = re.findall(r'<tr data-employee="(\d+)" data-complete="(\d)" data-overdue="(\d)">', body)
        assert rows == [(str(late.pk), "0", "1"), (str(fresh.pk), "0", "0")]
        assert "员工O1" not in body
    due = (fresh.hired_on + timedelta(days=30)).isoformat()
    assert f"应于 {due} 前完成" in body


def test_onboarding_overview_shows_no_other_enterprise(login, enterprise, other_enterprise):
    org, _people = enterprise
    _person(org, "L1", state="onboarding", hired_on=timezone.localdate())
    _other, other_people = other_enterprise
    body = login(other_people["officer"]).get("/people/onboarding/").content.decode()
    assert "员工L1" not in body and 'id="onboarding-table"' not in body
