"""The dossier ZIP: a DOCX summary, the signed scans and training materials, every timeline record with
its receipt, and a SHA-256 manifest that matches every file; every receipt verifies against its file."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from docx import Document

from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.evidence.log_service import include_pending, verifier_key
from shangmi.apps.people.actions import trainings as training_actions
from shangmi.apps.people.actions.records import record_person_event
from shangmi.apps.people.dossier import dossier_zip
from shangmi.apps.people.models import Agreement, Departure, DepartureItem, Employee, PersonEvent
from shangmi.apps.people.storage import store_document
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 signed NDA scan"
SLIDES = b"%PDF-1.4 training slides"


@pytest.fixture
def person(enterprise, members):
    org, people = enterprise
    officer = members["officer"]
    employee = Employee.objects.create(
        organisation=org, number="E7", name="张三", hired_on=date(2024, 3, 1), user=people["employee"]
    )
    record_person_event(
        member=officer,
        organisation=org,
        kind="hire",
        employee=employee,
        data={"number": "E7"},
        summary="登记入职",
    )
    digest = store_document(org.pk, "NDA 扫描.pdf", SCAN)
    deposit = deposit_create(
        organisation=org,
        actor=officer.user,
        kind="file",
        sha256=digest.sha256,
        sm3=digest.sm3,
        size=digest.size,
    )
    Agreement.objects.create(
        organisation=org,
        kind="nda",
        number="NDA-2024-007",
        employee=employee,
        state="signed",
        template_version="test/1",
        signed_on=date(2024, 3, 2),
        scan_name="NDA 扫描.pdf",
        scan_sha256=digest.sha256,
        scan_size=digest.size,
        scan_deposit=deposit,
    )
    Agreement.objects.create(
        organisation=org,
        kind="clean_hands",
        number="CH-7",
        employee=employee,
        state="sent",
        template_version="t/1",
    )
    training = training_actions.training_add(
        member=officer,
        topic="保密基础",
        held_on=date(2024, 3, 10),
        trainer="王老师",
        pass_mark=60,
        material_name="课件.pdf",
        material_data=SLIDES,
    )
    training_actions.attendance_record(member=officer, training=training, employee=employee, score=88)
    departure = Departure.objects.create(
        organisation=org,
        employee=employee,
        resignation_on=date(2026, 1, 5),
        last_day=date(2026, 2, 5),
        reason="个人发展",
    )
    DepartureItem.objects.create(departure=departure, kind="interview", subject="离职面谈")
    return employee


def _open(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_dossier_manifest_matches_and_receipts_verify(login, enterprise, person):
    _org, people = enterprise
    include_pending()
    response = login(people["officer"]).get(f"/people/{person.pk}/dossier.zip")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="dossier-E7-')
    files = _open(response.content)
    events = list(PersonEvent.objects.filter(employee=person).order_by("at", "pk"))
    assert [e.kind for e in events] == ["hire", "training"]
    records = sorted(n for n in files if n.startswith("records/") and n.endswith(".json"))
    assert len(records) == 2
    assert {files[n] for n in records} == {e.record.encode() for e in events}
    assert "agreements/NDA-2024-007-nda.pdf" in files and files["agreements/NDA-2024-007-nda.pdf"] == SCAN
    material = [n for n in files if n.startswith("trainings/") and not n.endswith(".receipt")]
    assert len(material) == 1 and files[material[0]] == SLIDES and material[0].endswith("-课件.pdf")

    # The manifest lists every other file exactly once, with its SHA-256, in sha256sum's format.
    lines = files["MANIFEST.sha256"].decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == set(files) - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert digest == digest_bytes(files[name]).sha256, name

    # Every deposited file has X.receipt beside it; each record.json has record.receipt (as the register's
    # downloads are named). Each receipt verifies against its file.
    def sibling(receipt: str) -> str:
        stem = receipt.removesuffix(".receipt")
        return stem + ".json" if stem.startswith("records/") else stem

    receipts = sorted(n for n in files if n.endswith(".receipt"))
    assert sorted(sibling(n) for n in receipts) == sorted(
        [*records, "agreements/NDA-2024-007-nda.pdf", material[0]]
    )
    for name in receipts:
        verdict = verify_receipt(
            files[name], material=digest_bytes(files[sibling(name)]), trusted_vkey=verifier_key()
        )
        assert verdict.valid, (name, [(c.name, c.detail) for c in verdict.checks])
        other = records[0] if sibling(name) != records[0] else records[1]
        assert not verify_receipt(files[name], material=digest_bytes(files[other])).valid

    summary = Document(io.BytesIO(files["summary.docx"]))
    text = "\n".join(p.text for p in summary.paragraphs)
    cells = "\n".join(c.text for t in summary.tables for row in t.rows for c in row.cells)
    assert "人员保密档案" in text and "张三" in text and "E7" in text and "个人发展" in text
    assert "NDA-2024-007" in cells and "已签署" in cells and "CH-7" in cells and "已发送" in cells
    assert "保密基础" in cells and "合格" in cells and "离职面谈" in cells and "登记入职" in cells
    assert "agreements/NDA-2024-007-nda.pdf" in text


def test_dossier_before_inclusion_lists_pending_receipts(person):
    files = _open(dossier_zip(person))
    assert not [n for n in files if n.endswith(".receipt")]
    summary = Document(io.BytesIO(files["summary.docx"]))
    text = "\n".join(p.text for p in summary.paragraphs)
    assert "以下回执尚未生成" in text and "-hire.receipt" in text
    assert files["MANIFEST.sha256"].decode().count("\n") == len(files) - 1


@pytest.mark.parametrize("role", ["officer", "admin", "manager"])
def test_readers_may_export(login, enterprise, person, role):
    _org, people = enterprise
    assert login(people[role]).get(f"/people/{person.pk}/dossier.zip").status_code == 200


def test_employee_may_not_export_even_own(login, enterprise, person):
    _org, people = enterprise
    assert login(people["employee"]).get(f"/people/{person.pk}/dossier.zip").status_code == 403
