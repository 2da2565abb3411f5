// The Merkle-Damgard framing shared by SHA-256 and SM3: 64-byte blocks, 0x80 padding and the message
// length in bits as a big-endian 64-bit number, eight 32-bit state words out. Each algorithm supplies
// only its constructor (setting _v, _buffer, _buffered, _length, _done) and its `_compress(data, offset)`;
// `ShangmiMdHash.install(Ctor, name)` adds update(), digest(), hexdigest() and Ctor.hash().
// Load this file before sha256.js and sm3.js (pages and the digest worker do).
(function (root) {
  "use strict";

  function writeUint32(bytes, offset, value) {
    bytes[offset] = value >>> 24;
    bytes[offset + 1] = (value >>> 16) & 0xff;
    bytes[offset + 2] = (value >>> 8) & 0xff;
    bytes[offset + 3] = value & 0xff;
  }

  function toBytes(input, name) {
    if (input instanceof Uint8Array) { return input; }
    if (input instanceof ArrayBuffer) { return new Uint8Array(input); }
    if (ArrayBuffer.isView(input)) { return new Uint8Array(input.buffer, input.byteOffset, input.byteLength); }
    if (typeof input === "string") { return new TextEncoder().encode(input); }
    throw new TypeError(name + ": expected bytes or a string");
  }

  function toHex(bytes) {
    var s = "";
    for (var i = 0; i < bytes.length; i++) { s += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16); }
    return s;
  }

  function install(Ctor, name) {
    // Feed bytes (Uint8Array, ArrayBuffer or a UTF-8 string). Returns this.
    Ctor.prototype.update = function (input) {
      if (this._done) { throw new Error(name + ": update after digest"); }
      var data = toBytes(input, name);
      var n = data.length;
      var pos = 0;
      this._length += n;
      if (this._buffered) {
        var take = Math.min(64 - this._buffered, n);
        this._buffer.set(data.subarray(0, take), this._buffered);
        this._buffered += take;
        pos = take;
        if (this._buffered < 64) { return this; }
        this._compress(this._buffer, 0);
        this._buffered = 0;
      }
      while (pos + 64 <= n) {
        this._compress(data, pos);
        pos += 64;
      }
      if (pos < n) {
        this._buffer.set(data.subarray(pos), 0);
        this._buffered = n - pos;
      }
      return this;
    };

    // The 32-byte digest. The object cannot be updated afterwards.
    Ctor.prototype.digest = function () {
      if (this._done) { throw new Error(name + ": digest called twice"); }
      this._done = true;
      var buffer = this._buffer;
      var used = this._buffered;
      buffer[used++] = 0x80;
      if (used > 56) {
        buffer.fill(0, used);
        this._compress(buffer, 0);
        used = 0;
      }
      buffer.fill(0, used, 56);
      writeUint32(buffer, 56, Math.floor(this._length / 0x20000000)); // bits = bytes * 8, split at 2^32
      writeUint32(buffer, 60, (this._length % 0x20000000) * 8);
      this._compress(buffer, 0);
      var out = new Uint8Array(32);
      for (var i = 0; i < 8; i++) { writeUint32(out, i * 4, this._v[i]); }
      return out;
    };

    Ctor.prototype.hexdigest = function () { return toHex(this.digest()); };
    Ctor.hash = function (input) { return new Ctor().update(input).digest(); };
    return Ctor;
  }

  var api = { install: install, toHex: toHex };
  root.ShangmiMdHash = api;
  if (typeof module !== "undefined" && module.exports) { module.exports = api; }
})(typeof self !== "undefined" ? self : globalThis);
