// SHA-256 (FIPS 180-4), streaming, in plain JavaScript.
//
// Why not Web Crypto for files: `crypto.subtle.digest` takes the whole input at once (no streaming),
// so hashing a file with it means holding the file in memory, and it exists only in secure contexts
// (HTTPS or localhost) — an intranet deployment over plain HTTP has none. This object hashes data fed
// in pieces, so a file of any size is read in chunks, in one pass with SM3. Web Crypto is still used
// where it fits (the Merkle hashes and Ed25519 on the verify page) and this is the fallback there.
//
// `new ShangmiSHA256().update(bytes)...digest()` -> Uint8Array(32). Works in pages, Web Workers and Node.
// Cost: one compression per 64 bytes; no allocation per block.
(function (root) {
  "use strict";

  var K = new Int32Array([
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
  ]);
  var IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

  function SHA256() {
    this._v = new Int32Array(IV);
    this._w = new Int32Array(64);
    this._buffer = new Uint8Array(64);
    this._buffered = 0;
    this._length = 0;
    this._done = false;
  }

  SHA256.prototype._compress = function (data, offset) {
    var w = this._w;
    var v = this._v;
    var j, x, y, t1, t2;
    for (j = 0; j < 16; j++) {
      var o = offset + j * 4;
      w[j] = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3];
    }
    for (j = 16; j < 64; j++) {
      x = w[j - 15];
      y = w[j - 2];
      w[j] = ((((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w[j - 7] +
              (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[j - 16]) | 0;
    }
    var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    for (j = 0; j < 64; j++) {
      t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
            ((e & f) ^ (~e & g)) + K[j] + w[j]) | 0;
      t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
            ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    v[0] = (v[0] + a) | 0; v[1] = (v[1] + b) | 0; v[2] = (v[2] + c) | 0; v[3] = (v[3] + d) | 0;
    v[4] = (v[4] + e) | 0; v[5] = (v[5] + f) | 0; v[6] = (v[6] + g) | 0; v[7] = (v[7] + h) | 0;
  };

  var md = root.ShangmiMdHash || (typeof require !== "undefined" ? require("./md-hash.js") : null);
  if (!md) { throw new Error("SHA-256: load md-hash.js first"); }
  md.install(SHA256, "SHA-256");

  root.ShangmiSHA256 = SHA256;
  if (typeof module !== "undefined" && module.exports) { module.exports = SHA256; }
})(typeof self !== "undefined" ? self : globalThis);
