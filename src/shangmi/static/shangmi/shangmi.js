// Small behaviours shared by all pages. Loaded with the CSP nonce; no inline handlers anywhere.
(function () {
  "use strict";

  // <select data-autosubmit> submits its form on change (organisation switcher, filters).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.matches && el.matches("select[data-autosubmit]") && el.form) {
      el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit();
    }
  });

  // Charts: <div class="chart" data-chart="ID"> with a json_script element ID holding an ECharts option.
  function drawCharts(root) {
    if (typeof echarts === "undefined") { return; }
    root.querySelectorAll("[data-chart]").forEach(function (el) {
      var source = document.getElementById(el.dataset.chart);
      if (!source || el.dataset.drawn) { return; }
      var chart = echarts.init(el, null, { renderer: "svg" });
      chart.setOption(JSON.parse(source.textContent));
      el.dataset.drawn = "1";
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () { drawCharts(document); });
  document.addEventListener("htmx:afterSwap", function (event) { drawCharts(event.target); });

  // After HTMX changes the address (filters), the language switch returns to the filtered page.
  document.addEventListener("htmx:pushedIntoHistory", function () {
    var next = document.querySelector("#language-switch input[name=next]");
    if (next) { next.value = location.pathname + location.search; }
  });

  // Destructive buttons: <button data-confirm="question"> asks before its form is submitted.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });

  // Copy buttons: <button data-copy="#target">.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var target = document.querySelector(button.dataset.copy);
    if (target && navigator.clipboard) { navigator.clipboard.writeText(target.textContent.trim()); }
  });
})();
