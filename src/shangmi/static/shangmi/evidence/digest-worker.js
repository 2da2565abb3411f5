// Web Worker for digest.js: hashes one File per task with one algorithm, off the page's thread.
// Messages in:  {type: "init", scripts: [URLs of sha256.js, sm3.js, digest.js]}
//               {type: "hash", id, file, algorithm: "sha256" | "sm3"}
// Messages out: {type: "ready"} once the scripts are loaded (nothing more is fetched after it);
//               {id, type: "progress", done} after each chunk, then {id, type: "done", digest} or
//               {id, type: "error", message}. The file is read here, in chunks; it goes nowhere else.
/* global importScripts */
(function () {
  "use strict";

  self.addEventListener("message", function (event) {
    var m = event.data;
    if (m.type === "init") {
      importScripts.apply(self, m.scripts);
      self.postMessage({ type: "ready" });
      return;
    }
    if (m.type !== "hash") { return; }
    self.ShangmiDigest.hashBlob(m.file, [m.algorithm], function (done) {
      self.postMessage({ id: m.id, type: "progress", done: done });
    }).then(
      function (out) { self.postMessage({ id: m.id, type: "done", digest: out[m.algorithm] }); },
      function (error) { self.postMessage({ id: m.id, type: "error", message: String(error && error.message || error) }); }
    );
  });
})();
