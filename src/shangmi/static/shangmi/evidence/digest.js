// Hash files in the browser: SHA-256 and SM3, streamed in 4 MiB chunks, with progress. Nothing is uploaded.
//
// Both digests come from the streaming implementations in sha256.js and sm3.js: Web Crypto has no SM3
// and no streaming SHA-256 (its digest() wants the whole file in memory, and it does not exist on pages
// served over plain HTTP), so one code path serves files of any size with memory bounded by the chunk.
//
// `new ShangmiDigest.Pool(options).hash(file, onProgress)` -> Promise<{sha256, sm3, size}> (hex, bytes).
// The pool runs SHA-256 and SM3 of each file as two tasks on Web Workers (at most one per core, up to 4),
// so one big file uses two cores and several files are hashed side by side. Where workers cannot start
// (an old browser, a blocked worker script) it hashes on the page itself, yielding between chunks.
// options: {workerUrl, scripts: [sha256.js, sm3.js, digest.js URLs], workers, onready} — onready is
// called once every worker has loaded its scripts (or the pool fell back to hashing on the page).
(function (root) {
  "use strict";

  var CHUNK = 4 * 1024 * 1024;
  var ALGORITHMS = ["sha256", "sm3"];

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }

  function readChunk(blob) {
    if (blob.arrayBuffer) { return blob.arrayBuffer(); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.onerror = function () { reject(reader.error); };
      reader.readAsArrayBuffer(blob);
    });
  }

  function hasher(name) {
    if (name === "sha256") { return new root.ShangmiSHA256(); }
    if (name === "sm3") { return new root.ShangmiSM3(); }
    throw new Error("unknown algorithm " + name);
  }

  // Hash `blob` with each of `algorithms` in one pass on this thread. onProgress(bytesDone) per chunk.
  function hashBlob(blob, algorithms, onProgress) {
    var hashers = algorithms.map(hasher);
    var size = blob.size;
    var pos = 0;
    function step() {
      if (pos >= size) {
        var out = { size: size };
        algorithms.forEach(function (name, i) { out[name] = hex(hashers[i].digest()); });
        return out;
      }
      var end = Math.min(pos + CHUNK, size);
      return readChunk(blob.slice(pos, end)).then(function (buffer) {
        var bytes = new Uint8Array(buffer);
        if (bytes.length !== end - pos) { throw new Error("the file changed while it was read"); }
        hashers.forEach(function (h) { h.update(bytes); });
        pos = end;
        if (onProgress) { onProgress(pos); }
        return step();
      });
    }
    return Promise.resolve().then(step);
  }

  function Pool(options) {
    options = options || {};
    this.options = options;
    var cores = (root.navigator && root.navigator.hardwareConcurrency) || 2;
    this.size = Math.max(1, Math.min(options.workers || cores, 4));
    this.workers = null; // created by start() or on first use
    this.queue = [];
    this.idle = [];
    this.useWorkers = Boolean(options.workerUrl && root.Worker);
    this.nextId = 1;
    this.loaded = 0; // workers whose scripts have loaded
    this.onready = options.onready || null; // called once every worker has loaded (or the pool fell back)
  }

  // Start the workers now (they load their scripts at once), so hashing works offline afterwards.
  Pool.prototype.start = function () {
    var pool = this;
    if (pool.workers !== null) { return pool; }
    pool.workers = [];
    if (!pool.useWorkers) { pool._ready(); return pool; }
    try {
      for (var i = 0; i < pool.size; i++) {
        var worker = new root.Worker(pool.options.workerUrl);
        worker.task = null;
        worker.addEventListener("message", pool._onMessage.bind(pool, worker));
        worker.addEventListener("error", pool._onError.bind(pool, worker));
        worker.postMessage({ type: "init", scripts: pool.options.scripts || [] });
        pool.workers.push(worker);
        pool.idle.push(worker);
      }
    } catch (e) {
      pool._fallBack();
    }
    return pool;
  };

  Pool.prototype._onMessage = function (worker, event) {
    var m = event.data;
    if (m.type === "ready") {
      this.loaded += 1;
      if (this.loaded === this.size) { this._ready(); }
      return;
    }
    var task = worker.task;
    if (!task || m.id !== task.id) { return; }
    if (m.type === "progress") { task.progress(m.done); return; }
    worker.task = null;
    this.idle.push(worker);
    if (m.type === "done") { task.resolve(m.digest); } else { task.reject(new Error(m.message)); }
    this._pump();
  };

  // A worker script that cannot load or run (blocked, broken): hash on the page from now on.
  Pool.prototype._onError = function (worker, event) {
    if (event && event.preventDefault) { event.preventDefault(); }
    this._fallBack();
  };

  Pool.prototype._fallBack = function () {
    var pool = this;
    var orphans = [];
    (pool.workers || []).forEach(function (w) {
      if (w.task) { orphans.push(w.task); w.task = null; }
      w.terminate();
    });
    pool.useWorkers = false;
    pool.workers = [];
    pool.idle = [];
    orphans.concat(pool.queue.splice(0)).forEach(function (task) { pool._runHere(task); });
    pool._ready();
  };

  Pool.prototype._ready = function () {
    var callback = this.onready;
    this.onready = null;
    if (callback) { callback(); }
  };

  Pool.prototype._pump = function () {
    while (this.useWorkers && this.idle.length && this.queue.length) {
      var worker = this.idle.shift();
      var task = this.queue.shift();
      worker.task = task;
      worker.postMessage({ type: "hash", id: task.id, file: task.file, algorithm: task.algorithm });
    }
  };

  Pool.prototype._runHere = function (task) {
    task.progress(0);
    hashBlob(task.file, [task.algorithm], task.progress).then(
      function (out) { task.resolve(out[task.algorithm]); },
      task.reject
    );
  };

  // Resolves to {sha256, sm3, size}. onProgress(fraction from 0 to 1).
  Pool.prototype.hash = function (file, onProgress) {
    var pool = this.start();
    var size = file.size;
    var done = { sha256: 0, sm3: 0 };
    function report() {
      if (onProgress) { onProgress(size ? (done.sha256 + done.sm3) / (2 * size) : 1); }
    }
    var tasks = ALGORITHMS.map(function (algorithm) {
      return new Promise(function (resolve, reject) {
        var task = {
          id: pool.nextId++, file: file, algorithm: algorithm, resolve: resolve, reject: reject,
          progress: function (n) { done[algorithm] = n; report(); },
        };
        if (pool.useWorkers) { pool.queue.push(task); } else { pool._runHere(task); }
      });
    });
    pool._pump();
    return Promise.all(tasks).then(function (digests) {
      if (onProgress) { onProgress(1); }
      return { sha256: digests[0], sm3: digests[1], size: size };
    });
  };

  Pool.prototype.close = function () {
    (this.workers || []).forEach(function (w) { w.terminate(); });
    this.workers = null;
    this.idle = [];
  };

  root.ShangmiDigest = { Pool: Pool, hashBlob: hashBlob, hex: hex, CHUNK: CHUNK };
})(typeof self !== "undefined" ? self : globalThis);
