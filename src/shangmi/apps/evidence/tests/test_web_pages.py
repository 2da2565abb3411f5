"""The deposit page (/evidence/new/) and the public verify page (/verify/), server side.

What the pages compute happens in the browser (tests/browser/test_evidence_pages.py); here: who may open
them, what they embed (the log origin and verifier key, the API and receipt URLs, the CSRF token), that
they hold no inline script or style, and that the API contract the deposit page relies on (session +
X-CSRFToken header, the page's client name in the leaf) holds end to end to a receipt that verifies.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import resolve

from shangmi.apps.evidence.log_service import include_pending, origin, receipt_for, verifier_key
from shangmi.apps.evidence.models import Deposit
from shangmi.apps.evidence.views_web import WEB_CLIENT
from shangmi.engines.tlog.leaf import parse_leaf
from shangmi.engines.tlog.receipt import verify_receipt

pytestmark = pytest.mark.django_db

STATIC = Path(settings.BASE_DIR) / "static"


def _config(body: str, element_id: str) -> dict:
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', body, re.S)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def _assert_csp_clean(body: str) -> None:
    """Scripts only by src with the nonce (or json_script data); no style attributes, no inline handlers."""
    for tag in re.findall(r"<script\b[^>]*>", body):
        assert 'type="application/json"' in tag or ("src=" in tag and "nonce=" in tag), tag
    assert not re.search(r"\sstyle=", body), "inline style attribute"
    assert not re.search(r"\son[a-z]+=", body), "inline event handler"


def test_verify_page_is_public_and_embeds_the_log_identity(client):
    response = client.get("/verify/")
    assert response.status_code == 200
    assert resolve("/verify/").url_name == "verify"
    body = response.content.decode()
    assert '<html lang="zh-hans"' in body
    assert '<h1 class="h3 mb-2">核验回执</h1>' in body
    assert f'<dd class="col-sm-9 mono" id="platform-vkey">{verifier_key()}</dd>' in body
    assert f'<dd class="col-sm-9 mono" id="platform-origin">{origin()}</dd>' in body
    assert f">{verifier_key()}</textarea>" in body  # the trusted key, pre-filled
    config = _config(body, "verify-config")
    assert config["vkey"] == verifier_key() and config["origin"] == origin()
    for url in [config["workerUrl"], *config["scripts"]]:
        assert (STATIC / url.removeprefix("/static/")).is_file(), url
    for name in ("sha256", "sm3", "ed25519", "digest", "receipt-verify", "verify-page"):
        assert f'src="/static/shangmi/evidence/{name}.js"' in body, name
    _assert_csp_clean(body)
    assert "Content-Security-Policy" in response.headers


def test_verify_page_labels_checks_in_both_languages_whatever_the_page_language(client):
    body = client.get("/verify/").content.decode()
    assert 'data-lang="zh-hans"' in body and 'data-lang="en"' in body
    assert 'data-inclusion="默克尔包含证明"' in body and 'data-inclusion="Merkle inclusion proof"' in body
    client.post("/i18n/setlang/", {"language": "en", "next": "/verify/"})
    body = client.get("/verify/").content.decode()
    assert '<html lang="en"' in body
    assert "Verify a receipt" in body
    assert 'data-inclusion="默克尔包含证明"' in body and 'data-inclusion="Merkle inclusion proof"' in body
    assert "核验回执" not in body.split('class="verify-labels"')[0]


def test_verify_page_reads_only(client):
    assert client.post("/verify/").status_code == 405


def test_deposit_page_needs_a_member(client, enterprise, login):
    response = client.get("/evidence/new/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    _org, people = enterprise
    response = login(people["employee"]).get("/evidence/new/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "文件不会离开您的电脑。" in body
    assert (
        '<input class="form-control mt-3 mx-auto deposit-input" type="file" id="deposit-files" multiple>'
        in body
    )
    _assert_csp_clean(body)


def test_deposit_page_config_points_at_the_api_and_receipts(enterprise, login):
    _org, people = enterprise
    browser = login(people["employee"])
    config = _config(browser.get("/evidence/new/").content.decode(), "deposit-config")
    assert config["client"] == WEB_CLIENT == "shangmi-web/0.1.0"
    assert config["depositsUrl"] == "/api/v1/evidence/deposits"
    placeholder = config["placeholderId"]
    assert config["depositUrl"] == f"/api/v1/evidence/deposits/{placeholder}"
    assert config["receiptUrl"] == f"/evidence/{placeholder}/receipt/"
    assert resolve(config["receiptUrl"].replace(placeholder, "7")).url_name == "receipt"
    assert re.fullmatch(r"[A-Za-z0-9]{32,64}", config["csrfToken"])
    assert config["maxFiles"] == 500


def test_the_page_contract_session_csrf_digests_only_to_a_valid_receipt(enterprise, login, material):
    """What deposit-page.js sends — and nothing else — deposits, and the receipt names the web client."""
    _org, people = enterprise
    browser = Client(enforce_csrf_checks=True)
    browser.cookies = login(people["employee"]).cookies
    config = _config(browser.get("/evidence/new/").content.decode(), "deposit-config")
    files = [material("第一份配方"), material("")]
    body = {
        "kind": "file",
        "client": config["client"],
        "items": [
            {"sha256": m.sha256, "sm3": m.sm3, "size": m.size, "label": f"文件{i}"}
            for i, m in enumerate(files)
        ],
    }
    refused = browser.post(config["depositsUrl"], json.dumps(body), content_type="application/json")
    assert refused.status_code == 403  # no CSRF header: refused, nothing stored
    assert Deposit.objects.count() == 0
    response = browser.post(
        config["depositsUrl"],
        json.dumps(body),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=config["csrfToken"],
    )
    assert response.status_code == 202, response.content
    ids = response.json()["ids"]
    detail = browser.get(config["depositUrl"].replace(config["placeholderId"], str(ids[0]))).json()
    assert detail["state"] == "pending"
    include_pending()
    for deposit_id, digest in zip(ids, files, strict=True):
        detail = browser.get(config["depositUrl"].replace(config["placeholderId"], str(deposit_id))).json()
        assert detail["state"] == "included"
        receipt = browser.get(config["receiptUrl"].replace(config["placeholderId"], str(deposit_id)))
        assert receipt.status_code == 200
        verdict = verify_receipt(receipt.content, material=digest, trusted_vkey=verifier_key())
        assert verdict.valid, [(c.name, c.detail) for c in verdict.checks]
        assert parse_leaf(bytes(Deposit.objects.get(pk=deposit_id).leaf)).client == WEB_CLIENT
    assert receipt_for(Deposit.objects.get(pk=ids[1])).leaf.endswith(b"client shangmi-web/0.1.0\n")


def test_deposit_list_links_to_the_new_pages(enterprise, login):
    _org, people = enterprise
    body = login(people["employee"]).get("/evidence/").content.decode()
    assert 'href="/evidence/new/" id="deposit-new"' in body
    assert 'href="/verify/"' in body


def test_receipt_download_keeps_a_chinese_label_as_the_file_name(enterprise, login, material):
    org, people = enterprise
    from shangmi.apps.evidence.actions import deposit_create

    m = material("配方")
    deposit = deposit_create(
        organisation=org,
        actor=people["employee"],
        kind="file",
        sha256=m.sha256,
        sm3=m.sm3,
        size=m.size,
        label="配方-温控阀",
    )
    include_pending()
    response = login(people["employee"]).get(f"/evidence/{deposit.pk}/receipt/")
    assert response.status_code == 200
    header = response.serialize_headers().decode()
    assert "Content-Disposition: attachment;" in header
