"""`shangmi deposit`, `shangmi verify` and `shangmi log audit`, run as real commands on real files."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import pytest

from .support import ok, shangmi, sql


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "material"
    (folder / "drawings").mkdir(parents=True)
    (folder / "配方.txt").write_text("温控阀配方 v3：铜 62%，锌 38%\n", encoding="utf-8")
    (folder / "drawings" / "valve.dxf").write_bytes(bytes(range(256)) * 4000)
    return folder


@pytest.fixture
def deposited(demo_dir, files, tmp_path):
    receipts = tmp_path / "receipts"
    result = ok(shangmi("deposit", str(files), "--org", "LXWY", "--out", str(receipts), data_dir=demo_dir))
    assert "2 deposited" in result.stdout
    return demo_dir, receipts


def test_each_file_gets_a_receipt_that_verifies_offline(deposited, files):
    _data, receipts = deposited
    result = shangmi("verify", str(files / "配方.txt"), str(receipts / "配方.txt.receipt"), data_dir=_data)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "有效 / VALID" in result.stdout
    for check in ("回执格式", "叶子格式", "文件摘要", "日志公钥", "检查点签名", "默克尔包含证明", "时间戳"):
        assert check in result.stdout


def test_verify_fails_for_another_file_and_names_the_check(deposited, files):
    data, receipts = deposited
    result = shangmi(
        "verify", str(files / "drawings" / "valve.dxf"), str(receipts / "配方.txt.receipt"), data_dir=data
    )
    assert result.returncode == 1
    assert (
        "无效 / INVALID: 文件摘要（SHA-256、SM3、大小） / file digests (SHA-256, SM3, size)" in result.stdout
    )


def test_verify_fails_for_a_truncated_receipt(deposited, files, tmp_path):
    data, receipts = deposited
    cut = tmp_path / "cut.receipt"
    cut.write_bytes((receipts / "配方.txt.receipt").read_bytes()[:150])
    result = shangmi("verify", str(files / "配方.txt"), str(cut), data_dir=data)
    assert result.returncode == 1 and "回执格式 / receipt format" in result.stdout


def test_verify_with_the_wrong_log_key_fails(deposited, files):
    data, receipts = deposited
    wrong = "shangmi.local/evidence-log+00000000+AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"
    result = shangmi(
        "verify", str(files / "配方.txt"), str(receipts / "配方.txt.receipt"), "--vkey", wrong, data_dir=data
    )
    assert result.returncode == 1 and "日志公钥 / log key" in result.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_log_audit_follows_the_log_served_by_any_static_web_server(deposited, files, tmp_path):
    """A monitor needs nothing but tlog-tiles paths: here a stock static server stands in for the platform
    (fine for a test; in production serve /log/ from shangmi, which hides files beyond the checkpoint)."""
    data, _receipts = deposited
    (data / "log" / "vkey").write_text(_vkey(data), encoding="utf-8")
    port = _free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "http.server",
            str(port),
            "--bind",
            "127.0.0.1",
            "--directory",
            str(data / "log"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        state = tmp_path / "state.json"
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        # The demo's register records are in the log before the two files deposited here.
        [(size,)] = sql(data, "SELECT COUNT(*) FROM evidence_deposit")
        first = ok(shangmi("log", "audit", url, "--state", str(state), data_dir=data))
        assert f"first checkpoint: size {size}\n" in first.stdout
        (files / "new.txt").write_text("更多材料\n", encoding="utf-8")
        ok(shangmi("deposit", str(files / "new.txt"), "--org", "LXWY", data_dir=data))
        second = ok(shangmi("log", "audit", url, "--state", str(state), data_dir=data))
        assert f"consistent: {size} → {size + 1}\n" in second.stdout
        state.write_text(
            state.read_text().replace(f'"size": {size + 1}', f'"size": {size + 5}'), encoding="utf-8"
        )
        rollback = shangmi("log", "audit", url, "--state", str(state), data_dir=data)
        assert rollback.returncode == 2 and "ROLLBACK" in rollback.stdout
    finally:
        server.terminate()
        server.wait(timeout=10)


def _vkey(data) -> str:
    from .support import django_python

    code = "from shangmi.apps.evidence.log_service import verifier_key\nprint(verifier_key())"
    return ok(django_python(code, data_dir=data)).stdout.strip() + "\n"


def test_backup_and_restore_keep_the_log_and_its_key(deposited, files, tmp_path):
    data, receipts = deposited
    archive = tmp_path / "backup.tar.gz"
    ok(shangmi("backup", str(archive), data_dir=data))
    restored = tmp_path / "restored"
    ok(shangmi("restore", str(archive), data_dir=restored))
    assert (restored / "keys" / "log-signer.key").stat().st_mode & 0o777 == 0o600
    vkey = _vkey(data).strip()
    assert _vkey(restored).strip() == vkey
    (files / "after.txt").write_text("恢复之后\n", encoding="utf-8")
    ok(shangmi("deposit", str(files / "after.txt"), "--org", "LXWY", data_dir=restored))
    after = ok(
        shangmi(
            "verify",
            str(files / "after.txt"),
            str(files / "after.txt.receipt"),
            "--vkey",
            vkey,
            data_dir=restored,
        )
    )
    [(size,)] = sql(restored, "SELECT COUNT(*) FROM evidence_deposit")
    assert f"leaf {size - 1} of {size};" in after.stdout
    before = ok(
        shangmi(
            "verify",
            str(files / "配方.txt"),
            str(receipts / "配方.txt.receipt"),
            "--vkey",
            vkey,
            data_dir=restored,
        )
    )
    assert "有效 / VALID" in before.stdout
