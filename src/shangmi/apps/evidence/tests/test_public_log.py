"""The public log over HTTP (C2SP tlog-tiles paths) reveals digests only."""

import pytest
from django.apps import apps

from shangmi.apps.accounts.models import Organisation, User
from shangmi.apps.evidence.actions import DepositItem, deposit_create_batch
from shangmi.apps.evidence.log_service import include_pending, log_dir

pytestmark = pytest.mark.django_db
CANARIES = ["金丝雀配方-温控阀-7731", "CANARY-SECRET-PLAN-4411", "客户名单_2026_final.xlsx"]


def test_every_deposit_kind_leaves_no_names_files_or_content_in_the_tiles(material):
    from shangmi.demo import load_demo

    load_demo()
    include_pending()  # the demo register's own records (their names are checked below too)
    org = Organisation.objects.get(short_code="LXWY")
    officer = User.objects.get(email="officer@lanxi.example")
    for kind in ("file", "record", "audit-head"):
        items = []
        for canary in CANARIES:
            content = material(f"{canary} {kind} content")
            items.append(
                DepositItem(
                    content.sha256,
                    content.sm3,
                    content.size,
                    label=canary,
                    meta={"file": canary, "by": officer.name, "org": org.name},
                )
            )
        deposit_create_batch(organisation=org, actor=officer, kind=kind, items=items)
    assert include_pending().included == 9
    blobs = [p.read_bytes() for p in log_dir().rglob("*") if p.is_file()]
    assert blobs
    forbidden = set(CANARIES) | {f"{c} file content" for c in CANARIES}
    forbidden |= set(Organisation.objects.values_list("name", flat=True))
    forbidden |= set(User.objects.values_list("name", flat=True)) | {"officer@lanxi.example", "LXWY"}
    # The demo register's secret names (looked up by name: evidence sits below the register).
    forbidden |= set(apps.get_model("registry", "TradeSecret").objects.values_list("name", flat=True))
    for needle in forbidden:
        for encoded in {needle.encode("utf-8"), needle.encode("utf-16-le")}:
            assert not any(encoded in blob for blob in blobs), f"{needle!r} found in the public log"


def test_tiles_are_served_with_the_right_caching(client, enterprise, material):
    org, people = enterprise
    items = [DepositItem(m.sha256, m.sm3, m.size) for m in (material(f"t{i}") for i in range(300))]
    deposit_create_batch(organisation=org, actor=people["officer"], kind="file", items=items)
    include_pending()
    checkpoint = client.get("/log/checkpoint")
    assert checkpoint.status_code == 200
    assert checkpoint.content.decode().split("\n")[:2] == ["shangmi.local/evidence-log", "300"]
    assert checkpoint["Cache-Control"] == "no-cache"
    full = client.get("/log/tile/0/000")
    assert full.status_code == 200 and len(full.content) == 256 * 32
    assert full["Cache-Control"] == "public, max-age=31536000, immutable"
    partial = client.get("/log/tile/0/001.p/44")
    assert partial.status_code == 200 and len(partial.content) == 44 * 32
    assert partial["Cache-Control"] == "no-cache"
    bundle = client.get("/log/tile/entries/000")
    assert bundle.status_code == 200 and bundle.content.count(b"shangmi-leaf/1\n") == 256
    assert client.head("/log/tile/0/000").status_code == 200
    for bad in (
        "/log/tile/0/0",
        "/log/tile/0/x000/000",
        "/log/tile/0/001.p/0",
        "/log/tile/0/002",
        "/log/tile/../x",
    ):
        assert client.get(bad).status_code == 404, bad
    vkey = client.get("/log/vkey").content.decode().strip()
    assert vkey.startswith("shangmi.local/evidence-log+")
    assert client.get("/api/v1/evidence/log").json()["verifier_key"] == vkey


def test_log_key_file_is_private(enterprise, material, own_log):
    org, people = enterprise
    m = material("k")
    deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=[DepositItem(m.sha256, m.sm3, m.size)]
    )
    include_pending()
    key = own_log / "keys" / "log-signer.key"
    assert key.stat().st_mode & 0o777 == 0o600


def test_tiles_beyond_the_checkpoint_are_not_served(client, enterprise, material):
    """Leftovers of a torn batch lie beyond the durable checkpoint; they must never be published."""
    org, people = enterprise
    m = material("one")
    deposit_create_batch(
        organisation=org, actor=people["officer"], kind="file", items=[DepositItem(m.sha256, m.sm3, m.size)]
    )
    include_pending()
    leftover = log_dir() / "tile" / "0" / "000.p" / "2"
    leftover.write_bytes(b"\x00" * 64)  # as if a crashed batch had written it
    assert client.get("/log/tile/0/000.p/1").status_code == 200
    assert client.get("/log/tile/0/000.p/2").status_code == 404
