// The deposit page (/evidence/new/): hash dropped files here, post only digests, sizes and labels.
//
// Flow: files chosen or dropped -> each row hashed by ShangmiDigest.Pool (Web Workers, SHA-256 + SM3)
// -> "提交存证" posts {kind, client, items: [{sha256, sm3, size, label}]} to the batch API with the CSRF
// header -> the rows wait until the log has included them (polling GET /api/v1/evidence/deposits/<id>)
// -> each row offers its receipt. The File objects are only ever read by the hashing code.
// User-facing text comes from data attributes of #deposit-i18n, translated by the template.
(function () {
  "use strict";

  var app = document.getElementById("deposit-app");
  if (!app) { return; }
  var config = JSON.parse(document.getElementById("deposit-config").textContent);
  var strings = document.getElementById("deposit-i18n").dataset;
  var input = document.getElementById("deposit-files");
  var drop = document.getElementById("deposit-drop");
  var list = document.getElementById("deposit-rows");
  var rowTemplate = document.getElementById("deposit-row");
  var submitButton = document.getElementById("deposit-submit");
  var clearButton = document.getElementById("deposit-clear");
  var toList = document.getElementById("deposit-to-list");
  var again = document.getElementById("deposit-again");
  var status = document.getElementById("deposit-status");
  var POLL_MS = 1000;
  var POLL_PER_ROUND = 20;

  var rows = []; // {file, el, state, digest, id}
  var phase = "choosing"; // choosing -> submitting -> waiting -> done
  var pool = null;

  function t(key, params) {
    var text = strings[key.replace(/-([a-z])/g, function (_m, c) { return c.toUpperCase(); })] || key;
    Object.keys(params || {}).forEach(function (name) { text = text.split("{" + name + "}").join(String(params[name])); });
    return text;
  }

  function say(text, kind) {
    status.textContent = text;
    status.className = "small" + (kind ? " text-" + kind : "");
  }

  function formatSize(n) {
    if (n < 1024) { return t("bytes", { n: n }); }
    var units = ["KiB", "MiB", "GiB", "TiB"];
    var value = n;
    var unit = -1;
    while (value >= 1024 && unit < units.length - 1) { value /= 1024; unit++; }
    return value.toFixed(value < 10 ? 1 : 0) + " " + units[unit];
  }

  var BADGES = {
    queued: "text-bg-secondary", hashing: "text-bg-info", hashed: "text-bg-primary",
    submitted: "text-bg-warning", included: "text-bg-success", failed: "text-bg-danger",
  };

  function setState(row, state) {
    row.state = state;
    row.el.dataset.state = state;
    var badge = row.el.querySelector(".row-state");
    badge.className = "badge row-state " + BADGES[state];
    badge.textContent = t(state);
  }

  function setProgress(row, fraction) {
    var percent = Math.round(fraction * 100);
    var bar = row.el.querySelector(".row-progress");
    bar.setAttribute("aria-valuenow", String(percent));
    bar.firstElementChild.style.width = percent + "%"; // CSSOM, allowed by the CSP (no style attribute)
    if (row.state === "hashing") { row.el.querySelector(".row-state").textContent = t("hashing") + " " + percent + "%"; }
  }

  function refresh() {
    var hashed = rows.filter(function (r) { return r.state === "hashed"; }).length;
    var busy = rows.some(function (r) { return r.state === "queued" || r.state === "hashing"; });
    submitButton.disabled = phase !== "choosing" || !rows.length || busy || hashed !== rows.length;
    clearButton.disabled = phase !== "choosing" || !rows.length;
    input.disabled = phase !== "choosing";
    // After submitting, the page shows the rows and their state only.
    app.querySelectorAll(".choosing-only").forEach(function (node) { node.classList.toggle("d-none", phase !== "choosing"); });
    app.dataset.state = phase === "choosing" ? (busy ? "hashing" : rows.length ? "ready" : "idle") : phase;
    if (phase === "choosing" && rows.length) {
      if (busy) {
        say(t("hashing-status", { done: rows.filter(function (r) { return r.digest; }).length, total: rows.length }));
      } else if (hashed === rows.length) {
        say(t("ready", { n: rows.length }));
      }
    }
  }

  function addFiles(files) {
    if (phase !== "choosing") { return; }
    var room = config.maxFiles - rows.length;
    var chosen = Array.prototype.slice.call(files, 0, Math.max(room, 0));
    chosen.forEach(function (file) {
      var el = rowTemplate.content.firstElementChild.cloneNode(true);
      var row = { file: file, el: el, state: "queued", digest: null, id: null };
      el.querySelector(".row-name").textContent = file.name;
      el.querySelector(".row-size").textContent = formatSize(file.size);
      el.querySelector(".row-label").value = file.name.slice(0, 200);
      el.querySelector(".row-remove").addEventListener("click", function () { removeRow(row); });
      list.appendChild(el);
      rows.push(row);
      setState(row, "queued");
      hashRow(row);
    });
    refresh();
    if (files.length > chosen.length) { say(t("too-many", { n: config.maxFiles }), "danger"); }
  }

  function removeRow(row) {
    if (phase !== "choosing") { return; }
    row.removed = true;
    rows = rows.filter(function (r) { return r !== row; });
    row.el.remove();
    if (!rows.length) { say(""); }
    refresh();
  }

  function hashRow(row) {
    if (!pool) { pool = new ShangmiDigest.Pool(config).start(); }
    pool.hash(row.file, function (fraction) {
      if (row.state === "queued") { setState(row, "hashing"); }
      setProgress(row, fraction);
    }).then(function (digest) {
      if (row.removed) { return; }
      row.digest = digest;
      row.el.dataset.sha256 = digest.sha256;
      row.el.dataset.sm3 = digest.sm3;
      row.el.dataset.size = String(digest.size);
      row.el.querySelector(".row-sha256").textContent = digest.sha256;
      row.el.querySelector(".row-sm3").textContent = digest.sm3;
      setState(row, "hashed");
      setProgress(row, 1);
      row.el.querySelector(".row-progress").classList.add("d-none");
      refresh();
    }, function (error) {
      if (row.removed) { return; }
      setState(row, "failed");
      row.el.querySelector(".row-error").textContent = t("read-error", { detail: error.message || error });
      refresh();
    });
  }

  function csrfToken() { return config.csrfToken; }

  function submit() {
    phase = "submitting";
    refresh();
    say(t("submitting"));
    // Only these four fields leave the computer.
    var body = {
      kind: "file",
      client: config.client,
      items: rows.map(function (r) {
        return {
          sha256: r.digest.sha256,
          sm3: r.digest.sm3,
          size: r.digest.size,
          label: r.el.querySelector(".row-label").value.trim().slice(0, 200),
        };
      }),
    };
    fetch(config.depositsUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken(), Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (response.status !== 202) {
          var detail = data.detail || response.status;
          if (data.errors && data.errors.length) {
            detail += " — " + data.errors.map(function (e) { return e.field + ": " + e.message; }).join("; ");
          }
          throw new Error(detail);
        }
        return data;
      });
    }).then(function (data) {
      data.ids.forEach(function (id, i) {
        var row = rows[i];
        row.id = id;
        row.el.dataset.depositId = String(id);
        var label = row.el.querySelector(".row-label");
        label.readOnly = true;
        label.classList.replace("form-control", "form-control-plaintext");
        row.el.querySelector(".row-remove").classList.add("d-none");
        setState(row, "submitted");
      });
      phase = "waiting";
      refresh();
      say(t("waiting", { n: data.ids.length }));
      toList.classList.remove("d-none");
      setTimeout(poll, 300);
    }).catch(function (error) {
      phase = "choosing";
      refresh();
      say(t(error instanceof TypeError ? "network-error" : "error", { detail: error.message }), "danger");
    });
  }

  function url(template, id) { return template.split(config.placeholderId).join(String(id)); }

  function poll() {
    var pending = rows.filter(function (r) { return r.state === "submitted"; });
    if (!pending.length) {
      phase = "done";
      refresh();
      say(t("done", { n: rows.length }), "success");
      again.classList.remove("d-none");
      return;
    }
    var round = pending.slice(0, POLL_PER_ROUND);
    Promise.all(round.map(function (row) {
      return fetch(url(config.depositUrl, row.id), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (deposit) {
          if (deposit && deposit.state === "included") {
            setState(row, "included");
            var link = row.el.querySelector(".row-receipt");
            link.href = url(config.receiptUrl, row.id);
            link.classList.remove("d-none");
          }
        })
        .catch(function () { /* try again next round */ });
    })).then(function () {
      var left = rows.filter(function (r) { return r.state === "submitted"; }).length;
      setTimeout(poll, left && left === pending.length ? POLL_MS : 0);
    });
  }

  function reset() {
    rows.forEach(function (r) { r.el.remove(); });
    rows = [];
    phase = "choosing";
    input.value = "";
    toList.classList.add("d-none");
    again.classList.add("d-none");
    say("");
    refresh();
  }

  // The hashing code must reproduce the published vectors before any file is trusted to it.
  var abc = new TextEncoder().encode("abc");
  var works = typeof ShangmiSM3 === "function" && typeof ShangmiSHA256 === "function" &&
    ShangmiDigest.hex(ShangmiSM3.hash(abc)) === "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" &&
    ShangmiDigest.hex(ShangmiSHA256.hash(abc)) === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
  if (!works) {
    document.getElementById("deposit-unsupported").classList.remove("d-none");
    input.disabled = true;
    return;
  }

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    drop.addEventListener(type, function (event) {
      event.preventDefault();
      drop.classList.add("border-primary", "bg-primary-subtle");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    drop.addEventListener(type, function () { drop.classList.remove("border-primary", "bg-primary-subtle"); });
  });
  drop.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer && event.dataTransfer.files) { addFiles(event.dataTransfer.files); }
  });
  submitButton.addEventListener("click", submit);
  clearButton.addEventListener("click", reset);
  again.addEventListener("click", reset);
  refresh();
})();
