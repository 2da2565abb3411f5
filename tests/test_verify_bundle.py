"""`shangmi verify BUNDLE`: the real command (Typer's runner) on a real 合理保密措施 dossier ZIP whose
deposits are in the log: every file against MANIFEST.sha256, every receipt against its file; tampered,
extra, missing and oversized content is named and fails."""

from __future__ import annotations

import io
import zipfile
from datetime import date

import pytest
from typer.testing import CliRunner

from shangmi.apps.assessment.dossier.export import dossier_zip
from shangmi.apps.assessment.dossier.measures import collect_measures
from shangmi.apps.assessment.tests.test_dossier import build_world, own_log  # noqa: F401 (a fixture)
from shangmi.apps.evidence.bundle import zip_bundle
from shangmi.apps.evidence.log_service import verifier_key
from shangmi.cli import app

pytestmark = pytest.mark.django_db


@pytest.fixture
def bundle(enterprise, make_member, tmp_path):
    org, people = enterprise
    secret = build_world(org, people, make_member)
    path = tmp_path / "dossier.zip"
    path.write_bytes(dossier_zip(collect_measures(secret, date(2025, 1, 1))))
    return path


def _members(path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _rezip(path, files: dict[str, bytes]) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())


def verify(*args: str):
    return CliRunner().invoke(app, ["verify", *args], env={"COLUMNS": "200"})


def test_an_intact_dossier_verifies_file_by_file(bundle):
    result = verify(str(bundle), "--vkey", verifier_key())
    assert result.exit_code == 0, result.output
    files = _members(bundle)
    receipts = [n for n in files if n.endswith(".receipt")]
    assert len(receipts) == 15
    assert f"{len(files) - 1} files match the manifest; {len(receipts)} receipts valid" in result.output
    assert "有效 / VALID" in result.output and "✘" not in result.output


def test_a_persons_dossier_verifies_too(bundle, tmp_path):
    """The person dossier names a record's receipt R.receipt beside R.json: it is checked against R.json."""
    from shangmi.apps.people.dossier import dossier_zip as person_dossier
    from shangmi.apps.people.models import Employee

    path = tmp_path / "person.zip"
    path.write_bytes(person_dossier(Employee.objects.get(number="E7")))
    assert any(n.endswith(".receipt") and not n.endswith(".json.receipt") for n in _members(path))
    result = verify(str(path))
    assert result.exit_code == 0, result.output


def test_an_unpacked_folder_verifies_too_and_so_does_its_zip(bundle, tmp_path):
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(folder)
    result = verify(str(folder))
    assert result.exit_code == 0, result.output
    # Zipped again with the folder on top (as file managers do): checked as if unpacked.
    again = tmp_path / "again.zip"
    _rezip(again, {f"dossier/{n}": d for n, d in _members(bundle).items()})
    assert verify(str(again)).exit_code == 0
    (folder / "agreements" / "NDA-2024-007-nda.pdf").write_bytes(b"changed")
    result = verify(str(folder))
    assert result.exit_code == 1 and "✘ agreements/NDA-2024-007-nda.pdf: 清单摘要" in result.output


def test_a_tampered_file_is_named(bundle):
    files = _members(bundle)
    files["agreements/NDA-2024-007-nda.pdf"] = b"%PDF-1.4 another scan"
    _rezip(bundle, files)
    result = verify(str(bundle))
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.startswith("✘ ")]
    assert len(lines) == 2, result.output
    assert lines[0].startswith("✘ agreements/NDA-2024-007-nda.pdf: 清单摘要 / manifest SHA-256 manifest ")
    assert lines[1].startswith("✘ agreements/NDA-2024-007-nda.pdf.receipt: 存证回执 / receipt ")
    assert "文件摘要" in lines[1]


def test_an_extra_file_is_named(bundle):
    files = _members(bundle)
    files["notes.txt"] = b"added later"
    _rezip(bundle, files)
    result = verify(str(bundle))
    assert result.exit_code == 1
    assert (
        "✘ notes.txt: 未列入清单 / not listed in the bundle but not listed in the manifest" in result.output
    )


def test_a_receipt_without_its_file_is_named(bundle):
    files = _members(bundle)
    name = next(n for n in files if n.startswith("trainings/") and not n.endswith(".receipt"))
    del files[name]
    # Left out of the manifest too: only the receipt is left without its file.
    bundle.write_bytes(zip_bundle({n: d for n, d in files.items() if n != "MANIFEST.sha256"}, first=[]))
    result = verify(str(bundle))
    assert result.exit_code == 1
    failed = [line for line in result.output.splitlines() if line.startswith("✘ ")]
    assert failed == [f"✘ {name}.receipt: 存证回执 / receipt its file {name} is not in the bundle"], (
        result.output
    )


def test_a_file_missing_from_the_bundle_is_named(bundle):
    files = _members(bundle)
    del files["summary.docx"]
    _rezip(bundle, files)
    result = verify(str(bundle))
    assert result.exit_code == 1
    assert "✘ summary.docx: 文件缺失 / missing listed in the manifest but not in the bundle" in result.output


def test_a_zip_bomb_is_refused(tmp_path):
    bomb = tmp_path / "bomb.zip"
    _rezip(bomb, {"MANIFEST.sha256": b"", "zeros.bin": bytes(50 << 20)})
    result = CliRunner().invoke(app, ["verify", str(bomb)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "zeros.bin: 52428800 bytes from" in result.output and "zip bomb" in result.output


def test_a_plain_file_needs_its_receipt(tmp_path):
    plain = tmp_path / "配方.txt"
    plain.write_text("铜 62%", encoding="utf-8")
    result = CliRunner().invoke(app, ["verify", str(plain)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "not a readable ZIP file" in result.output and "shangmi verify FILE RECEIPT" in result.output
