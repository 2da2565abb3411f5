// SM3 cryptographic hash (GB/T 32905-2016, ISO/IEC 10118-3), streaming, in plain JavaScript.
//
// Browsers' Web Crypto has no SM3, so the evidence pages compute it here. One object hashes any amount
// of data fed in pieces: `new ShangmiSM3().update(bytes)...digest()` -> Uint8Array(32). Works in pages,
// Web Workers and Node (module.exports). Checked against the standard's examples:
//   SM3("abc")          = 66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0
//   SM3("abcd" x 16)    = debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732
// and, by the browser tests, against Python's hashlib (OpenSSL) on files that span many chunks.
// Cost: one compression per 64 bytes; no allocation per block.
(function (root) {
  "use strict";

  var IV = [0x7380166f, 0x4914b2b9, 0x172442d7, 0xda8a0600, 0xa96f30bc, 0x163138aa, 0xe38dee4d, 0xb0fb0e4e];

  // T_j rotated left by j mod 32, precomputed.
  var TJ = new Int32Array(64);
  (function () {
    for (var j = 0; j < 64; j++) {
      var t = j < 16 ? 0x79cc4519 : 0x7a879d8a;
      var r = j % 32;
      TJ[j] = r ? (t << r) | (t >>> (32 - r)) : t;
    }
  })();

  function SM3() {
    this._v = new Int32Array(IV);
    this._w = new Int32Array(68);
    this._buffer = new Uint8Array(64);
    this._buffered = 0;
    this._length = 0; // bytes; exact up to 2^53
    this._done = false;
  }

  SM3.prototype._compress = function (data, offset) {
    var w = this._w;
    var v = this._v;
    var j, x, t;
    for (j = 0; j < 16; j++) {
      var o = offset + j * 4;
      w[j] = (data[o] << 24) | (data[o + 1] << 16) | (data[o + 2] << 8) | data[o + 3];
    }
    for (j = 16; j < 68; j++) {
      x = w[j - 16] ^ w[j - 9] ^ ((w[j - 3] << 15) | (w[j - 3] >>> 17));
      // P1(x) = x ^ (x <<< 15) ^ (x <<< 23)
      x = x ^ ((x << 15) | (x >>> 17)) ^ ((x << 23) | (x >>> 9));
      w[j] = x ^ ((w[j - 13] << 7) | (w[j - 13] >>> 25)) ^ w[j - 6];
    }
    var a = v[0], b = v[1], c = v[2], d = v[3], e = v[4], f = v[5], g = v[6], h = v[7];
    var a12, ss1, ss2, tt1, tt2;
    for (j = 0; j < 16; j++) {
      a12 = (a << 12) | (a >>> 20);
      t = (a12 + e + TJ[j]) | 0;
      ss1 = (t << 7) | (t >>> 25);
      ss2 = ss1 ^ a12;
      tt1 = ((a ^ b ^ c) + d + ss2 + (w[j] ^ w[j + 4])) | 0;
      tt2 = ((e ^ f ^ g) + h + ss1 + w[j]) | 0;
      d = c;
      c = (b << 9) | (b >>> 23);
      b = a;
      a = tt1;
      h = g;
      g = (f << 19) | (f >>> 13);
      f = e;
      e = tt2 ^ ((tt2 << 9) | (tt2 >>> 23)) ^ ((tt2 << 17) | (tt2 >>> 15));
    }
    for (j = 16; j < 64; j++) {
      a12 = (a << 12) | (a >>> 20);
      t = (a12 + e + TJ[j]) | 0;
      ss1 = (t << 7) | (t >>> 25);
      ss2 = ss1 ^ a12;
      tt1 = (((a & b) | (a & c) | (b & c)) + d + ss2 + (w[j] ^ w[j + 4])) | 0;
      tt2 = (((e & f) | (~e & g)) + h + ss1 + w[j]) | 0;
      d = c;
      c = (b << 9) | (b >>> 23);
      b = a;
      a = tt1;
      h = g;
      g = (f << 19) | (f >>> 13);
      f = e;
      e = tt2 ^ ((tt2 << 9) | (tt2 >>> 23)) ^ ((tt2 << 17) | (tt2 >>> 15));
    }
    v[0] ^= a; v[1] ^= b; v[2] ^= c; v[3] ^= d; v[4] ^= e; v[5] ^= f; v[6] ^= g; v[7] ^= h;
  };

  var md = root.ShangmiMdHash || (typeof require !== "undefined" ? require("./md-hash.js") : null);
  if (!md) { throw new Error("SM3: load md-hash.js first"); }
  md.install(SM3, "SM3");

  root.ShangmiSM3 = SM3;
  if (typeof module !== "undefined" && module.exports) { module.exports = SM3; }
})(typeof self !== "undefined" ? self : globalThis);
