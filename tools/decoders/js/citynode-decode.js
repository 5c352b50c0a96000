#!/usr/bin/env node
// CityNode batch payload decoder, version 1 — written from docs/payload.md alone. No dependencies.
//
// Node.js:     const { decode, toJson, PayloadError } = require("./citynode-decode.js");
//              decode(buffer) -> object, or throws PayloadError { offset, reason }
// Command:     node citynode-decode.js HEX          (same JSON as `citynode decode --json HEX`; exit 1 on a refusal)
//              node citynode-decode.js --batch      (hex lines on stdin, one JSON line each)
//              node citynode-decode.js --bench      (hex lines on stdin: readings/s of decode() alone)
// Node-RED:    paste this file into a function node, then:  msg.payload = decode(msg.payload); return msg;
// LNS-style payload formatters: decodeUplink({ bytes }) -> { data } or { errors }.
"use strict";

const VERSION = 1;
const MAX_PAYLOAD = 1 << 20;
const MIN_SIZE = 17;
const MAX_SAMPLES = 65535;
const MAX_CHANNELS = 64;
const MAX_READINGS = 262144;
const READINGS_PER_BYTE = 5800;
const MAX_TIME = 4294967295;
const MAX_GRID = 8589934592; // 2^33
const MAX_DIAG_VALUE = 9007199254740991n; // 2^53 - 1
const MAX_TEXT = 48;
const TOP = 16777216; // 2^24

const CHANNEL_NAMES = [null, "air_temperature", "relative_humidity", "air_pressure", "pm1", "pm2_5", "pm10", "co2",
  "gas_resistance", "water_temperature", "ph", "conductivity", "tds", "dissolved_oxygen", "orp",
  "turbidity", "salinity", "light", "gage_height", "battery"];
const CANONICAL_UNITS = [0, 1, 2, 3, 4, 4, 4, 5, 11, 1, 6, 7, 8, 8, 9, 10, 0, 13, 14, 9];
const UNIT_SYMBOLS = ["", "Cel", "%RH", "Pa", "ug/m3", "ppm", "pH", "uS/cm", "mg/L", "mV", "NTU", "Ohm", "%", "lx", "m",
  "dBm", "count", "/"];
const DIAG_FIELDS = ["battery_mv", "rssi_dbm", "reset_cause", "wakeup_cause", "boot_ms", "sample_ms", "connect_ms",
  "publish_ms", "light_sleep_ms", "deep_sleep_ms", "sensor_faults", "publish_retries", "dropped_readings",
  "journal_recoveries", "free_heap", "config_version", "config_rejected_version", "quarantined_batches",
  "safe_mode_boots", "uptime_s", "cycles", "dropped_batches", "produced_readings", "wait_ms",
  "acked_seq", "resent_batches", "ota_version", "ota_slot", "ota_state", "ota_received", "ota_failure"];
const DIAG_SIGNED = 1; // rssi_dbm
const PREDICTORS = ["previous", "linear", "damped"];
const STATUS = ["ok", "missing", "fault", "invalid"];

class PayloadError extends Error {
  constructor(offset, reason) {
    super("byte " + offset + ": " + reason);
    this.offset = offset;
    this.reason = reason;
  }
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32c(data, end) {
  let c = 0xffffffff;
  for (let i = 0; i < end; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function hex8(v) { return v.toString(16).toUpperCase().padStart(8, "0"); }
function hex2(v) { return v.toString(16).toUpperCase().padStart(2, "0"); }

// Zigzag back to signed, on a BigInt (varints can be 64-bit).
function unzigzag(u) { return (u & 1n) ? -(u >> 1n) - 1n : u >> 1n; }

class Reader {
  constructor(data, pos, end) { this.data = data; this.pos = pos; this.end = end; }

  byte(field) {
    if (this.pos >= this.end) throw new PayloadError(this.pos, "truncated: " + field + " missing");
    return this.data[this.pos++];
  }

  u32(field) {
    if (this.end - this.pos < 4) throw new PayloadError(this.pos, "truncated: " + field + " needs 4 bytes");
    const d = this.data, p = this.pos;
    this.pos += 4;
    return d[p] + d[p + 1] * 256 + d[p + 2] * 65536 + d[p + 3] * 16777216;
  }

  // A varint as a BigInt: values up to 2^64 - 1 must print exactly in messages.
  varint(field) {
    const start = this.pos;
    let v = 0n;
    for (let k = 0; k < 10; k++) {
      if (this.pos >= this.end) throw new PayloadError(this.pos, "truncated: " + field + " varint unfinished");
      const b = this.data[this.pos++];
      if (k === 9 && b > 1) throw new PayloadError(start, field + " varint exceeds 64 bits");
      v |= BigInt(b & 0x7f) << BigInt(7 * k);
      if (!(b & 0x80)) return v;
    }
    throw new PayloadError(start, field + " varint exceeds 64 bits");
  }

  varintIn(field, lo, hi) {
    const start = this.pos;
    const v = this.varint(field);
    if (v < BigInt(lo) || v > BigInt(hi)) throw new PayloadError(start, field + " " + v + " outside " + lo + ".." + hi);
    return Number(v);
  }
}

// The spec's range decoder. A context is a two-slot array [prob, count]. range and code are kept as
// unsigned 32-bit values in plain numbers (`>>> 0` after every shift).
class Coder {
  constructor(data, pos, end) {
    this.data = data; this.pos = pos; this.end = end; this.overrun = 0;
    this.range = 0xffffffff; this.code = 0;
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
  }

  next() {
    if (this.pos < this.end) return this.data[this.pos++];
    this.overrun++;
    return 0;
  }

  bit(ctx) {
    let p = ctx[0] >>> 4;
    if (p < 4) p = 4; else if (p > 4092) p = 4092;
    const bound = (this.range >>> 12) * p; // < 2^32, exact
    let b;
    if (this.code < bound) { this.range = bound; b = 1; } else { this.code -= bound; this.range -= bound; b = 0; }
    while (this.range < TOP) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
    const target = b ? 65535 : 0;
    const n = ctx[1];
    if (n < 30) {
      ctx[0] += Math.trunc((target - ctx[0]) / (n + 2));
      ctx[1] = n + 1;
    } else {
      ctx[0] += (target - ctx[0]) >> 5; // arithmetic shift: floors (small numbers, int32 is enough)
    }
    return b;
  }

  direct() {
    this.range = this.range >>> 1;
    let b = 0;
    if (this.code >= this.range) { this.code -= this.range; b = 1; }
    while (this.range < TOP) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
    return b;
  }

  // Up to 40 bits: built with multiplication, exact in a double.
  bits(k) {
    let v = 0;
    for (let i = 0; i < k; i++) v = v * 2 + this.direct();
    return v;
  }
}

function fresh(n) { const a = new Array(n); for (let i = 0; i < n; i++) a[i] = [32768, 0]; return a; }

class Residuals {
  constructor() { this.reset(0); }

  reset(h) {
    this.zero = fresh(3); this.sign = fresh(3); this.exp = fresh(41); this.mant = fresh(41);
    this.run = 0; this.prevSign = 0;
    for (let i = 0; i <= 40; i++) {
      if (i < h - 1) this.exp[i] = [60000, 2];
      else if (i > h - 1) this.exp[i] = [16000, 2];
    }
    if (h === 0) { this.zero[0] = [52000, 2]; this.zero[1] = [56000, 2]; this.zero[2] = [60000, 2]; }
  }

  residual(coder) {
    if (coder.bit(this.zero[this.run])) { this.run = Math.min(this.run + 1, 2); return 0; }
    this.run = 0;
    const negative = coder.bit(this.sign[this.prevSign]);
    this.prevSign = negative ? 2 : 1;
    let e = 0;
    while (e < 40 && coder.bit(this.exp[e])) e++;
    let m = 1;
    if (e > 0) m = 2 * m + coder.bit(this.mant[e]);
    if (e > 1) m = m * Math.pow(2, e - 1) + coder.bits(e - 1);
    return negative ? -m : m;
  }
}

// s x 10^exponent as exact decimal text (docs/payload.md, Decoded JSON); |s| < 2^53.
function decimal(s, exponent) {
  if (s === 0) return "0";
  const sign = s < 0 ? "-" : "";
  let digits = String(Math.abs(s));
  if (exponent >= 0) return sign + digits + "0".repeat(exponent);
  const point = -exponent;
  digits = digits.padStart(point + 1, "0");
  const whole = digits.slice(0, digits.length - point);
  const fraction = digits.slice(digits.length - point).replace(/0+$/, "");
  return sign + whole + (fraction ? "." + fraction : "");
}

function decode(input) {
  const data = input instanceof Uint8Array ? input : Uint8Array.from(input);
  const length = data.length;
  if (length > MAX_PAYLOAD) throw new PayloadError(0, "oversized: " + length + " bytes, limit " + MAX_PAYLOAD);
  if (length === 0) throw new PayloadError(0, "truncated: 0 bytes, a payload has at least " + MIN_SIZE);
  if ((data[0] & 0xf0) !== 0xc0) throw new PayloadError(0, "not a CityNode payload (first byte 0x" + hex2(data[0]) + ")");
  if ((data[0] & 0x0f) !== VERSION) throw new PayloadError(0, "unknown version " + (data[0] & 0x0f) + " (this decoder reads version " + VERSION + ")");
  if (length < MIN_SIZE) throw new PayloadError(length, "truncated: " + length + " bytes, a payload has at least " + MIN_SIZE);
  const bodyEnd = length - 4;
  const stored = (data[bodyEnd] + data[bodyEnd + 1] * 256 + data[bodyEnd + 2] * 65536 + data[bodyEnd + 3] * 16777216) >>> 0;
  const computed = crc32c(data, bodyEnd);
  if (stored !== computed) throw new PayloadError(bodyEnd, "CRC mismatch (stored 0x" + hex8(stored) + ", computed 0x" + hex8(computed) + "): corrupted or truncated");

  const r = new Reader(data, 1, bodyEnd);
  const flags = r.byte("flags");
  if (flags & ~0x03) throw new PayloadError(1, "unknown flags 0x" + hex2(flags));
  const nodeId = r.varintIn("node id", 1, MAX_TIME);
  const sequence = r.varintIn("sequence", 0, MAX_TIME);
  const baseTime = r.u32("base time");
  const countAt = r.pos;
  const n = r.varintIn("sample count", 1, MAX_SAMPLES);
  const interval = r.varintIn("interval", 0, MAX_TIME);
  const channelsAt = r.pos;
  const nch = r.byte("channel count");
  if (nch < 1 || nch > MAX_CHANNELS) throw new PayloadError(channelsAt, "channel count " + nch + " outside 1.." + MAX_CHANNELS);
  if (n * nch > MAX_READINGS || n * nch > length * READINGS_PER_BYTE) {
    throw new PayloadError(countAt, "sample count " + n + " x " + nch + " channels is more than a payload of " + length + " bytes can hold");
  }

  const specs = [];
  for (let c = 0; c < nch; c++) {
    const id = r.byte("channel id");
    const codeAt = r.pos;
    let code = r.byte("channel resolution");
    let unit = id > 0 && id < CANONICAL_UNITS.length ? CANONICAL_UNITS[id] : 0;
    if (code & 0x80) { code &= 0x7f; unit = r.byte("channel unit"); }
    let mantissa, exponent;
    if (code === 127) {
      mantissa = r.varintIn("resolution mantissa", 1, 1000000);
      const e = unzigzag(r.varint("resolution exponent"));
      exponent = e < -6n || e > 9n ? 99 : Number(e);
    } else if (code < 48) {
      mantissa = [1, 2, 5][code % 3];
      exponent = Math.floor(code / 3) - 6;
    } else {
      throw new PayloadError(codeAt, "channel " + c + ": unknown resolution code " + code);
    }
    if (exponent < -6 || exponent > 9) throw new PayloadError(codeAt, "channel " + c + ": resolution out of range");
    specs.push([id, unit, mantissa, exponent]);
  }

  const diagnostics = [];
  let text = null;
  if (flags & 0x01) {
    const lengthAt = r.pos;
    const block = r.varint("diagnostics length");
    const left = r.end - r.pos;
    if (block > BigInt(left)) throw new PayloadError(lengthAt, "truncated: diagnostics length " + block + ", " + left + " bytes left");
    const blockEnd = r.pos + Number(block);
    const d = new Reader(data, r.pos, blockEnd);
    const present = d.varint("diagnostics bitmap");
    for (let bit = 0; bit < 31; bit++) {
      if (!((present >> BigInt(bit)) & 1n)) continue;
      const at = d.pos;
      const v = d.varint(bit < DIAG_FIELDS.length ? DIAG_FIELDS[bit] : "diagnostics field");
      if (bit >= DIAG_FIELDS.length) continue;
      if (v > MAX_DIAG_VALUE) throw new PayloadError(at, DIAG_FIELDS[bit] + " " + v + " above 2^53-1");
      diagnostics.push([DIAG_FIELDS[bit], Number(bit === DIAG_SIGNED ? unzigzag(v) : v)]);
    }
    if ((present >> 31n) & 1n) {
      const at = d.pos;
      const k = d.byte("diagnostics text length");
      if (k > MAX_TEXT) throw new PayloadError(at, "diagnostics text longer than " + MAX_TEXT);
      let s = "";
      for (let i = 0; i < k; i++) {
        const ch = d.byte("diagnostics text");
        if (ch < 0x20 || ch > 0x7e) throw new PayloadError(d.pos - 1, "diagnostics text not printable ASCII");
        s += String.fromCharCode(ch);
      }
      text = s;
    }
    r.pos = blockEnd;
  }

  const bodyAt = r.pos;
  const coder = new Coder(data, bodyAt, bodyEnd);
  const side = fresh(4); // flagged, notDelta, linear, hintZero
  const a = new Residuals();
  const b = new Residuals();
  const times = [baseTime];
  let timeMode = "regular", skipHint = 0, jitterHint = 0;
  if (flags & 0x02) {
    for (let i = 1; i < n; i++) {
      const t = times[i - 1] + interval;
      if (t > MAX_TIME) throw new PayloadError(bodyAt, "regular timestamps run past 2106");
      times.push(t);
    }
  } else {
    const grid = coder.direct();
    skipHint = coder.bits(6);
    jitterHint = coder.bits(6);
    timeMode = grid ? "grid" : "step";
    a.reset(skipHint);
    b.reset(jitterHint);
    let ref = baseTime;
    for (let i = 1; i < n; i++) {
      const q = a.residual(coder);
      const j = b.residual(coder);
      // ref <= 2^33 and |q| < 2^41: the product may round, but only far above 2^33.
      if (q < -1 || q > MAX_TIME || (interval > 0 && ref + (q + 1) * interval > MAX_GRID)) {
        throw new PayloadError(bodyAt, "timestamp of sample " + i + " out of range");
      }
      const g = ref + (q + 1) * interval;
      const t = g + j;
      if (t < 0 || t > MAX_TIME) throw new PayloadError(bodyAt, "timestamp of sample " + i + " out of range");
      times.push(t);
      ref = grid ? g : t;
    }
  }

  const channels = [];
  for (let c = 0; c < nch; c++) {
    const [id, unit, mantissa, exponent] = specs[c];
    const flagged = coder.bit(side[0]);
    let predictor;
    if (coder.bit(side[1]) === 0) predictor = 0;
    else predictor = coder.bit(side[2]) ? 1 : 2;
    const hint = coder.bit(side[3]) ? 0 : 1 + coder.bits(5);
    a.reset(hint);
    const st = fresh(4); // notOk after ok, notOk after not ok, missing, fault
    const steps = new Array(n);
    const status = new Array(n);
    let valid = 0, x1 = 0, x2 = 0, prevNotOk = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      if (flagged) {
        if (coder.bit(st[prevNotOk]) === 0) s = 0;
        else if (coder.bit(st[2])) s = 1;
        else if (coder.bit(st[3])) s = 2;
        else s = 3;
        prevNotOk = s === 0 ? 0 : 1;
      }
      status[i] = STATUS[s];
      if (s !== 0) { steps[i] = null; continue; }
      let v;
      if (valid === 0) {
        const k = coder.bits(6);
        if (k > 33) throw new PayloadError(bodyAt, "first value longer than 33 bits");
        if (k === 0) v = 0;
        else {
          const z = Math.pow(2, k - 1) + coder.bits(k - 1); // < 2^33
          v = z % 2 === 1 ? -((z - 1) / 2) - 1 : z / 2;
        }
      } else {
        let p;
        if (valid < 2 || predictor === 0) p = x1;
        else if (predictor === 1) p = 2 * x1 - x2;
        else p = x1 + Math.floor((x1 - x2) / 2);
        v = p + a.residual(coder);
      }
      if (v < -2147483648 || v > 2147483647) throw new PayloadError(bodyAt, "channel " + c + " sample " + i + ": value out of range");
      steps[i] = v;
      x2 = x1; x1 = v; valid++;
    }
    channels.push({
      id,
      name: id > 0 && id < CHANNEL_NAMES.length ? CHANNEL_NAMES[id] : "ch" + id,
      unit: unit < UNIT_SYMBOLS.length ? UNIT_SYMBOLS[unit] : null,
      unit_code: unit,
      mantissa,
      exponent,
      predictor: PREDICTORS[predictor],
      hint,
      steps,
      status,
    });
  }

  if (coder.overrun > 4) throw new PayloadError(bodyEnd, "body ends early: coded data runs past the payload");

  return {
    version: VERSION, node_id: nodeId, sequence, base_time: baseTime, interval, time_mode: timeMode,
    skip_hint: skipHint, jitter_hint: jitterHint, times, channels, diagnostics, diagnostics_text: text,
  };
}

function str(s) { return "\"" + s.replace(/\\/g, "\\\\").replace(/"/g, "\\\"") + "\""; }

// The spec's one-line JSON of a decoded batch (values as exact decimals).
function toJson(bt) {
  const parts = ["{\"version\":" + bt.version + ",\"node_id\":" + bt.node_id + ",\"sequence\":" + bt.sequence +
    ",\"base_time\":" + bt.base_time + ",\"interval\":" + bt.interval + ",\"time_mode\":\"" + bt.time_mode +
    "\",\"skip_hint\":" + bt.skip_hint + ",\"jitter_hint\":" + bt.jitter_hint + ",\"times\":[" + bt.times.join(",") + "],\"channels\":["];
  parts.push(bt.channels.map((ch) => "{\"id\":" + ch.id + ",\"name\":" + str(ch.name) + ",\"unit\":" + (ch.unit === null ? "null" : str(ch.unit)) +
    ",\"unit_code\":" + ch.unit_code + ",\"resolution\":" + decimal(ch.mantissa, ch.exponent) + ",\"predictor\":\"" + ch.predictor +
    "\",\"hint\":" + ch.hint + ",\"values\":[" + ch.steps.map((v) => (v === null ? "null" : decimal(v * ch.mantissa, ch.exponent))).join(",") +
    "],\"status\":[" + ch.status.map((s) => "\"" + s + "\"").join(",") + "]}").join(","));
  parts.push("],\"diagnostics\":{" + bt.diagnostics.map(([k, v]) => "\"" + k + "\":" + v).join(",") + "},\"diagnostics_text\":" +
    (bt.diagnostics_text === null ? "null" : str(bt.diagnostics_text)) + "}");
  return parts.join("");
}

function errorJson(e) { return "{\"error\":{\"offset\":" + e.offset + ",\"reason\":" + str(e.reason) + "}}"; }

// [error or null, one JSON line] for a payload.
function decodeJson(data) {
  try {
    return [null, toJson(decode(data))];
  } catch (e) {
    if (e instanceof PayloadError) return [e, errorJson(e)];
    throw e;
  }
}

// LNS-style payload formatter entry point (input.bytes: array of bytes).
function decodeUplink(input) {
  try {
    return { data: decode(input.bytes) };
  } catch (e) {
    if (e instanceof PayloadError) return { errors: [e.message] };
    throw e;
  }
}

function fromHex(text) {
  const digits = text.replace(/\s+/g, "");
  if (digits.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(digits)) return null;
  return Uint8Array.from(Buffer.from(digits, "hex"));
}

function main(argv) {
  if (argv.length === 1 && (argv[0] === "--batch" || argv[0] === "--bench")) {
    // Every line is one payload, an empty line the empty payload; the last newline ends the last line.
    const lines = require("fs").readFileSync(0, "latin1").split("\n");
    if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
    if (argv[0] === "--batch") {
      const out = lines.map((l) => { const p = fromHex(l); return p === null ? "{\"error\":{\"offset\":-1,\"reason\":\"not hex\"}}" : decodeJson(p)[1]; });
      process.stdout.write(out.join("\n") + (out.length ? "\n" : ""));
      return 0;
    }
    const payloads = lines.map(fromHex);
    let readings = 0;
    const start = process.hrtime.bigint();
    for (const p of payloads) { const bt = decode(p); readings += bt.times.length * bt.channels.length; }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write("{\"payloads\":" + payloads.length + ",\"readings\":" + readings + ",\"seconds\":" + seconds.toFixed(6) + "}\n");
    return 0;
  }
  if (argv.length !== 1 || argv[0].startsWith("-")) {
    process.stderr.write("usage: node citynode-decode.js HEX | --batch | --bench  (docs/payload.md)\n");
    return 1;
  }
  const data = fromHex(argv[0]);
  if (data === null) { process.stderr.write("citynode-decode: the argument is not an even number of hex digits\n"); return 1; }
  const [error, line] = decodeJson(data);
  process.stdout.write(line + "\n");
  if (error !== null) { process.stderr.write("citynode-decode: " + error.message + "\n"); return 1; }
  return 0;
}

if (typeof module !== "undefined" && module.exports) {
  module.exports = { decode, decodeJson, decodeUplink, toJson, PayloadError, crc32c };
  if (typeof require !== "undefined" && require.main === module) process.exitCode = main(process.argv.slice(2));
}
