// Offline verification of a shangmi deposit receipt (回执) in the browser.
//
// Mirrors `verify_receipt` in src/shangmi/engines/tlog/receipt.py check for check, in the same order,
// and stops at the first failure others depend on:
//
//   syntax      the receipt file: shangmi-receipt/1 header (origin, vkey, leaf, timestamp), blank line
//   leaf        the canonical shangmi-leaf/1 bytes (kind, sha256, sm3, size, meta, client)
//   material    the file's SHA-256, SM3 and size equal the leaf's (when a file is given)
//   key         the verifier key parses (name, key ID = SHA-256(name || 0x0A || 0x01 || key)[:4]) and,
//               when a trusted key is given, equals the receipt's
//   checkpoint  the c2sp.org/tlog-proof@v1 text parses; its checkpoint note carries a valid Ed25519
//               signature by that key; key name = origin = checkpoint origin; index < tree size; the
//               number of proof hashes fits (docs/evidence-log-formats.md §5-§7)
//   inclusion   RFC 9162 §2.1.3.2: the root recomputed from SHA-256(0x00 || leaf), index, size and the
//               proof equals the signed root hash
//   timestamp   NOT verified here. An RFC 3161 token is reported as present (checking it needs the TSA's
//               root certificate: `shangmi verify FILE RECEIPT --tsa-ca ROOT.pem` or `openssl ts -verify`);
//               without one, time rests on the platform's checkpoint signature — said plainly.
//
// Crypto: Web Crypto (SHA-256, Ed25519) when the browser has it; otherwise ShangmiSHA256 (sha256.js) and
// ShangmiEd25519 (ed25519.js) — e.g. on an intranet page served over plain HTTP, where `crypto.subtle` is
// missing. Nothing is sent anywhere.
//
// Each check is {name, status: "ok" | "fail" | "skip", code, params, detail}: `code` + `params` let the
// page show a translated sentence, `detail` is the technical English text (as the CLI prints it).
(function (root) {
  "use strict";

  var HEADER = "shangmi-receipt/1";
  var MAX_RECEIPT_BYTES = 64 * 1024;
  var LEAF_VERSION = "shangmi-leaf/1";
  var MAX_LEAF_BYTES = 1024;
  var LEAF_FIELDS = ["kind", "sha256", "sm3", "size", "meta", "client"];
  var PROOF_HEADER = "c2sp.org/tlog-proof@v1";
  var MAX_PROOF_HASHES = 63;
  var MAX_EXTRA_BYTES = 64 * 1024;
  var MAX_SIGNATURES = 100;
  var MAX_TREE_SIZE = (1n << 63n) - 1n;
  var SIGNATURE_PREFIX = "\u2014 ";
  var RE_KIND = /^[a-z][a-z0-9-]{0,31}$/;
  var RE_HEX64 = /^[0-9a-f]{64}$/;
  var RE_SIZE = /^(0|[1-9][0-9]{0,19})$/;
  var RE_CLIENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\/[A-Za-z0-9][A-Za-z0-9.+_-]{0,31}$/;
  var RE_KEY_ID = /^[0-9a-f]{8}$/;
  var RE_NOTE_FORBIDDEN = /[\x00-\x09\x0b-\x1f]/;
  var RE_LINE_FORBIDDEN = /[\x00-\x1f]/;
  var RE_DECIMAL = /^(0|[1-9][0-9]*)$/;
  var RE_B64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
  var B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  function Failure(message) { this.message = message; }

  // --- bytes, base64, hex -------------------------------------------------------------------------

  function b64encode(bytes) {
    var out = "";
    for (var i = 0; i < bytes.length; i += 3) {
      var n = (bytes[i] << 16) | ((bytes[i + 1] || 0) << 8) | (bytes[i + 2] || 0);
      out += B64[n >> 18] + B64[(n >> 12) & 63];
      out += i + 1 < bytes.length ? B64[(n >> 6) & 63] : "=";
      out += i + 2 < bytes.length ? B64[n & 63] : "=";
    }
    return out;
  }

  // Standard padded base64. `canonical`: also refuse non-zero unused bits (one text per value), as
  // the note, checkpoint, proof and key parsers do; the receipt header's fields accept any padded form.
  function b64decode(text, what, canonical) {
    if (!RE_B64.test(text)) { throw new Failure(what + " is not valid base64"); }
    var pad = text.endsWith("==") ? 2 : text.endsWith("=") ? 1 : 0;
    var out = new Uint8Array((text.length / 4) * 3 - pad);
    var pos = 0;
    for (var i = 0; i < text.length; i += 4) {
      var n = 0;
      for (var j = 0; j < 4; j++) {
        var c = text[i + j];
        n = (n << 6) | (c === "=" ? 0 : B64.indexOf(c));
      }
      if (pos < out.length) { out[pos++] = n >> 16; }
      if (pos < out.length) { out[pos++] = (n >> 8) & 255; }
      if (pos < out.length) { out[pos++] = n & 255; }
    }
    if (canonical && b64encode(out) !== text) { throw new Failure(what + " is not canonical base64"); }
    return out;
  }

  function hex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }

  function concat(parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    var pos = 0;
    parts.forEach(function (p) { out.set(p, pos); pos += p.length; });
    return out;
  }

  function equalBytes(a, b) {
    if (a.length !== b.length) { return false; }
    for (var i = 0; i < a.length; i++) { if (a[i] !== b[i]) { return false; } }
    return true;
  }

  function utf8(text) { return new TextEncoder().encode(text); }

  function decodeUtf8(bytes, what) {
    try {
      return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch (e) {
      throw new Failure(what + " is not UTF-8 text");
    }
  }

  function short(text) { return JSON.stringify(String(text).slice(0, 40)); }

  // --- crypto: Web Crypto first, the bundled JavaScript otherwise ----------------------------------

  function subtle() {
    var c = root.crypto;
    return c && c.subtle && typeof c.subtle.digest === "function" ? c.subtle : null;
  }

  function sha256(bytes) {
    var s = subtle();
    if (s) { return s.digest("SHA-256", bytes).then(function (d) { return new Uint8Array(d); }); }
    return Promise.resolve(root.ShangmiSHA256.hash(bytes));
  }

  // Resolves to {ok, engine}; engine is "Web Crypto" or "JavaScript".
  function ed25519Verify(publicKey, message, signature) {
    function fallback() {
      if (!root.ShangmiEd25519) { throw new Failure("this browser cannot check Ed25519 signatures"); }
      return { ok: root.ShangmiEd25519.verify(publicKey, message, signature), engine: "JavaScript" };
    }
    var s = subtle();
    if (!s) { return Promise.resolve().then(fallback); }
    return s.importKey("raw", publicKey, { name: "Ed25519" }, false, ["verify"]).then(
      function (key) {
        return s.verify({ name: "Ed25519" }, key, signature, message).then(function (ok) {
          return { ok: ok, engine: "Web Crypto" };
        });
      },
      fallback // NotSupportedError: a browser without Ed25519 in Web Crypto
    );
  }

  // --- receipt, leaf -------------------------------------------------------------------------------

  function parseReceipt(bytes) {
    if (bytes.length > MAX_RECEIPT_BYTES) {
      throw new Failure("receipt is " + bytes.length + " bytes, more than " + MAX_RECEIPT_BYTES);
    }
    var text = decodeUtf8(bytes, "receipt");
    var split = text.indexOf("\n\n");
    if (split < 0) { throw new Failure("receipt is truncated: no blank line before the proof"); }
    var lines = text.slice(0, split).split("\n");
    if (lines[0] !== HEADER) {
      throw new Failure("line 1: expected '" + HEADER + "', got " + short(lines[0]));
    }
    var expected = ["origin", "vkey", "leaf", "timestamp"];
    if (lines.length !== 1 + expected.length) {
      throw new Failure("header has " + lines.length + " lines, expected " + (1 + expected.length));
    }
    var values = {};
    expected.forEach(function (name, i) {
      var line = lines[i + 1];
      var space = line.indexOf(" ");
      var key = space < 0 ? line : line.slice(0, space);
      var value = space < 0 ? "" : line.slice(space + 1);
      if (key !== name || space < 0 || !value) {
        throw new Failure("line " + (i + 2) + ": expected '" + name + " …', got " + short(line));
      }
      values[name] = value;
    });
    return {
      origin: values.origin,
      vkey: values.vkey,
      leaf: b64decode(values.leaf, "leaf", false),
      token: values.timestamp === "none" ? null : b64decode(values.timestamp, "timestamp", false),
      proofText: text.slice(split + 2),
    };
  }

  function parseLeaf(bytes) {
    if (bytes.length > MAX_LEAF_BYTES) {
      throw new Failure("leaf is " + bytes.length + " bytes, more than " + MAX_LEAF_BYTES);
    }
    for (var i = 0; i < bytes.length; i++) {
      if (bytes[i] > 127) { throw new Failure("leaf is not ASCII"); }
    }
    var text = String.fromCharCode.apply(null, bytes);
    if (!text.endsWith("\n")) { throw new Failure("leaf must end with a newline"); }
    var lines = text.slice(0, -1).split("\n");
    if (lines[0] !== LEAF_VERSION) {
      throw new Failure("line 1: expected '" + LEAF_VERSION + "', got " + short(lines[0]));
    }
    if (lines.length !== 1 + LEAF_FIELDS.length) {
      throw new Failure("expected " + (1 + LEAF_FIELDS.length) + " lines, got " + lines.length);
    }
    var leaf = {};
    LEAF_FIELDS.forEach(function (name, n) {
      var line = lines[n + 1];
      var space = line.indexOf(" ");
      var value = space < 0 ? "" : line.slice(space + 1);
      if (space < 0 || line.slice(0, space) !== name || !value || value.indexOf(" ") >= 0) {
        throw new Failure("line " + (n + 2) + ": expected '" + name + " <value>', got " + short(line));
      }
      leaf[name] = value;
    });
    if (!RE_SIZE.test(leaf.size) || BigInt(leaf.size) >= (1n << 64n)) {
      throw new Failure("size: not a canonical decimal number below 2^64: " + short(leaf.size));
    }
    if (!RE_KIND.test(leaf.kind)) { throw new Failure("kind " + short(leaf.kind) + ": lower-case letters, digits and '-', at most 32"); }
    ["sha256", "sm3", "meta"].forEach(function (name) {
      if (!RE_HEX64.test(leaf[name])) { throw new Failure(name + ": expected 64 lower-case hex digits, got " + short(leaf[name])); }
    });
    if (!RE_CLIENT.test(leaf.client)) { throw new Failure("client " + short(leaf.client) + ": expected name/version"); }
    return leaf;
  }

  // --- keys, notes, checkpoints, proofs (docs/evidence-log-formats.md) ----------------------------

  function keyNameProblem(name) {
    if (name === "") { return "is empty"; }
    for (var i = 0; i < name.length; i++) {
      var ch = name[i];
      if (ch === "+") { return "contains a plus sign '+'"; }
      if (/\s/.test(ch) || ch === "\x85") { return "contains a space character"; }
      if (ch.charCodeAt(0) < 0x20) { return "contains a control character"; }
    }
    return null;
  }

  function parseVerifierKey(text) {
    var first = text.indexOf("+");
    var second = first < 0 ? -1 : text.indexOf("+", first + 1);
    if (second < 0) { throw new Failure("verifier key must have the form <name>+<8 hex digits>+<base64 key>"); }
    var name = text.slice(0, first);
    var hexId = text.slice(first + 1, second);
    var problem = keyNameProblem(name);
    if (problem) { throw new Failure("verifier key: key name " + short(name) + " " + problem); }
    if (!RE_KEY_ID.test(hexId)) { throw new Failure("verifier key: key ID " + short(hexId) + " is not 8 lower-case hex digits"); }
    var key = b64decode(text.slice(second + 1), "verifier key: key data", true);
    if (!key.length) { throw new Failure("verifier key: key data is empty"); }
    if (key[0] !== 0x01) { throw new Failure("verifier key: signature type " + key[0] + " is not supported (only 0x01, Ed25519)"); }
    if (key.length !== 33) { throw new Failure("verifier key: Ed25519 key data must be 1 + 32 bytes, got " + key.length); }
    return sha256(concat([utf8(name), new Uint8Array([0x0a]), key])).then(function (digest) {
      var computed = hex(digest.subarray(0, 4));
      if (computed !== hexId) {
        throw new Failure("verifier key: key ID " + hexId + " does not match the key (expected " + computed + ")");
      }
      return { name: name, keyId: hexId, publicKey: key.subarray(1) };
    });
  }

  function parseNote(note) {
    var bytes = utf8(note).length;
    if (bytes > (1 << 20)) { throw new Failure("note is more than the limit of 1048576 bytes"); }
    var bad = RE_NOTE_FORBIDDEN.exec(note);
    if (bad) {
      var line = note.slice(0, bad.index).split("\n").length;
      throw new Failure("note line " + line + " contains the control character U+" + bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, "0"));
    }
    var split = note.lastIndexOf("\n\n");
    if (split < 0) { throw new Failure("note has no blank line between the text and the signatures"); }
    var text = note.slice(0, split + 1);
    var block = note.slice(split + 2);
    if (block === "") { throw new Failure("note has no signature lines after the last blank line"); }
    if (!block.endsWith("\n")) { throw new Failure("note does not end with a newline after the last signature line"); }
    var lines = block.slice(0, -1).split("\n");
    if (lines.length > MAX_SIGNATURES) { throw new Failure("note has " + lines.length + " signatures, more than the limit of " + MAX_SIGNATURES); }
    var signatures = lines.map(function (line, i) {
      var where = "signature line " + (i + 1);
      if (!line.startsWith(SIGNATURE_PREFIX)) { throw new Failure(where + " does not start with an em dash (U+2014) and a space"); }
      var parts = line.slice(SIGNATURE_PREFIX.length).split(" ");
      if (parts.length !== 2) { throw new Failure(where + " must be '\u2014 <key name> <base64 signature>'"); }
      var problem = keyNameProblem(parts[0]);
      if (problem) { throw new Failure(where + ": key name " + short(parts[0]) + " " + problem); }
      var blob = b64decode(parts[1], where + ": signature", true);
      if (blob.length < 5) { throw new Failure(where + ": signature is " + blob.length + " bytes; at least a 4-byte key ID and 1 byte"); }
      return { name: parts[0], keyId: hex(blob.subarray(0, 4)), signature: blob.subarray(4) };
    });
    return { text: text, signatures: signatures };
  }

  function lineProblem(value, what) {
    if (value === "") { return what + " is empty"; }
    var bad = RE_LINE_FORBIDDEN.exec(value);
    return bad ? what + " contains a control character" : null;
  }

  function parseCheckpoint(text) {
    if (!text.endsWith("\n")) { throw new Failure("checkpoint must end with a newline"); }
    var lines = text.slice(0, -1).split("\n");
    if (lines.length < 3) { throw new Failure("checkpoint has " + lines.length + " lines; origin, tree size and root hash are required"); }
    var problem = lineProblem(lines[0], "line 1 (origin)");
    if (problem) { throw new Failure(problem); }
    if (!RE_DECIMAL.test(lines[1])) { throw new Failure("line 2 (tree size) " + short(lines[1]) + " is not ASCII decimal without leading zeros"); }
    var size = BigInt(lines[1]);
    if (size > MAX_TREE_SIZE) { throw new Failure("line 2 (tree size) is larger than 2^63-1"); }
    var rootHash = b64decode(lines[2], "line 3 (root hash)", true);
    if (rootHash.length !== 32) { throw new Failure("line 3 (root hash) is " + rootHash.length + " bytes, expected 32"); }
    for (var i = 3; i < lines.length; i++) {
      problem = lineProblem(lines[i], "line " + (i + 1) + " (extension)");
      if (problem) { throw new Failure(problem); }
    }
    return { origin: lines[0], size: size, rootHash: rootHash };
  }

  function parseProof(text) {
    var bad = RE_NOTE_FORBIDDEN.exec(text);
    if (bad) {
      throw new Failure("line " + text.slice(0, bad.index).split("\n").length + " contains a control character");
    }
    var pos = 0;
    var number = 0;
    function nextLine(expected) {
      var end = text.indexOf("\n", pos);
      number += 1;
      if (end < 0) { throw new Failure("line " + number + ": expected " + expected + ", found the end of the text"); }
      var line = text.slice(pos, end);
      pos = end + 1;
      return line;
    }
    if (nextLine("'" + PROOF_HEADER + "'") !== PROOF_HEADER) { throw new Failure("line 1 must be '" + PROOF_HEADER + "'"); }
    var line = nextLine("'index <n>' or 'extra <base64>'");
    if (line.startsWith("extra ")) {
      var extra = b64decode(line.slice(6), "line " + number + " (extra)", true);
      if (!extra.length) { throw new Failure("line " + number + " (extra) is empty"); }
      if (extra.length > MAX_EXTRA_BYTES) { throw new Failure("line " + number + " (extra) is more than " + MAX_EXTRA_BYTES + " bytes"); }
      line = nextLine("'index <n>'");
    }
    var match = /^index (0|[1-9][0-9]*)$/.exec(line);
    if (!match) { throw new Failure("line " + number + " must be 'index <n>' (decimal, no leading zeros), got " + short(line)); }
    var index = BigInt(match[1]);
    if (index > MAX_TREE_SIZE) { throw new Failure("line " + number + " (index) is larger than 2^63-1"); }
    var hashes = [];
    for (;;) {
      line = nextLine("a proof hash or the blank line before the checkpoint");
      if (line === "") { break; }
      if (hashes.length === MAX_PROOF_HASHES) { throw new Failure("line " + number + ": more than " + MAX_PROOF_HASHES + " proof hashes"); }
      var h = b64decode(line, "line " + number + " (proof hash)", true);
      if (h.length !== 32) { throw new Failure("line " + number + " (proof hash) is " + h.length + " bytes, expected 32"); }
      hashes.push(h);
    }
    var signedCheckpoint = text.slice(pos);
    if (signedCheckpoint === "") { throw new Failure("line " + (number + 1) + ": the signed checkpoint is missing"); }
    try {
      parseCheckpoint(parseNote(signedCheckpoint).text);
    } catch (e) {
      if (e instanceof Failure) { throw new Failure("checkpoint note: " + e.message); }
      throw e;
    }
    return { index: index, hashes: hashes, signedCheckpoint: signedCheckpoint };
  }

  function bitLength(n) { return n === 0n ? 0 : n.toString(2).length; }

  function popcount(n) { return n.toString(2).split("1").length - 1; }

  function inclusionProofLength(index, size) {
    var inner = bitLength(index ^ (size - 1n));
    return inner + popcount(index >> BigInt(inner));
  }

  // open_proof: checkpoint signature by `verifier`, origin, proof shape.
  function openProof(proofText, origin, verifier) {
    var proof = parseProof(proofText);
    if (verifier.name !== origin) {
      throw new Failure("the verifier key is named " + short(verifier.name) + ", not the log origin " + short(origin));
    }
    var note = parseNote(proof.signedCheckpoint);
    var message = utf8(note.text);
    var mine = note.signatures.filter(function (s) { return s.name === verifier.name && s.keyId === verifier.keyId; });
    if (!mine.length) {
      return Promise.reject(new Failure("note is not signed by the log key " + verifier.name + "+" + verifier.keyId));
    }
    var engine = "";
    return mine.reduce(function (chain, sig, i) {
      return chain.then(function () {
        if (sig.signature.length !== 64) { return { ok: false, engine: engine }; }
        return ed25519Verify(verifier.publicKey, message, sig.signature);
      }).then(function (result) {
        engine = result.engine || engine;
        if (!result.ok) {
          throw new Failure("the checkpoint signature by " + verifier.name + "+" + verifier.keyId + " does not verify (signature " + (i + 1) + ")");
        }
      });
    }, Promise.resolve()).then(function () {
      var checkpoint;
      try {
        checkpoint = parseCheckpoint(note.text);
      } catch (e) {
        if (e instanceof Failure) { throw new Failure("signed note is not a checkpoint: " + e.message); }
        throw e;
      }
      if (checkpoint.origin !== origin) {
        throw new Failure("checkpoint is from origin " + short(checkpoint.origin) + ", expected " + short(origin));
      }
      if (proof.index >= checkpoint.size) {
        throw new Failure("index " + proof.index + " is not below the checkpoint's tree size " + checkpoint.size);
      }
      var want = inclusionProofLength(proof.index, checkpoint.size);
      if (proof.hashes.length !== want) {
        throw new Failure("inclusion proof has " + proof.hashes.length + " hashes; a proof for index " + proof.index + " in a tree of " + checkpoint.size + " has " + want);
      }
      return { proof: proof, checkpoint: checkpoint, engine: engine };
    });
  }

  // RFC 9162 §2.1.3.2 (verify.py root_from_inclusion_proof): the root the proof yields for the leaf hash.
  function rootFromInclusionProof(index, size, leafHash, proof) {
    if (!(index < size)) { return Promise.reject(new Failure("leaf index " + index + " is not in a tree of size " + size)); }
    var fn = index;
    var sn = size - 1n;
    var r = leafHash;
    var used = 0;
    var chain = Promise.resolve();
    proof.forEach(function (p) {
      chain = chain.then(function () {
        if (sn === 0n) { return; }
        var left = (fn & 1n) || fn === sn;
        if (left) {
          while (fn && !(fn & 1n)) { fn >>= 1n; sn >>= 1n; }
        }
        fn >>= 1n;
        sn >>= 1n;
        used += 1;
        return sha256(concat([new Uint8Array([1]), left ? p : r, left ? r : p])).then(function (h) { r = h; });
      });
    });
    return chain.then(function () {
      if (sn || used !== proof.length) {
        throw new Failure("inclusion proof has " + proof.length + " elements, expected " + inclusionProofLength(index, size));
      }
      return r;
    });
  }

  // --- the verdict ---------------------------------------------------------------------------------

  // receiptBytes: Uint8Array. options.material: {sha256, sm3, size} of the file, or null.
  // options.trustedVkey: the verifier key to trust ("" or null: take the receipt's, as the CLI without --vkey).
  function verify(receiptBytes, options) {
    options = options || {};
    var verdict = {
      checks: [], leaf: null, index: null, treeSize: null, origin: null, vkey: null,
      timeSource: "", tokenBytes: 0, signatureEngine: "",
      get valid() {
        return this.checks.length > 0 && this.checks.every(function (c) { return c.status !== "fail"; }) &&
          this.checks.some(function (c) { return c.name === "inclusion" && c.status === "ok"; });
      },
    };
    function add(name, ok, code, params, detail) {
      verdict.checks.push({ name: name, status: ok === null ? "skip" : ok ? "ok" : "fail", code: code, params: params || {}, detail: detail || "" });
      return ok;
    }
    function failWith(name) {
      return function (error) {
        if (!(error instanceof Failure)) { throw error; }
        add(name, false, name + "_error", {}, error.message);
        return verdict;
      };
    }

    var receipt, leaf, verifier;
    try {
      receipt = parseReceipt(receiptBytes);
    } catch (e) {
      return Promise.resolve(failWith("syntax")(e));
    }
    add("syntax", true, "syntax_ok", {}, HEADER);
    verdict.origin = receipt.origin;
    verdict.vkey = receipt.vkey;
    verdict.tokenBytes = receipt.token ? receipt.token.length : 0;

    try {
      leaf = parseLeaf(receipt.leaf);
    } catch (e) {
      return Promise.resolve(failWith("leaf")(e));
    }
    verdict.leaf = leaf;
    add("leaf", true, "leaf_ok", { kind: leaf.kind, client: leaf.client }, "kind " + leaf.kind);

    var material = options.material;
    if (material) {
      var same = material.sha256 === leaf.sha256 && material.sm3 === leaf.sm3 && String(material.size) === leaf.size;
      var params = {
        file_sha256: material.sha256, file_sm3: material.sm3, file_size: String(material.size),
        leaf_sha256: leaf.sha256, leaf_sm3: leaf.sm3, leaf_size: leaf.size,
      };
      var detail = same
        ? "SHA-256 " + material.sha256.slice(0, 16) + "…, SM3 " + material.sm3.slice(0, 16) + "…, " + material.size + " bytes"
        : "file SHA-256 " + material.sha256.slice(0, 16) + "… / SM3 " + material.sm3.slice(0, 16) + "… / " + material.size +
          " bytes; receipt " + leaf.sha256.slice(0, 16) + "… / " + leaf.sm3.slice(0, 16) + "… / " + leaf.size + " bytes";
      if (!add("material", same, same ? "material_ok" : "material_mismatch", params, detail)) {
        return Promise.resolve(verdict);
      }
    }

    var trusted = (options.trustedVkey || "").trim();
    return Promise.resolve()
      .then(function () { return parseVerifierKey(trusted || receipt.vkey); })
      .then(function (v) {
        verifier = v;
        if (trusted && trusted !== receipt.vkey) {
          throw new Failure("the receipt names another log key than the trusted one");
        }
        add("key", true, trusted ? "key_trusted" : "key_from_receipt", { vkey: receipt.vkey },
          trusted ? "matches the trusted key" : "taken from the receipt (no trusted key given)");
      })
      .then(function () {
        return Promise.resolve().then(function () {
          return openProof(receipt.proofText, receipt.origin, verifier);
        }).then(function (opened) {
          verdict.index = opened.proof.index;
          verdict.treeSize = opened.checkpoint.size;
          verdict.signatureEngine = opened.engine;
          add("checkpoint", true, "checkpoint_ok",
            { origin: opened.checkpoint.origin, size: String(opened.checkpoint.size), engine: opened.engine },
            opened.checkpoint.origin + ", size " + opened.checkpoint.size + " (Ed25519 by " + opened.engine + ")");
          return opened;
        }, failWith("checkpoint"));
      }, failWith("key"))
      .then(function (opened) {
        if (opened === verdict) { return verdict; }
        return sha256(concat([new Uint8Array([0]), receipt.leaf]))
          .then(function (leafHash) {
            return rootFromInclusionProof(opened.proof.index, opened.checkpoint.size, leafHash, opened.proof.hashes);
          })
          .then(function (rootHash) {
            if (!equalBytes(rootHash, opened.checkpoint.rootHash)) {
              throw new Failure("inclusion proof for leaf " + opened.proof.index + " of " + opened.checkpoint.size + " yields a different root");
            }
            add("inclusion", true, "inclusion_ok",
              { index: String(opened.proof.index), size: String(opened.checkpoint.size) },
              "leaf " + opened.proof.index + " of " + opened.checkpoint.size);
            if (receipt.token) {
              verdict.timeSource = "tsa-unchecked";
              add("timestamp", null, "timestamp_token", { bytes: String(receipt.token.length) },
                "the receipt carries an RFC 3161 token (" + receipt.token.length + " bytes); not checked in the browser");
            } else {
              verdict.timeSource = "platform-signature";
              add("timestamp", true, "timestamp_none", {},
                "no TSA token: the time rests on the platform's own checkpoint signature only");
            }
            return verdict;
          })
          .catch(failWith("inclusion"));
      });
  }

  // Check the bundled hash implementations against published vectors before trusting them.
  function selfTest() {
    var abc = utf8("abc");
    var ok = hex(root.ShangmiSM3.hash(abc)) === "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0" &&
      hex(root.ShangmiSHA256.hash(abc)) === "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
    return ok;
  }

  var api = {
    verify: verify,
    parseReceipt: parseReceipt,
    parseLeaf: parseLeaf,
    parseVerifierKey: parseVerifierKey,
    inclusionProofLength: inclusionProofLength,
    b64decode: function (text) { return b64decode(text, "base64", false); },
    b64encode: b64encode,
    hex: hex,
    selfTest: selfTest,
  };
  root.ShangmiReceipt = api;
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
})(typeof self !== "undefined" ? self : globalThis);
