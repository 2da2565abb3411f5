// Ed25519 signature verification (RFC 8032 §5.1.7) and SHA-512 (FIPS 180-4) in plain JavaScript.
//
// The verify page uses Web Crypto's Ed25519 when the browser has it (Chromium 137+, Firefox 129+,
// Safari 17+) and this file otherwise: older browsers, and pages served over plain HTTP on an intranet,
// where `crypto.subtle` does not exist at all. Verification only — no secret ever touches it, so
// constant time does not matter. The check is the cofactorless one OpenSSL and BoringSSL make:
// encode([S]B - [k]A) must equal the R bytes of the signature, with S < L and A a valid point.
// Needs BigInt (every browser since 2020). Cost: two 253-bit scalar multiplications, ~20 ms.
(function (root) {
  "use strict";

  var P = (1n << 255n) - 19n;
  var L = (1n << 252n) + 27742317777372353535851937790883648493n;
  var D = mod(-121665n * inv(121666n));
  var SQRT_M1 = pow(2n, (P - 1n) / 4n);
  var BY = mod(4n * inv(5n));
  var BX = recoverX(BY, 0);
  var BASE = [BX, BY, 1n, mod(BX * BY)];
  var ZERO = [0n, 1n, 1n, 0n];

  function mod(a) { var r = a % P; return r < 0n ? r + P : r; }

  function pow(base, exp) {
    var result = 1n;
    base = mod(base);
    while (exp > 0n) {
      if (exp & 1n) { result = (result * base) % P; }
      base = (base * base) % P;
      exp >>= 1n;
    }
    return result;
  }

  function inv(a) { return pow(a, P - 2n); }

  function recoverX(y, sign) {
    if (y >= P) { return null; }
    var y2 = (y * y) % P;
    var u = mod(y2 - 1n);
    var v = mod(D * y2 + 1n);
    var v3 = (v * v % P) * v % P;
    var x = (u * v3 % P) * pow(u * (v3 * v3 % P) % P * v % P, (P - 5n) / 8n) % P;
    var vx2 = v * x % P * x % P;
    if (vx2 !== u) {
      if (vx2 === mod(-u)) { x = x * SQRT_M1 % P; } else { return null; }
    }
    if (x === 0n && sign) { return null; }
    if (Number(x & 1n) !== sign) { x = P - x; }
    return x;
  }

  // Extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z, xy = T/Z (RFC 8032 §5.1.4).
  function add(p, q) {
    var a = mod((p[1] - p[0]) * (q[1] - q[0]));
    var b = mod((p[1] + p[0]) * (q[1] + q[0]));
    var c = mod(2n * p[3] * q[3] * D);
    var d = mod(2n * p[2] * q[2]);
    var e = b - a, f = d - c, g = d + c, h = b + a;
    return [mod(e * f), mod(g * h), mod(f * g), mod(e * h)];
  }

  function multiply(scalar, point) {
    var result = ZERO;
    var addend = point;
    while (scalar > 0n) {
      if (scalar & 1n) { result = add(result, addend); }
      addend = add(addend, addend);
      scalar >>= 1n;
    }
    return result;
  }

  function negate(p) { return [mod(-p[0]), p[1], p[2], mod(-p[3])]; }

  function encode(p) {
    var zi = inv(p[2]);
    var x = mod(p[0] * zi);
    var y = mod(p[1] * zi);
    var out = new Uint8Array(32);
    for (var i = 0; i < 32; i++) { out[i] = Number((y >> BigInt(8 * i)) & 255n); }
    out[31] |= Number(x & 1n) << 7;
    return out;
  }

  function decode(bytes) {
    var y = leInt(bytes);
    var sign = Number(y >> 255n);
    y &= (1n << 255n) - 1n;
    var x = recoverX(y, sign);
    if (x === null) { return null; }
    return [x, y, 1n, mod(x * y)];
  }

  function leInt(bytes) {
    var n = 0n;
    for (var i = bytes.length - 1; i >= 0; i--) { n = (n << 8n) | BigInt(bytes[i]); }
    return n;
  }

  // --- SHA-512 over BigInt words (inputs here are a few hundred bytes) ------------------------------
  var K512 = [
    "428a2f98d728ae22", "7137449123ef65cd", "b5c0fbcfec4d3b2f", "e9b5dba58189dbbc", "3956c25bf348b538",
    "59f111f1b605d019", "923f82a4af194f9b", "ab1c5ed5da6d8118", "d807aa98a3030242", "12835b0145706fbe",
    "243185be4ee4b28c", "550c7dc3d5ffb4e2", "72be5d74f27b896f", "80deb1fe3b1696b1", "9bdc06a725c71235",
    "c19bf174cf692694", "e49b69c19ef14ad2", "efbe4786384f25e3", "0fc19dc68b8cd5b5", "240ca1cc77ac9c65",
    "2de92c6f592b0275", "4a7484aa6ea6e483", "5cb0a9dcbd41fbd4", "76f988da831153b5", "983e5152ee66dfab",
    "a831c66d2db43210", "b00327c898fb213f", "bf597fc7beef0ee4", "c6e00bf33da88fc2", "d5a79147930aa725",
    "06ca6351e003826f", "142929670a0e6e70", "27b70a8546d22ffc", "2e1b21385c26c926", "4d2c6dfc5ac42aed",
    "53380d139d95b3df", "650a73548baf63de", "766a0abb3c77b2a8", "81c2c92e47edaee6", "92722c851482353b",
    "a2bfe8a14cf10364", "a81a664bbc423001", "c24b8b70d0f89791", "c76c51a30654be30", "d192e819d6ef5218",
    "d69906245565a910", "f40e35855771202a", "106aa07032bbd1b8", "19a4c116b8d2d0c8", "1e376c085141ab53",
    "2748774cdf8eeb99", "34b0bcb5e19b48a8", "391c0cb3c5c95a63", "4ed8aa4ae3418acb", "5b9cca4f7763e373",
    "682e6ff3d6b2b8a3", "748f82ee5defb2fc", "78a5636f43172f60", "84c87814a1f0ab72", "8cc702081a6439ec",
    "90befffa23631e28", "a4506cebde82bde9", "bef9a3f7b2c67915", "c67178f2e372532b", "ca273eceea26619c",
    "d186b8c721c0c207", "eada7dd6cde0eb1e", "f57d4f7fee6ed178", "06f067aa72176fba", "0a637dc5a2c898a6",
    "113f9804bef90dae", "1b710b35131c471b", "28db77f523047d84", "32caab7b40c72493", "3c9ebe0a15c9bebc",
    "431d67c49c100d4c", "4cc5d4becb3e42b6", "597f299cfc657e2a", "5fcb6fab3ad6faec", "6c44198c4a475817",
  ].map(function (h) { return BigInt("0x" + h); });
  var IV512 = [
    "6a09e667f3bcc908", "bb67ae8584caa73b", "3c6ef372fe94f82b", "a54ff53a5f1d36f1",
    "510e527fade682d1", "9b05688c2b3e6c1f", "1f83d9abfb41bd6b", "5be0cd19137e2179",
  ].map(function (h) { return BigInt("0x" + h); });
  var M64 = (1n << 64n) - 1n;

  function rotr(x, n) { return ((x >> n) | (x << (64n - n))) & M64; }

  function sha512(message) {
    var length = message.length;
    var padded = new Uint8Array(Math.ceil((length + 17) / 128) * 128);
    padded.set(message);
    padded[length] = 0x80;
    var bits = BigInt(length) * 8n;
    for (var i = 0; i < 16; i++) { padded[padded.length - 1 - i] = Number((bits >> BigInt(8 * i)) & 255n); }
    var hv = IV512.slice();
    var w = new Array(80);
    for (var block = 0; block < padded.length; block += 128) {
      for (var t = 0; t < 16; t++) {
        var word = 0n;
        for (var b = 0; b < 8; b++) { word = (word << 8n) | BigInt(padded[block + t * 8 + b]); }
        w[t] = word;
      }
      for (t = 16; t < 80; t++) {
        var s0 = rotr(w[t - 15], 1n) ^ rotr(w[t - 15], 8n) ^ (w[t - 15] >> 7n);
        var s1 = rotr(w[t - 2], 19n) ^ rotr(w[t - 2], 61n) ^ (w[t - 2] >> 6n);
        w[t] = (w[t - 16] + s0 + w[t - 7] + s1) & M64;
      }
      var a = hv[0], bb = hv[1], c = hv[2], d = hv[3], e = hv[4], f = hv[5], g = hv[6], h = hv[7];
      for (t = 0; t < 80; t++) {
        var t1 = (h + (rotr(e, 14n) ^ rotr(e, 18n) ^ rotr(e, 41n)) + ((e & f) ^ (~e & M64 & g)) + K512[t] + w[t]) & M64;
        var t2 = ((rotr(a, 28n) ^ rotr(a, 34n) ^ rotr(a, 39n)) + ((a & bb) ^ (a & c) ^ (bb & c))) & M64;
        h = g; g = f; f = e; e = (d + t1) & M64; d = c; c = bb; bb = a; a = (t1 + t2) & M64;
      }
      hv = [hv[0] + a, hv[1] + bb, hv[2] + c, hv[3] + d, hv[4] + e, hv[5] + f, hv[6] + g, hv[7] + h].map(
        function (x) { return x & M64; });
    }
    var out = new Uint8Array(64);
    for (i = 0; i < 8; i++) {
      for (b = 0; b < 8; b++) { out[i * 8 + b] = Number((hv[i] >> BigInt(56 - 8 * b)) & 255n); }
    }
    return out;
  }

  function concat(parts) {
    var n = 0;
    parts.forEach(function (p) { n += p.length; });
    var out = new Uint8Array(n);
    var pos = 0;
    parts.forEach(function (p) { out.set(p, pos); pos += p.length; });
    return out;
  }

  // True when `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey` (32 bytes).
  function verify(publicKey, message, signature) {
    if (publicKey.length !== 32 || signature.length !== 64) { return false; }
    var a = decode(publicKey);
    if (a === null) { return false; }
    var rBytes = signature.subarray(0, 32);
    var s = leInt(signature.subarray(32));
    if (s >= L) { return false; }
    var k = leInt(sha512(concat([rBytes, publicKey, message]))) % L;
    var check = encode(add(multiply(s, BASE), multiply(k, negate(a))));
    for (var i = 0; i < 32; i++) { if (check[i] !== rBytes[i]) { return false; } }
    return true;
  }

  var api = { verify: verify, sha512: sha512 };
  root.ShangmiEd25519 = api;
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
})(typeof self !== "undefined" ? self : globalThis);
