// The register's forms: add secret-point rows, keep the sub-category within the chosen category, show
// digest fields for electronic carriers only and compute them in the browser. No inline handlers.
(function () {
  "use strict";

  // 定密申请: "add a point" clones the row template and numbers it.
  function setUpPoints() {
    var body = document.getElementById("points-body");
    var template = document.getElementById("point-row");
    var button = document.getElementById("add-point");
    if (!body || !template || !button) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var row = template.content.firstElementChild.cloneNode(true);
      row.querySelector(".point-number").textContent = String(body.children.length + 1);
      body.appendChild(row);
      row.querySelector("input").focus();
    });
  }

  // Sub-categories outside the chosen category are disabled (其他 belongs to both).
  function setUpCategories() {
    var category = document.querySelector("[data-category-select]");
    var sub = document.querySelector("[data-subcategory-select]");
    if (!category || !sub) { return; }
    function sync() {
      var chosen = category.options[category.selectedIndex];
      var label = chosen ? chosen.textContent.trim() : "";
      Array.prototype.forEach.call(sub.querySelectorAll("optgroup"), function (group) {
        var on = !category.value || group.label === label;
        group.disabled = !on;
        group.hidden = !on;
      });
      var current = sub.options[sub.selectedIndex];
      if (current && current.parentElement.disabled) { sub.value = ""; }
    }
    category.addEventListener("change", sync);
    sync();
  }

  // Carriers: digests for electronic kinds; the file is hashed here and never sent.
  function setUpCarrier() {
    var kind = document.querySelector("[data-carrier-kind]");
    var box = document.getElementById("digest-box");
    if (!kind || !box) { return; }
    var electronic = (box.dataset.electronic || "").split(" ");
    function sync() { box.hidden = electronic.indexOf(kind.value) < 0; }
    kind.addEventListener("change", sync);
    sync();

    var file = document.getElementById("digest-file");
    var status = document.getElementById("digest-status");
    if (!file || typeof ShangmiDigest === "undefined") { return; }
    document.getElementById("digest-tools").hidden = false;
    file.addEventListener("change", function () {
      var chosen = file.files && file.files[0];
      if (!chosen) { return; }
      status.textContent = status.dataset.hashing;
      ShangmiDigest.hashBlob(chosen, ["sha256", "sm3"], null).then(function (out) {
        document.querySelector("[data-digest=sha256]").value = out.sha256;
        document.querySelector("[data-digest=sm3]").value = out.sm3;
        document.querySelector("[data-digest=size]").value = String(out.size);
        status.textContent = status.dataset.done;
      }, function (error) {
        status.textContent = String(error);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpPoints();
    setUpCategories();
    setUpCarrier();
  });
})();
