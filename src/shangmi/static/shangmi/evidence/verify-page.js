// The public verify page (/verify/): a file and its receipt in, a verdict out — all in this browser.
//
// The file is hashed by ShangmiDigest (SHA-256 + SM3, Web Workers started at load so the page keeps
// working offline); the receipt is read as bytes and checked by ShangmiReceipt.verify against the
// trusted verifier key in #verify-vkey (pre-filled with this platform's key). Every check is listed,
// its label in the page's language with the other language beside it (as the CLI prints both).
// Nothing is sent anywhere: the page makes no request after it has loaded.
(function () {
  "use strict";

  var config = JSON.parse(document.getElementById("verify-config").textContent);
  var strings = document.getElementById("verify-i18n").dataset;
  var lang = document.documentElement.lang;
  var labelSets = Array.prototype.slice.call(document.querySelectorAll(".verify-labels"));
  var labels = labelSets.filter(function (el) { return el.dataset.lang === lang; })[0] || labelSets[0];
  var altLabels = labelSets.filter(function (el) { return el !== labels; })[0];
  var fileInput = document.getElementById("verify-file");
  var receiptInput = document.getElementById("verify-receipt");
  var vkeyInput = document.getElementById("verify-vkey");
  var fileInfo = document.getElementById("verify-file-info");
  var fileDigests = document.getElementById("verify-file-digests");
  var progress = document.getElementById("verify-file-progress");
  var receiptInfo = document.getElementById("verify-receipt-info");
  var result = document.getElementById("verify-result");
  var checkTemplate = document.getElementById("verify-check");
  var MAX_RECEIPT_READ = 64 * 1024 + 1;

  var material = null; // {sha256, sm3, size}
  var receipt = null; // Uint8Array
  var fileRun = 0;
  var verifyRun = 0;
  var downloads = [];
  var waitingText = document.getElementById("verify-waiting").textContent.trim();

  function fill(text, params) {
    Object.keys(params || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    return text;
  }

  // Keys as written in the template (data-read-error) or as check codes (material_ok).
  function camel(key) { return key.replace(/[-_]([a-z])/g, function (_m, c) { return c.toUpperCase(); }); }

  function t(key, params) { return fill(strings[camel(key)] || key, params); }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function show(node) {
    result.replaceChildren(node);
  }

  function works() {
    try {
      var abc = new TextEncoder().encode("abc");
      return typeof BigInt === "function" && window.ShangmiReceipt && ShangmiReceipt.selfTest() &&
        ShangmiReceipt.hex(ShangmiEd25519.sha512(abc)).indexOf("ddaf35a193617aba") === 0;
    } catch (e) {
      return false;
    }
  }

  if (!works()) {
    show(el("div", "alert alert-warning", t("unsupported")));
    fileInput.disabled = true;
    receiptInput.disabled = true;
    return;
  }

  // Once every worker has loaded its scripts the page needs nothing more from the network.
  var pool = new ShangmiDigest.Pool(Object.assign({}, config, {
    onready: function () { document.body.dataset.offlineReady = "true"; }
  })).start();

  function setProgress(fraction) {
    var percent = Math.round(fraction * 100);
    progress.setAttribute("aria-valuenow", String(percent));
    progress.firstElementChild.style.width = percent + "%"; // CSSOM: allowed by the CSP
    fileInfo.textContent = t("hashing", { percent: percent + "%" });
  }

  function onFile(file) {
    var run = ++fileRun;
    material = null;
    fileDigests.replaceChildren();
    progress.classList.remove("d-none");
    setProgress(0);
    resetResult();
    pool.hash(file, function (fraction) { if (run === fileRun) { setProgress(fraction); } }).then(function (digest) {
      if (run !== fileRun) { return; }
      material = digest;
      progress.classList.add("d-none");
      fileInfo.textContent = t("hashed", { name: file.name, size: digest.size });
      fileDigests.dataset.sha256 = digest.sha256;
      fileDigests.dataset.sm3 = digest.sm3;
      fileDigests.replaceChildren(
        el("div", "", "SHA-256 " + digest.sha256),
        el("div", "", "SM3 " + digest.sm3)
      );
      run_();
    }, function (error) {
      if (run !== fileRun) { return; }
      progress.classList.add("d-none");
      fileInfo.textContent = t("read-error", { detail: error.message || error });
    });
  }

  function onReceipt(file) {
    receipt = null;
    resetResult();
    file.slice(0, MAX_RECEIPT_READ).arrayBuffer().then(function (buffer) {
      receipt = new Uint8Array(buffer);
      receiptInfo.textContent = t("receipt-loaded", { name: file.name, size: file.size });
      run_();
    }, function (error) {
      receiptInfo.textContent = t("read-error", { detail: error.message || error });
    });
  }

  function resetResult() {
    verifyRun++;
    downloads.forEach(function (u) { URL.revokeObjectURL(u); });
    downloads = [];
    var waiting = el("p", "text-body-secondary");
    waiting.id = "verify-waiting";
    waiting.append(el("i", "bi bi-hourglass"), " " + waitingText);
    show(waiting);
  }

  function run_() {
    if (!material || !receipt) { return; }
    var run = ++verifyRun;
    show(el("p", "text-body-secondary", t("verifying")));
    ShangmiReceipt.verify(receipt, { material: material, trustedVkey: vkeyInput.value }).then(function (verdict) {
      if (run === verifyRun) { render(verdict); }
    }, function (error) {
      if (run === verifyRun) { show(el("div", "alert alert-danger", String(error && error.message || error))); }
    });
  }

  function checkMessage(check) {
    return t(check.code, check.params);
  }

  function render(verdict) {
    var box = el("div", "");
    var failed = verdict.checks.filter(function (c) { return c.status === "fail"; })[0];
    var headline = el("div", "alert d-flex gap-3 align-items-center " + (verdict.valid ? "alert-success" : "alert-danger"));
    headline.id = "verify-verdict";
    headline.dataset.verdict = verdict.valid ? "valid" : "invalid";
    if (failed) { headline.dataset.failedCheck = failed.name; }
    headline.append(el("i", "bi fs-1 " + (verdict.valid ? "bi-patch-check-fill" : "bi-x-octagon-fill")));
    var words = el("div", "");
    function verdictText(set) {
      return verdict.valid ? set.dataset.verdictValid : fill(set.dataset.verdictInvalid, { check: set.dataset[failed.name] });
    }
    words.append(el("div", "h5 mb-0", verdictText(labels)));
    if (altLabels) { words.append(el("div", "small", verdictText(altLabels))); }
    headline.append(words);
    box.append(headline);

    var list = el("ul", "list-group mb-3");
    list.id = "verify-checks";
    verdict.checks.forEach(function (check) {
      var item = checkTemplate.content.firstElementChild.cloneNode(true);
      item.dataset.check = check.name;
      item.dataset.status = check.status;
      var icon = { ok: "bi-check-circle-fill text-success", fail: "bi-x-circle-fill text-danger", skip: "bi-info-circle-fill text-secondary" }[check.status];
      item.querySelector(".check-icon").className = "bi check-icon fs-5 " + icon;
      item.querySelector(".check-label").textContent = labels.dataset[check.name];
      item.querySelector(".check-label-alt").textContent = altLabels ? altLabels.dataset[check.name] : "";
      item.querySelector(".check-message").textContent = checkMessage(check);
      // The technical reason (English, as the CLI prints it) when a check could not even be carried out.
      item.querySelector(".check-detail").textContent = /_error$/.test(check.code) ? check.detail : "";
      item.querySelector(".check-status").textContent = t(check.status);
      list.append(item);
    });
    box.append(list);

    if (verdict.leaf) { box.append(details(verdict)); }
    show(box);
  }

  function details(verdict) {
    var leaf = verdict.leaf;
    var card = el("div", "card");
    var body = el("div", "card-body small");
    body.append(el("h2", "h6", t("details")));
    var dl = el("dl", "row mb-0");
    dl.id = "verify-details";
    function row(label, value, mono) {
      dl.append(el("dt", "col-sm-3", label), el("dd", "col-sm-9" + (mono ? " mono" : ""), value));
    }
    row(t("d-kind"), leaf.kind);
    row("SHA-256", leaf.sha256, true);
    row("SM3", leaf.sm3, true);
    row(t("d-size"), leaf.size);
    if (verdict.index !== null) { row(t("d-index"), verdict.index + " / " + verdict.treeSize); }
    row(t("d-client"), leaf.client, true);
    if (verdict.origin) { row(t("d-origin"), verdict.origin, true); }
    if (verdict.timeSource) {
      row(t("d-time"), verdict.timeSource === "platform-signature" ? t("time-platform") : t("time-tsa"));
    }
    body.append(dl);
    if (verdict.tokenBytes) { body.append(tokenDownloads()); }
    card.append(body);
    return card;
  }

  // For `openssl ts -verify`: the token and the signed checkpoint it stamps, cut out of the receipt here.
  function tokenDownloads() {
    var parsed = ShangmiReceipt.parseReceipt(receipt);
    var note = parsed.proofText.slice(parsed.proofText.indexOf("\n\n") + 2);
    var wrap = el("div", "d-flex flex-wrap gap-2 mt-2");
    [["token.der", parsed.token, "download-token"], ["checkpoint.txt", new TextEncoder().encode(note), "download-checkpoint"]].forEach(function (item) {
      var href = URL.createObjectURL(new Blob([item[1]], { type: "application/octet-stream" }));
      downloads.push(href);
      var link = el("a", "btn btn-sm btn-outline-secondary", t(item[2]));
      link.href = href;
      link.download = item[0];
      wrap.append(link);
    });
    return wrap;
  }

  fileInput.addEventListener("change", function () { if (fileInput.files[0]) { onFile(fileInput.files[0]); } });
  receiptInput.addEventListener("change", function () { if (receiptInput.files[0]) { onReceipt(receiptInput.files[0]); } });
  vkeyInput.addEventListener("change", run_);

  [["verify-file-drop", onFile], ["verify-receipt-drop", onReceipt]].forEach(function (pair) {
    var zone = document.getElementById(pair[0]);
    ["dragenter", "dragover"].forEach(function (type) {
      zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("border-primary"); });
    });
    ["dragleave", "drop"].forEach(function (type) {
      zone.addEventListener(type, function () { zone.classList.remove("border-primary"); });
    });
    zone.addEventListener("drop", function (event) {
      event.preventDefault();
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files[0]) { pair[1](files[0]); }
    });
  });
})();
