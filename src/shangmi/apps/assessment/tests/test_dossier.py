"""The 合理保密措施 dossier: a secret built through the register's actions, granted to a person and a
position, an NDA signed with its scan, a training, carriers, a submitted self-check; then the measures of
every category, the cut-off, the page and API permissions, and the ZIP with its manifest and receipts."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from docx import Document

from shangmi.apps.accounts.models import Membership
from shangmi.apps.assessment.dossier.export import dossier_docx, dossier_zip
from shangmi.apps.assessment.dossier.measures import collect_measures, predates
from shangmi.apps.assessment.models import Assessment, AssessmentEvent
from shangmi.apps.evidence.actions import deposit_create
from shangmi.apps.evidence.log_service import include_pending, verifier_key
from shangmi.apps.people.actions import agreements as agreement_actions
from shangmi.apps.people.actions import trainings as training_actions
from shangmi.apps.people.models import Employee, Position
from shangmi.apps.registry import actions
from shangmi.apps.registry.actions.records import canonical_record
from shangmi.apps.registry.models import SecretEvent, TradeSecret
from shangmi.engines.tlog.material import digest_bytes
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

SCAN = b"%PDF-1.4 signed NDA scan"
SLIDES = b"%PDF-1.4 training slides"
BEFORE_TODAY = date(2025, 1, 1)  # after the agreement and the training, before everything else
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture(autouse=True)
def own_log(settings, tmp_path):
    """The evidence log and stored documents live on disk: each test gets its own data directory."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    settings.EVIDENCE_TSA_URL = ""
    return settings.DATA_DIR


def member(user, org) -> Membership:
    return Membership.objects.select_related("organisation", "user").get(user=user, organisation=org)


def build_world(org, people, make_member) -> TradeSecret:
    """A designated secret with every kind of measure; every deposit included in the log."""
    officer, manager, employee = (member(people[r], org) for r in ("officer", "manager", "employee"))
    holder = member(make_member(org, "employee", name="李工", title="工艺工程师"), org)
    secret = actions.secret_apply(
        member=officer,
        points=[("模具预热曲线", "分三段升温")],
        name="高强度铝合金压铸工艺参数",
        category="technical",
        subcategory="process",
        description="压铸温度、保压时间与模具预热曲线",
        level="core",
        period_kind="long_term",
        period_until=None,
        department="研发部",
        responsible=None,
    )
    actions.secret_review(
        member=officer, secret=secret, decision="pass", searched="专利库：压铸 保压", found="未检索到相同组合"
    )
    actions.secret_approve(member=manager, secret=secret, approve=True)
    paper = actions.carrier_add(member=officer, secret=secret, kind="paper", name="工艺卡", location="档案室")
    actions.carrier_mark(member=officer, carrier=paper)
    digest = digest_bytes(b"parameters.xlsx content, never uploaded")
    actions.carrier_add(
        member=officer,
        secret=secret,
        kind="document",
        name="参数表.xlsx",
        sha256=digest.sha256,
        sm3=digest.sm3,
        size=digest.size,
    )
    grant = actions.grant_add(member=officer, secret=secret, reason="工艺调试", user=employee.user)
    actions.grant_acknowledge(member=employee, grant=grant)
    by_position = actions.grant_add(member=officer, secret=secret, reason="岗位职责", position="工艺工程师")
    actions.grant_acknowledge(member=holder, grant=by_position)

    position = Position.objects.create(organisation=org, name="工艺工程师", sensitivity="core")
    zhang = Employee.objects.create(
        organisation=org, number="E7", name="张三", hired_on=date(2024, 3, 1), user=employee.user
    )
    Employee.objects.create(
        organisation=org, number="E8", name="李工", hired_on=date(2024, 3, 1), position=position
    )
    Employee.objects.create(organisation=org, number="E9", name="局外人", hired_on=date(2024, 3, 1))
    nda = agreement_actions.agreement_draft(officer, "nda", employee=zhang, number="NDA-2024-007")
    agreement_actions.agreement_send(officer, nda)
    agreement_actions.agreement_sign(officer, nda, "NDA 扫描.pdf", SCAN, date(2024, 3, 2))
    training = training_actions.training_add(
        member=officer,
        topic="保密基础",
        held_on=date(2024, 3, 10),
        trainer="王老师",
        pass_mark=60,
        material_name="课件.pdf",
        material_data=SLIDES,
    )
    training_actions.attendance_record(member=officer, training=training, employee=zhang, score=88)

    now = timezone.now()
    assessment = Assessment.objects.create(
        organisation=org,
        title="2026 年度自我体检",
        framework_key="zj",
        framework_version="1",
        framework_name="浙江省商业秘密保护规范",
        framework_sha256="0" * 64,
        framework_data={},
        state="submitted",
        submitted_at=now,
        score=82.5,
    )
    text = canonical_record({"event": "submit", "assessment": assessment.pk, "score": 82.5, "at": now})
    record = digest_bytes(text.encode())
    deposit = deposit_create(
        organisation=org,
        actor=officer.user,
        kind="record",
        sha256=record.sha256,
        sm3=record.sm3,
        size=record.size,
    )
    AssessmentEvent.objects.create(assessment=assessment, kind="submit", at=now, record=text, deposit=deposit)
    include_pending()
    secret.refresh_from_db()
    return secret


@pytest.fixture
def secret(enterprise, make_member):
    org, people = enterprise
    return build_world(org, people, make_member)


def _open(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.testzip() is None
        return {name: archive.read(name) for name in archive.namelist()}


def test_every_category_has_its_measures(secret):
    found = collect_measures(secret, timezone.localdate())
    by = {s.category.key: s.measures for s in found.sections()}
    assert [m.title for m in by["designation"]] == ["定密申请", "定密审查", "批准定密"]
    assert "检索范围：专利库：压铸 保压" in by["designation"][1].detail
    assert [m.title for m in by["marking"]] == [f"载体标识 {secret.carriers.get(kind='paper').code} 工艺卡"]
    person = secret.grants.get(position="").user.name
    assert sorted(m.title for m in by["scope"]) == sorted(
        [
            f"授权知悉：{person}",
            "授权知悉：[工艺工程师]",
            f"确认知悉：{person}",
            "确认知悉：李工（岗位：工艺工程师）",
        ]
    )
    # The NDA of the personally entrusted employee; nobody else in scope signed one.
    assert [m.title for m in by["agreements"]] == ["员工保密合同 NDA-2024-007（张三（E7））"]
    assert by["agreements"][0].file.name == "agreements/NDA-2024-007-nda.pdf"
    assert [m.title for m in by["training"]] == ["保密基础（张三（E7））"]
    assert "成绩：88；结果：合格" in by["training"][0].detail
    carriers = {m.title.split()[2]: m for m in by["carriers"]}
    assert set(carriers) == {"工艺卡", "参数表.xlsx"}
    assert carriers["参数表.xlsx"].art6 == (4, 5) and carriers["工艺卡"].art6 == (4,)
    assert "已入链" in carriers["参数表.xlsx"].detail
    assert [m.title for m in by["self_check"]] == ["提交体检：2026 年度自我体检"]
    assert "总分：82.5" in by["self_check"][0].detail
    # Every register record appears once, each measure with its record and an available receipt.
    events = SecretEvent.objects.filter(secret=secret)
    names = [m.record_name for m in found.measures if m.record_name.split("-")[2] == "registry"]
    assert len(names) == len(set(names)) == events.count()
    assert all(m.record is not None and m.receipt_available for m in found.measures)
    assert all(m.predates for m in found.measures)


def test_measures_after_the_cutoff_are_listed_but_marked(secret):
    found = collect_measures(secret, BEFORE_TODAY)
    counts = found.counts()
    assert counts["agreements"] == {"predates": 1, "after": 0}
    assert counts["training"] == {"predates": 1, "after": 0}
    for key in ("designation", "marking", "scope", "carriers", "self_check"):
        assert counts[key]["predates"] == 0 and counts[key]["after"] > 0, key
    assert len(found.measures) == len(collect_measures(secret, timezone.localdate()).measures)


def test_cutoff_ends_at_midnight_in_shanghai():
    day = date(2025, 1, 1)
    assert predates(datetime(2025, 1, 1, 23, 59, 59, tzinfo=SHANGHAI), day)
    assert not predates(datetime(2025, 1, 2, 0, 0, tzinfo=SHANGHAI), day)
    assert not predates(datetime(2025, 1, 1, 16, 30, tzinfo=ZoneInfo("UTC")), day)  # 00:30 on the 2nd
    assert predates(datetime(2025, 1, 1, 15, 59, tzinfo=ZoneInfo("UTC")), day)
    assert predates(day, day) and not predates(day + timedelta(days=1), day)
    assert predates(datetime(2025, 1, 1, tzinfo=SHANGHAI), date.max)


def test_officer_sees_the_page_with_counts_and_downloads(login, enterprise, secret):
    _org, people = enterprise
    response = login(people["officer"]).get(f"/assessment/dossier/{secret.pk}/?cutoff=2025-01-01")
    assert response.status_code == 200
    page = response.content.decode()
    assert "合理保密措施证明材料" in page and secret.code in page
    assert 'data-category="agreements"' in page and "早于截止日" in page and "晚于截止日" in page
    assert f"/assessment/dossier/{secret.pk}/zip/?cutoff=2025-01-01" in page
    assert f"/assessment/dossier/{secret.pk}/docx/?cutoff=2025-01-01" in page
    assert "style=" not in page.split("<main", 1)[-1] and "<script>" not in page
    assert 'id="future-warning"' not in page


def test_cutoff_errors_name_the_field_and_future_dates_warn(login, enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    bad = client.get(f"/assessment/dossier/{secret.pk}/?cutoff=2025-02-30")
    assert bad.status_code == 400 and "截止日期应为有效日期" in bad.content.decode()
    download = client.get(f"/assessment/dossier/{secret.pk}/zip/?cutoff=yesterday")
    assert download.status_code == 400 and download.content.decode().startswith("截止日期：")
    future = (timezone.localdate() + timedelta(days=30)).isoformat()
    assert (
        'id="future-warning"'
        in client.get(f"/assessment/dossier/{secret.pk}/?cutoff={future}").content.decode()
    )


@pytest.mark.parametrize("path", ["", "docx/", "zip/"])
def test_who_may_see_the_dossier(login, enterprise, other_enterprise, secret, path):
    _org, people = enterprise
    _other, strangers = other_enterprise
    url = f"/assessment/dossier/{secret.pk}/{path}"
    for role in ("officer", "admin", "manager"):
        assert login(people[role]).get(url).status_code == 200, role
    # The employee entrusted with the secret sees it in the register, not its whole dossier.
    assert login(people["employee"]).get(url).status_code == 403
    foreign = login(strangers["officer"]).get(url)
    missing = login(strangers["officer"]).get(f"/assessment/dossier/{secret.pk + 1000}/{path}")
    assert foreign.status_code == missing.status_code == 404
    # The same page, which names nothing of the secret (nonces and CSRF tokens differ per response).
    assert secret.code.encode() not in foreign.content and secret.name.encode() not in foreign.content


def test_zip_holds_records_files_receipts_and_a_matching_manifest(login, enterprise, secret):
    _org, people = enterprise
    response = login(people["officer"]).get(f"/assessment/dossier/{secret.pk}/zip/?cutoff=2025-01-01")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert f'filename="measures-{secret.code}-20250101.zip"' in response["Content-Disposition"]
    files = _open(response.content)
    assert list(files)[:2] == ["summary.docx", "MANIFEST.sha256"]
    listed = dict(reversed(line.split("  ", 1)) for line in files["MANIFEST.sha256"].decode().splitlines())
    assert set(listed) == set(files) - {"MANIFEST.sha256"}
    for name, digest in listed.items():
        assert digest == digest_bytes(files[name]).sha256, name
    assert files["agreements/NDA-2024-007-nda.pdf"] == SCAN
    assert [files[n] for n in files if n.startswith("trainings/") and n.endswith("课件.pdf")] == [SLIDES]
    receipts = [n for n in files if n.endswith(".receipt")]
    assert {n.removesuffix(".receipt") for n in receipts} == set(files) - {
        "summary.docx",
        "MANIFEST.sha256",
        *receipts,
    }
    for name in receipts:
        verdict = verify_receipt(
            files[name],
            material=digest_bytes(files[name.removesuffix(".receipt")]),
            trusted_vkey=verifier_key(),
        )
        assert verdict.valid, name
    records = [json.loads(files[n]) for n in files if n.startswith("records/") and n.endswith(".json")]
    assert {"apply", "review", "approve", "grant", "grant_ack", "carrier_mark", "agr_sign", "training"} <= {
        r.get("event") for r in records
    }
    summary = Document(io.BytesIO(files["summary.docx"]))
    text = "\n".join(p.text for p in summary.paragraphs)
    cells = "\n".join(c.text for t in summary.tables for row in t.rows for c in row.cells)
    assert "合理保密措施证明材料" in text and secret.code in text and "截止日期：2025-01-01" in text
    assert "shangmi verify dossier.zip" in text
    assert "NDA-2024-007" in cells and "早于截止日" in cells and "晚于截止日" in cells
    assert "第（一）项" in cells and "第（七）项" in cells
    assert "压铸温度" not in text + cells  # the description is not restated


def test_same_dossier_same_bytes(secret):
    now = timezone.now()
    first = collect_measures(secret, BEFORE_TODAY, now=now)
    again = collect_measures(secret, BEFORE_TODAY, now=now)
    assert dossier_zip(first) == dossier_zip(again) == dossier_zip(first)
    assert dossier_docx(first) == dossier_docx(again)


def test_api_lists_measures_and_serves_the_zip(login, enterprise, other_enterprise, secret):
    _org, people = enterprise
    client = login(people["officer"])
    response = client.get(f"/api/v1/assessment/dossiers/{secret.pk}?cutoff=2025-01-01")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["secret_code"] == secret.code and body["cutoff"] == "2025-01-01"
    assert body["counts"]["agreements"] == {"predates": 1, "after": 0}
    nda = next(m for m in body["measures"] if m["category"] == "agreements")
    assert nda["at"] == "2024-03-02" and nda["predates"] is True and nda["receipt_available"] is True
    assert nda["file_sha256"] == digest_bytes(SCAN).sha256 and len(nda["record_sha256"]) == 64
    bad = client.get(f"/api/v1/assessment/dossiers/{secret.pk}?cutoff=2025-13-01")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cutoff"
    archive = client.get(f"/api/v1/assessment/dossiers/{secret.pk}/zip?cutoff=2025-01-01")
    assert archive.status_code == 200 and "MANIFEST.sha256" in _open(archive.content)
    _other, strangers = other_enterprise
    stranger = login(strangers["officer"])
    assert stranger.get(f"/api/v1/assessment/dossiers/{secret.pk}").status_code == 404
    assert stranger.get(f"/api/v1/assessment/dossiers/{secret.pk}/zip").status_code == 404
    assert login(people["employee"]).get(f"/api/v1/assessment/dossiers/{secret.pk}").status_code == 403
