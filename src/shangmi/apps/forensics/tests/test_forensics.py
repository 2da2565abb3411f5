"""Forensics through its actions, the worker's steps and its pages: an index built from a server folder,
a scan of seized material against it with the pairs, report and deposit; an uploaded keyed index; the
folder confinement, roles and bad input that change nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shangmi.apps.accounts.models import Membership
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.forensics import actions, pipeline, storage
from shangmi.apps.forensics.models import FingerprintIndex, ForensicScan, JobState
from shangmi.engines.fingerprint import index as fp_index
from shangmi.engines.fingerprint.tests.helpers import JAVA_ORIGINAL, JAVA_RENAMED, JAVA_UNRELATED, ZH_TEXT

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(enterprise, settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.FORENSICS_WORKERS = 1
    org, users = enterprise
    members = Membership.objects.select_related("organisation", "user").filter(organisation=org)
    return {m.role: m for m in members}


def _material(officer) -> tuple[Path, Path]:
    incoming = storage.incoming_dir(officer.organisation_id)
    register = incoming / "register"
    (register / "src").mkdir(parents=True)
    (register / "src" / "Bmi.java").write_text(JAVA_ORIGINAL)
    (register / "src" / "Tree.java").write_text(JAVA_UNRELATED)
    (register / "formula.txt").write_text(ZH_TEXT, encoding="utf-8")
    seized = incoming / "seized"
    seized.mkdir()
    (seized / "Calc.java").write_text(JAVA_RENAMED)
    (seized / "junk.bin").write_bytes(bytes(range(256)) * 4)
    (seized / "broken.docx").write_bytes(b"PK\x03\x04broken")
    return register, seized


def _ready_index(officer, **extra) -> FingerprintIndex:
    _material(officer)
    row = actions.index_from_folder(member=officer, name="源代码台账", folder="register", **extra)
    pipeline.build_index(row.pk)
    row.refresh_from_db()
    assert row.state == JobState.DONE, row.error
    return row


def _done_scan(officer, index) -> ForensicScan:
    scan = actions.scan_create(member=officer, name="查获硬盘", index=index, suspect="seized")
    pipeline.run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.state == JobState.DONE, scan.error
    return scan


def test_build_scan_browse_and_deposit(people, login):
    officer = people["officer"]
    index = _ready_index(officer)
    assert index.items == 3 and len(index.sha256) == 64 and index.progress["files_total"] == 3
    scan = _done_scan(officer, index)
    assert scan.summary["files"] == 3 and scan.summary["matches"] >= 1
    assert scan.summary["top_score"] >= scan.summary["threshold"]
    pairs, skipped = pipeline.load_pairs(scan)
    best = pairs[0]
    assert best["suspect"].endswith("Calc.java") and best["item"] == "src/Bmi.java" and best["regions"]
    assert {Path(s["suspect"]).name for s in skipped} >= {"broken.docx"}

    client = login(officer.user)
    page = client.get(f"/forensics/scans/{scan.pk}/").content.decode()
    assert "src/Bmi.java" in page and "broken.docx" in page
    report = client.get(f"/forensics/scans/{scan.pk}/report/")
    assert report.status_code == 200 and "Calc.java" in b"".join(report.streaming_content).decode()
    assert "default-src 'none'" in report["Content-Security-Policy"]
    assert client.get(f"/forensics/scans/{scan.pk}/report/..%2Fresult.json").status_code == 404
    assert client.get(f"/forensics/scans/{scan.pk}/report/result.json").status_code == 404
    result = client.get(f"/forensics/scans/{scan.pk}/result.json")
    body = b"".join(result.streaming_content)
    assert json.loads(body)["pairs"][0]["item"] == "src/Bmi.java"

    assert client.post(f"/forensics/scans/{scan.pk}/deposit/").status_code == 302
    scan.refresh_from_db()
    assert scan.deposit.sha256 == scan.result_sha256 and scan.deposit.kind == "file"
    # Once per scan.
    actions.scan_deposit(member=officer, scan=scan)
    assert Deposit.objects.filter(sha256=scan.result_sha256).count() == 1


def test_a_changed_result_file_is_not_deposited(people):
    officer = people["officer"]
    scan = _done_scan(officer, _ready_index(officer))
    path = pipeline.result_path(scan)
    path.write_text(path.read_text(encoding="utf-8").replace("Bmi", "Bmx"), encoding="utf-8")
    with pytest.raises(ValidationError, match="摘要不符"):
        actions.scan_deposit(member=officer, scan=scan)
    assert not Deposit.objects.exists()


def test_folders_outside_the_organisations_roots_are_refused(people, tmp_path, settings):
    officer = people["officer"]
    _material(officer)
    for folder in ("/etc", "../../", str(tmp_path), "no-such-folder"):
        with pytest.raises(ValidationError) as caught:
            actions.index_from_folder(member=officer, name=f"试 {folder}", folder=folder)
        assert "folder" in caught.value.message_dict
    assert not FingerprintIndex.objects.exists()
    # An operator's shared root (where seized disks are mounted) is allowed.
    mounted = tmp_path / "mounted"
    mounted.mkdir()
    settings.FORENSICS_ROOTS = [str(mounted)]
    row = actions.index_from_folder(member=officer, name="共享目录", folder=str(mounted))
    assert row.folder == str(mounted.resolve())


def test_another_organisations_incoming_folder_is_out_of_reach(people, other_enterprise):
    officer = people["officer"]
    other_org, _ = other_enterprise
    theirs = storage.incoming_dir(other_org.pk) / "register"
    theirs.mkdir(parents=True)
    with pytest.raises(ValidationError):
        actions.index_from_folder(member=officer, name="越权", folder=str(theirs))


def test_a_keyed_index_uploaded_with_its_key_scans_and_the_wrong_key_fails(people, tmp_path):
    officer = people["officer"]
    register, _seized = _material(officer)
    key = bytes(range(32))
    built = tmp_path / "case.fpindex"
    fp_index.build(built, [register], key=key, workers=1)

    def upload(name: str, case_key: str, data: bytes) -> FingerprintIndex:
        row = actions.index_upload(
            member=officer, name=name, uploaded=SimpleUploadedFile("case.fpindex", data), case_key=case_key
        )
        pipeline.build_index(row.pk)
        row.refresh_from_db()
        return row

    good = upload("带密钥", key.hex(), built.read_bytes())
    assert good.state == JobState.DONE and good.items == 3 and good.keyed and good.key_id
    scan = _done_scan(officer, good)
    assert scan.summary["matches"] >= 1
    wrong = upload("错误密钥", bytes(32).hex(), built.read_bytes())
    assert wrong.state == JobState.FAILED and "key" in wrong.error
    junk = upload("不是指纹库", "", b"not an index at all")
    assert junk.state == JobState.FAILED and "index" in junk.error
    with pytest.raises(ValidationError) as caught:
        actions.index_upload(
            member=officer, name="短密钥", uploaded=SimpleUploadedFile("x", b"x"), case_key="abcd"
        )
    assert "case_key" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.scan_create(member=officer, name="未就绪", index=wrong, suspect="seized")


def test_a_scan_of_a_missing_folder_fails_with_its_reason(people):
    officer = people["officer"]
    index = _ready_index(officer)
    scan = actions.scan_create(member=officer, name="临时目录", index=index, suspect="seized")
    for path in sorted((storage.incoming_dir(officer.organisation_id) / "seized").iterdir()):
        path.unlink()
    (storage.incoming_dir(officer.organisation_id) / "seized").rmdir()
    pipeline.run_scan(scan.pk)
    scan.refresh_from_db()
    assert scan.state == JobState.FAILED and "seized" in scan.error
    assert not pipeline.result_path(scan).exists()


def test_roles(people, login):
    officer, manager, employee = people["officer"], people["manager"], people["employee"]
    index = _ready_index(officer)
    scan = _done_scan(officer, index)
    with pytest.raises(PermissionDenied):
        actions.scan_create(member=manager, name="经理", index=index, suspect="seized")
    with pytest.raises(PermissionDenied):
        actions.scan_deposit(member=manager, scan=scan)
    reader = login(manager.user)
    assert reader.get("/forensics/").status_code == 200
    assert reader.get(f"/forensics/scans/{scan.pk}/").status_code == 200
    assert reader.get(f"/forensics/indexes/{index.pk}/download/").status_code == 403
    assert (
        reader.post("/forensics/scans/", {"name": "x", "index": index.pk, "suspect": "seized"}).status_code
        == 403
    )
    outsider = login(employee.user)
    assert outsider.get("/forensics/").status_code == 403
    assert outsider.get(f"/forensics/scans/{scan.pk}/").status_code == 404
    assert ForensicScan.objects.count() == 1


def test_the_page_shows_every_problem_of_a_form(people, login):
    client = login(people["officer"].user)
    response = client.post("/forensics/indexes/folder/", {"name": "", "folder": "/etc"})
    page = response.content.decode()
    assert response.status_code == 200 and "请填写名称" in page and "不能读取 /etc" in page
    assert not FingerprintIndex.objects.exists()


def test_api(people, client):
    from shangmi.apps.accounts import actions as account_actions

    officer = people["officer"]
    _material(officer)
    _token, secret = account_actions.token_create(
        actor=officer.user, organisation=officer.organisation, name="t"
    )
    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    bad = client.post(
        "/api/v1/forensics/indexes", {"name": "x", "folder": "/etc"}, content_type="application/json", **auth
    )
    assert bad.status_code == 422 and "folder" in json.dumps(bad.json(), ensure_ascii=False)
    made = client.post(
        "/api/v1/forensics/indexes",
        {"name": "台账", "folder": "register"},
        content_type="application/json",
        **auth,
    )
    assert made.status_code == 201 and made.json()["state"] == "queued"
    pipeline.build_index(made.json()["id"])
    started = client.post(
        "/api/v1/forensics/scans",
        {"name": "查获", "index_id": made.json()["id"], "suspect": "seized"},
        content_type="application/json",
        **auth,
    )
    assert started.status_code == 201
    scan_id = started.json()["id"]
    pipeline.run_scan(scan_id)
    detail = client.get(f"/api/v1/forensics/scans/{scan_id}", **auth).json()
    assert detail["state"] == "done" and detail["summary"]["matches"] >= 1
    pairs = client.get(f"/api/v1/forensics/scans/{scan_id}/pairs", **auth).json()
    assert pairs["items"][0]["item"] == "src/Bmi.java"
    deposited = client.post(f"/api/v1/forensics/scans/{scan_id}/deposit", **auth)
    assert deposited.status_code == 200 and len(deposited.json()["sha256"]) == 64
