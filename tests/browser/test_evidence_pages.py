"""Issue 3 point 11 in a real browser: files hashed in the page, deposits that send digests only, and the public
verify page computing its verdict in the browser.

1. SHA-256 and SM3 computed by the page's JavaScript equal Python's hashlib (OpenSSL) for an empty file, the
   standard's test vectors and a file spanning several 4 MiB chunks.
2. An employee deposits two files on /evidence/new/: no request body ever holds the files' bytes (a canary),
   the POST holds exactly digests, sizes and labels; the worker includes them; a receipt is downloaded from
   the list.
3. Anyone, not logged in, verifies on /verify/: VALID with every check listed; another file, a mutated proof
   hash and a forged signature are INVALID naming the failing check; the page makes no request while doing it.
4. The JavaScript verifier agrees with the Python one (receipt.verify_receipt) on generated receipts and
   mutations, with Web Crypto and with the bundled JavaScript crypto used where Web Crypto is missing.
Every page is checked for CSP violations and JavaScript errors by the `browsing` fixture.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import secrets
from pathlib import Path

import pytest

from .helpers import EMPLOYEE_PHONE, horizontal_overflow, log_in, path_of

pytestmark = pytest.mark.browser

PHONE = (390, 844)
CHECKS = ["syntax", "leaf", "material", "key", "checkpoint", "inclusion", "timestamp"]
_journey: dict = {}  # test 2 hands its files and receipt to test 3


def _digests(data: bytes) -> dict:
    return {
        "sha256": hashlib.sha256(data).hexdigest(),
        "sm3": hashlib.new("sm3", data).hexdigest(),
        "size": len(data),
    }


def _deposit_page(browsing, viewport=(1280, 800)):
    page, log = browsing.new_page(viewport=viewport)
    page.goto("/accounts/login/?next=/evidence/new/")
    log_in(page, EMPLOYEE_PHONE)
    assert path_of(page) == "/evidence/new/"
    return page, log


def _rows(page) -> list[dict]:
    return page.eval_on_selector_all(
        "#deposit-rows .deposit-row",
        "rows => rows.map(r => ({name: r.querySelector('.row-name').textContent, state: r.dataset.state,"
        " sha256: r.dataset.sha256, sm3: r.dataset.sm3, size: Number(r.dataset.size), id: r.dataset.depositId}))",
    )


def test_page_hashes_equal_hashlib(browsing, tmp_path):
    contents = {
        "empty.bin": b"",
        "abc.txt": b"abc",
        "abcd16.txt": b"abcd" * 16,
        "spans-chunks.bin": os.urandom(9 * 1024 * 1024 + 13),  # three 4 MiB chunks, the last one short
    }
    paths = []
    for name, data in contents.items():
        (tmp_path / name).write_bytes(data)
        paths.append(str(tmp_path / name))
    page, log = _deposit_page(browsing)
    page.set_input_files("#deposit-files", paths)
    page.wait_for_selector('#deposit-app[data-state="ready"]', timeout=30_000)
    rows = {r["name"]: r for r in _rows(page)}
    assert set(rows) == set(contents)
    for name, data in contents.items():
        want = _digests(data)
        got = {k: rows[name][k] for k in ("sha256", "sm3", "size")}
        assert got == want, name
    assert rows["abc.txt"]["sm3"] == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
    assert rows["abcd16.txt"]["sm3"] == "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"
    assert page.locator("#deposit-submit").is_enabled()
    # Hashing happened on the page only: nothing was posted.
    assert not [r for r in log.entries if "POST" in r]
    log.assert_clean()


def test_employee_deposits_digests_only_and_downloads_a_receipt(browsing, tmp_path):
    canary = f"CANARY-{secrets.token_hex(8)}-金丝雀配方"
    files = {
        "配方-温控阀.txt": (canary + "\n" + "保密配方 " * 2000).encode(),
        "drawing.bin": canary.encode() + os.urandom(300_000),
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    page, log = _deposit_page(browsing)
    bodies: list[tuple[str, str, bytes]] = []
    page.on("request", lambda r: bodies.append((r.method, r.url, r.post_data_buffer or b"")))
    browsing.screenshot(page, "30-deposit-empty-zh")

    page.set_input_files("#deposit-files", [str(tmp_path / n) for n in files])
    page.wait_for_selector('#deposit-app[data-state="ready"]')
    page.locator(".row-label").nth(1).fill("drawing A-01")
    browsing.screenshot(page, "31-deposit-hashed-zh")
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/evidence/deposits") and r.request.method == "POST"
    ) as posted:
        page.click("#deposit-submit")
    assert posted.value.status == 202
    page.wait_for_selector('#deposit-app[data-state="done"]', timeout=20_000)
    rows = _rows(page)
    assert [r["state"] for r in rows] == ["included", "included"]
    assert page.locator(".row-receipt:visible").count() == 2
    browsing.screenshot(page, "32-deposit-included-zh")

    # What left the browser: one POST, with exactly digests, sizes and labels; never the content.
    posts = [b for b in bodies if b[0] == "POST"]
    assert len(posts) == 1
    sent = json.loads(posts[0][2])
    assert sent == {
        "kind": "file",
        "client": "shangmi-web/0.1.0",
        "items": [
            {**_digests(files["配方-温控阀.txt"]), "label": "配方-温控阀.txt"},
            {**_digests(files["drawing.bin"]), "label": "drawing A-01"},
        ],
    }
    for method, url, body in bodies:
        for needle in (
            canary.encode(),
            canary.encode("utf-16-le"),
            base64.b64encode(files["drawing.bin"][:60]),
        ):
            assert needle not in body, f"file content in the body of {method} {url}"

    # The list shows both; the receipt comes from the list.
    page.click("#deposit-to-list")
    page.wait_for_selector("#deposit-table")
    # (An ASCII label: views.deposit_receipt MIME-encodes a Chinese file name into Content-Disposition, and
    # the browser then shows the receipt instead of saving it — see test_web_pages.py.)
    row = page.locator("#deposit-table tbody tr", has_text="drawing A-01")
    browsing.screenshot(page, "38-deposit-list-zh")
    assert row.locator(".badge").inner_text() == "已入链"
    log.allow(r"GET \S+/evidence/\d+/receipt/: net::ERR_ABORTED")  # a navigation that turns into a download
    with page.expect_download() as download:
        row.locator("a", has_text="回执").click()
    receipt = tmp_path / "drawing.receipt"
    download.value.save_as(receipt)
    text = receipt.read_text()
    assert text.startswith("shangmi-receipt/1\n")
    _journey.update(files=files, tmp=tmp_path, receipt=receipt.read_bytes())
    log.assert_clean()


def _verify(page, file_path, receipt_path) -> dict:
    page.set_input_files("#verify-file", str(file_path))
    page.set_input_files("#verify-receipt", str(receipt_path))
    page.wait_for_selector("#verify-verdict")
    return page.evaluate(
        """() => ({
          verdict: document.querySelector('#verify-verdict').dataset.verdict,
          failed: document.querySelector('#verify-verdict').dataset.failedCheck || null,
          text: document.querySelector('#verify-verdict').innerText,
          checks: [...document.querySelectorAll('#verify-checks li')].map(li => [li.dataset.check, li.dataset.status]),
        })"""
    )


def _mutate(receipt: bytes, how: str) -> bytes:
    text = receipt.decode()
    head, _, proof = text.partition("\n\n")
    lines = proof.split("\n")
    if how == "proof-hash":
        h = bytearray(base64.b64decode(lines[2]))  # the first hash after "c2sp.org/tlog-proof@v1", "index N"
        h[5] ^= 0x10
        lines[2] = base64.b64encode(bytes(h)).decode()
    elif how == "signature":
        at = next(i for i, line in enumerate(lines) if line.startswith("\u2014 "))
        dash, name, sig = lines[at].split(" ")
        blob = bytearray(base64.b64decode(sig))
        blob[20] ^= 0x01  # keep the key ID, forge the Ed25519 signature
        lines[at] = f"{dash} {name} {base64.b64encode(bytes(blob)).decode()}"
    return (head + "\n\n" + "\n".join(lines)).encode()


def test_anyone_verifies_in_the_browser(browsing):
    if not _journey:
        pytest.skip("needs the receipt of test_employee_deposits_digests_only_and_downloads_a_receipt")
    tmp, files = _journey["tmp"], _journey["files"]
    receipt = tmp / "drawing.receipt"
    page, log = browsing.new_page()
    page.goto("/verify/")
    assert path_of(page) == "/verify/", "the verify page must be public"
    vkey = page.inner_text("#platform-vkey").strip()
    assert page.input_value("#verify-vkey").strip() == vkey
    # The hashing workers load their scripts at page load; from then on the page must fetch nothing.
    page.wait_for_selector("body[data-offline-ready='true']", state="attached")
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    result = _verify(page, tmp / "drawing.bin", receipt)
    assert result["verdict"] == "valid", result
    assert result["checks"] == [[name, "ok"] for name in CHECKS]
    assert "有效" in result["text"] and "VALID" in result["text"]
    messages = page.locator("#verify-checks .check-message").all_inner_texts()
    assert "平台自己的检查点签名" in messages[-1]  # the demo has no TSA: time rests on the platform signature
    details = page.inner_text("#verify-details")
    assert _digests(files["drawing.bin"])["sm3"] in details and "shangmi-web/0.1.0" in details
    browsing.screenshot(page, "33-verify-valid-zh")

    result = _verify(page, tmp / "配方-温控阀.txt", receipt)
    assert (result["verdict"], result["failed"]) == ("invalid", "material"), result
    assert result["checks"] == [["syntax", "ok"], ["leaf", "ok"], ["material", "fail"]]
    assert "文件摘要" in result["text"]
    browsing.screenshot(page, "34-verify-other-file-zh")

    for how, check in (("proof-hash", "inclusion"), ("signature", "checkpoint")):
        bad = tmp / f"{how}.receipt"
        bad.write_bytes(_mutate(_journey["receipt"], how))
        result = _verify(page, tmp / "drawing.bin", bad)
        assert (result["verdict"], result["failed"]) == ("invalid", check), (how, result)
        assert result["checks"][-1] == [check, "fail"]
        label = {"inclusion": "默克尔包含证明", "checkpoint": "检查点签名"}[check]
        assert label in result["text"], result["text"]
        why = page.locator(f'#verify-checks li[data-check="{check}"] .check-message').inner_text()
        assert (
            why
            == {
                "inclusion": "包含证明算出的根哈希与签名的检查点不符：回执被改动过",
                "checkpoint": "检查点的签名无效，或检查点不属于这个日志",
            }[check]
        )
    browsing.screenshot(page, "35-verify-forged-zh")

    # A receipt carrying an RFC 3161 token: not verified here, said so, and cut out for `openssl ts -verify`.
    token = b"\x30\x82\x01\x00" + os.urandom(256)
    stamped = tmp / "stamped.receipt"
    stamped.write_bytes(
        _journey["receipt"].replace(b"timestamp none", b"timestamp " + base64.b64encode(token))
    )
    result = _verify(page, tmp / "drawing.bin", stamped)
    assert result["verdict"] == "valid" and result["checks"][-1] == ["timestamp", "skip"], result
    assert (
        "本页不核验" in page.locator('#verify-checks li[data-check="timestamp"] .check-message').inner_text()
    )
    with page.expect_download() as download:
        page.click("#verify-details ~ div a[download='token.der']")
    assert Path(download.value.path()).read_bytes() == token
    with page.expect_download() as download:
        page.click("#verify-details ~ div a[download='checkpoint.txt']")
    assert _journey["receipt"].decode().endswith(Path(download.value.path()).read_text(encoding="utf-8"))
    assert requests == [], f"the verify page sent requests while verifying: {requests}"

    # A phone, in English, offline after load.
    phone, phone_log = browsing.new_page(viewport=PHONE)
    phone.goto("/verify/")
    phone.click("#lang-en")
    phone.wait_for_selector('html[lang="en"]')
    phone.context.set_offline(True)
    result = _verify(phone, tmp / "drawing.bin", receipt)
    assert result["verdict"] == "valid" and "VALID" in result["text"], result
    assert phone.locator("#verify-checks .check-label").first.inner_text() == "receipt format"
    assert horizontal_overflow(phone) <= 0, "the verify page scrolls sideways on a phone"
    browsing.screenshot(phone, "36-verify-valid-phone-en")
    phone.context.set_offline(False)
    log.assert_clean()
    phone_log.assert_clean()


def test_deposit_page_on_a_phone(browsing, tmp_path):
    (tmp_path / "a-rather-long-file-name-for-a-small-screen-quarterly-report-2026.xlsx").write_bytes(
        b"x" * 5000
    )
    page, log = _deposit_page(browsing, viewport=PHONE)
    with page.expect_navigation():
        page.click("#lang-en")
    assert page.inner_text("#privacy-note strong") == "Your files never leave your computer."
    page.set_input_files("#deposit-files", [str(p) for p in tmp_path.iterdir()])
    page.wait_for_selector('#deposit-app[data-state="ready"]')
    assert page.inner_text("#deposit-status") == "All digests computed (1); ready to deposit."
    assert page.locator("#deposit-submit").is_enabled()
    assert horizontal_overflow(page) <= 0, "the deposit page scrolls sideways on a phone"
    browsing.screenshot(page, "37-deposit-phone-en")
    log.assert_clean()


# --- the JavaScript verifier against the Python one ---------------------------------------------------------


def _generated_cases() -> list[dict]:
    """Receipts of small logs built with the engine, valid and mutated, with Python's verdicts."""
    from shangmi.engines.tlog.checkpoint import Checkpoint, sign_checkpoint
    from shangmi.engines.tlog.hashing import leaf_hash, node_hash
    from shangmi.engines.tlog.keys import signer_from_seed
    from shangmi.engines.tlog.leaf import Leaf
    from shangmi.engines.tlog.material import digest_bytes
    from shangmi.engines.tlog.receipt import build_receipt, verify_receipt

    def root(hashes):
        if len(hashes) == 1:
            return hashes[0]
        k = 1 << ((len(hashes) - 1).bit_length() - 1)
        return node_hash(root(hashes[:k]), root(hashes[k:]))

    def path(m, hashes):
        if len(hashes) == 1:
            return []
        k = 1 << ((len(hashes) - 1).bit_length() - 1)
        return (
            path(m, hashes[:k]) + [root(hashes[k:])]
            if m < k
            else path(m - k, hashes[k:]) + [root(hashes[:k])]
        )

    origin = "verify.test/log"
    signer = signer_from_seed(origin, bytes(range(32)))
    stranger = signer_from_seed(origin, bytes(range(1, 33)))
    cases = []
    for size, index in ((1, 0), (2, 1), (5, 4), (7, 3), (64, 0), (100, 77)):
        materials = [digest_bytes(f"{size}-{i}".encode()) for i in range(size)]
        leaves = [
            Leaf(
                "file", m.sha256, m.sm3, m.size, hashlib.sha256(b"%d" % i).hexdigest(), "shangmi-web/0.1.0"
            ).to_bytes()
            for i, m in enumerate(materials)
        ]
        hashes = [leaf_hash(leaf) for leaf in leaves]
        note = sign_checkpoint(Checkpoint(origin, size, root(hashes)), signer)
        text = build_receipt(
            origin=origin,
            vkey=signer.verifier_key,
            leaf=leaves[index],
            index=index,
            proof=path(index, hashes),
            signed_checkpoint=note,
            timestamp_token=None,
        ).to_text()
        head, _, proof = text.partition("\n\n")
        variants = {
            "valid": text,
            "truncated": text[:120],
            "forged": _mutate(text.encode(), "signature").decode(),
            "other-key": text.replace(signer.verifier_key, stranger.verifier_key),
            "bad-leaf": text.replace(
                head.split("\n")[3], "leaf " + base64.b64encode(leaves[index] + b"x").decode()
            ),
            "other-origin": text.replace(f"origin {origin}\n", "origin other.test/log\n"),
            "extra-proof-hash": text.replace(
                f"index {index}\n", f"index {index}\n{base64.b64encode(bytes(32)).decode()}\n"
            ),
        }
        if size > 1:
            variants["wrong-index"] = text.replace(f"\nindex {index}\n", f"\nindex {(index + 1) % size}\n")
        if path(index, hashes):
            variants["proof-hash"] = _mutate(text.encode(), "proof-hash").decode()
        for name, receipt in variants.items():
            for which, material in (("own", materials[index]), ("other", digest_bytes(b"other"))):
                for trusted in ("", signer.verifier_key):
                    verdict = verify_receipt(receipt, material=material, trusted_vkey=trusted or None)
                    cases.append(
                        {
                            "name": f"size {size} index {index} {name} {which}-file trusted={bool(trusted)}",
                            "receipt": receipt,
                            "material": {
                                "sha256": material.sha256,
                                "sm3": material.sm3,
                                "size": material.size,
                            },
                            "trusted": trusted,
                            "checks": [[c.name, "ok" if c.ok else "fail"] for c in verdict.checks],
                            "valid": verdict.valid,
                        }
                    )
    return cases


_JS_VERIFY_ALL = """async (cases) => {
  const out = [];
  for (const c of cases) {
    const v = await ShangmiReceipt.verify(new TextEncoder().encode(c.receipt), {material: c.material, trustedVkey: c.trusted});
    out.push({checks: v.checks.map(x => [x.name, x.status]), valid: v.valid, engine: v.signatureEngine});
  }
  return out;
}"""


@pytest.mark.parametrize("crypto", ["web-crypto", "javascript"])
def test_javascript_verifier_agrees_with_python(browsing, crypto):
    cases = _generated_cases()
    page, log = browsing.new_page()
    if crypto == "javascript":
        # As on a page served over plain HTTP: no crypto.subtle at all.
        page.context.add_init_script(
            "Object.defineProperty(Crypto.prototype, 'subtle', {get() { return undefined; }});"
        )
    page.goto("/verify/")
    assert page.evaluate("() => typeof crypto.subtle") == (
        "object" if crypto == "web-crypto" else "undefined"
    )
    results = page.evaluate(_JS_VERIFY_ALL, cases)
    disagreements = []
    for case, got in zip(cases, results, strict=True):
        # Python without --tsa-ca fails a receipt that has a token; no case here has one.
        if got["checks"] != case["checks"] or got["valid"] != case["valid"]:
            disagreements.append((case["name"], case["checks"], got["checks"]))
    assert not disagreements, disagreements[:5]
    engines = {r["engine"] for r in results if r["engine"]}
    assert engines == {"Web Crypto" if crypto == "web-crypto" else "JavaScript"}
    # Valid: each log's untouched receipt with its own file, with and without the trusted key.
    assert sum(c["valid"] for c in cases) == 6 * 2
    log.assert_clean()
