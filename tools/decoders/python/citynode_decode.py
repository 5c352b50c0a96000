#!/usr/bin/env python3
"""CityNode batch payload decoder, version 1 — written from docs/payload.md alone.

Standard library only, one file: copy it. As a module::

    from citynode_decode import decode, PayloadError, to_json
    batch = decode(bytes.fromhex(hex_text))      # dict, or raises PayloadError(offset, reason)

As a command (same JSON as ``citynode decode --json HEX``)::

    python3 citynode_decode.py HEX           # one payload; exit 1 on a refusal
    python3 citynode_decode.py --batch       # hex lines on stdin, one JSON line each
    python3 citynode_decode.py --bench       # hex lines on stdin: readings/s of decode() alone
"""

import sys
import time

VERSION = 1
MAX_PAYLOAD = 1 << 20
MIN_SIZE = 17
MAX_SAMPLES = 65535
MAX_CHANNELS = 64
MAX_READINGS = 262144
READINGS_PER_BYTE = 5800
MAX_TIME = 0xFFFFFFFF
MAX_GRID = 1 << 33
MAX_DIAG_VALUE = (1 << 53) - 1
MAX_TEXT = 48

CHANNEL_NAMES = [None, "air_temperature", "relative_humidity", "air_pressure", "pm1", "pm2_5", "pm10", "co2",
                 "gas_resistance", "water_temperature", "ph", "conductivity", "tds", "dissolved_oxygen", "orp",
                 "turbidity", "salinity", "light", "gage_height", "battery"]
CANONICAL_UNITS = [0, 1, 2, 3, 4, 4, 4, 5, 11, 1, 6, 7, 8, 8, 9, 10, 0, 13, 14, 9]
UNIT_SYMBOLS = ["", "Cel", "%RH", "Pa", "ug/m3", "ppm", "pH", "uS/cm", "mg/L", "mV", "NTU", "Ohm", "%", "lx", "m",
                "dBm", "count", "/"]
DIAG_FIELDS = ["battery_mv", "rssi_dbm", "reset_cause", "wakeup_cause", "boot_ms", "sample_ms", "connect_ms",
               "publish_ms", "light_sleep_ms", "deep_sleep_ms", "sensor_faults", "publish_retries", "dropped_readings",
               "journal_recoveries", "free_heap", "config_version", "config_rejected_version", "quarantined_batches",
               "safe_mode_boots", "uptime_s", "cycles", "dropped_batches", "produced_readings", "wait_ms",
               "acked_seq", "resent_batches", "ota_version", "ota_slot", "ota_state", "ota_received", "ota_failure"]
DIAG_SIGNED = {1}
PREDICTORS = ["previous", "linear", "damped"]
STATUS = ["ok", "missing", "fault", "invalid"]


class PayloadError(Exception):
    """A refused payload: the byte offset and the reason, as the spec's error set words them."""

    def __init__(self, offset, reason):
        super().__init__("byte %d: %s" % (offset, reason))
        self.offset = offset
        self.reason = reason


def _crc32c_table():
    table = []
    for n in range(256):
        c = n
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        table.append(c)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data):
    c = 0xFFFFFFFF
    for b in data:
        c = _CRC_TABLE[(c ^ b) & 0xFF] ^ (c >> 8)
    return c ^ 0xFFFFFFFF


def unzigzag(u):
    return -(u >> 1) - 1 if u & 1 else u >> 1


class _Reader:
    """Bounded reads before the CRC; every failure names the offset."""

    def __init__(self, data, pos, end):
        self.data = data
        self.pos = pos
        self.end = end

    def byte(self, field):
        if self.pos >= self.end:
            raise PayloadError(self.pos, "truncated: %s missing" % field)
        b = self.data[self.pos]
        self.pos += 1
        return b

    def u32(self, field):
        if self.end - self.pos < 4:
            raise PayloadError(self.pos, "truncated: %s needs 4 bytes" % field)
        v = int.from_bytes(self.data[self.pos:self.pos + 4], "little")
        self.pos += 4
        return v

    def varint(self, field):
        start = self.pos
        v = 0
        for k in range(10):
            if self.pos >= self.end:
                raise PayloadError(self.pos, "truncated: %s varint unfinished" % field)
            b = self.data[self.pos]
            self.pos += 1
            if k == 9 and b > 1:
                raise PayloadError(start, "%s varint exceeds 64 bits" % field)
            v |= (b & 0x7F) << (7 * k)
            if not b & 0x80:
                return v
        raise PayloadError(start, "%s varint exceeds 64 bits" % field)  # unreachable: the 10th byte is checked

    def varint_in(self, field, lo, hi):
        start = self.pos
        v = self.varint(field)
        if v < lo or v > hi:
            raise PayloadError(start, "%s %d outside %d..%d" % (field, v, lo, hi))
        return v


class _Coder:
    """The spec's range decoder (docs/payload.md, Range coder). A context is a 2-item list [prob, count]."""

    def __init__(self, data, pos, end):
        self.data = data
        self.pos = pos
        self.end = end
        self.overrun = 0
        self.range = 0xFFFFFFFF
        self.code = 0
        for _ in range(4):
            self.code = ((self.code << 8) | self._next()) & 0xFFFFFFFF

    def _next(self):
        if self.pos < self.end:
            b = self.data[self.pos]
            self.pos += 1
            return b
        self.overrun += 1
        return 0

    def bit(self, ctx):
        p = ctx[0] >> 4
        if p < 4:
            p = 4
        elif p > 4092:
            p = 4092
        bound = (self.range >> 12) * p
        if self.code < bound:
            self.range = bound
            b = 1
        else:
            self.code -= bound
            self.range -= bound
            b = 0
        while self.range < 0x1000000:
            self.range = (self.range << 8) & 0xFFFFFFFF
            self.code = ((self.code << 8) | self._next()) & 0xFFFFFFFF
        target = 65535 if b else 0
        n = ctx[1]
        if n < 30:
            d = target - ctx[0]
            q = abs(d) // (n + 2)
            ctx[0] += q if d >= 0 else -q  # truncating toward zero
            ctx[1] = n + 1
        else:
            ctx[0] += (target - ctx[0]) >> 5  # arithmetic shift: floors
        return b

    def direct(self):
        self.range >>= 1
        if self.code >= self.range:
            self.code -= self.range
            b = 1
        else:
            b = 0
        while self.range < 0x1000000:
            self.range = (self.range << 8) & 0xFFFFFFFF
            self.code = ((self.code << 8) | self._next()) & 0xFFFFFFFF
        return b

    def bits(self, k):
        v = 0
        for _ in range(k):
            v = (v << 1) | self.direct()
        return v


class _Residuals:
    """The residual model: zero[3], sign[3], exp[0..40], mant[1..40]."""

    def __init__(self):
        self.reset(0)

    def reset(self, h):
        self.zero = [[32768, 0] for _ in range(3)]
        self.sign = [[32768, 0] for _ in range(3)]
        self.exp = [[32768, 0] for _ in range(41)]
        self.mant = [[32768, 0] for _ in range(41)]
        self.run = 0
        self.prev_sign = 0
        for i in range(41):
            if i < h - 1:
                self.exp[i] = [60000, 2]
            elif i > h - 1:
                self.exp[i] = [16000, 2]
        if h == 0:
            self.zero[0] = [52000, 2]
            self.zero[1] = [56000, 2]
            self.zero[2] = [60000, 2]

    def residual(self, coder):
        if coder.bit(self.zero[self.run]):
            self.run = min(self.run + 1, 2)
            return 0
        self.run = 0
        negative = coder.bit(self.sign[self.prev_sign])
        self.prev_sign = 2 if negative else 1
        e = 0
        while e < 40 and coder.bit(self.exp[e]):
            e += 1
        m = 1
        if e > 0:
            m = 2 * m + coder.bit(self.mant[e])
        if e > 1:
            m = (m << (e - 1)) + coder.bits(e - 1)
        return -m if negative else m


def _decimal(s, exponent):
    """s x 10^exponent as exact decimal text (docs/payload.md, Decoded JSON)."""
    if s == 0:
        return "0"
    sign = "-" if s < 0 else ""
    digits = str(abs(s))
    if exponent >= 0:
        return sign + digits + "0" * exponent
    point = -exponent
    digits = digits.rjust(point + 1, "0")
    whole, fraction = digits[:-point], digits[-point:].rstrip("0")
    return sign + whole + ("." + fraction if fraction else "")


def decode(data):
    """Decodes one payload (bytes) into a dict; raises PayloadError on a refusal."""
    data = bytes(data)
    length = len(data)
    if length > MAX_PAYLOAD:
        raise PayloadError(0, "oversized: %d bytes, limit %d" % (length, MAX_PAYLOAD))
    if length == 0:
        raise PayloadError(0, "truncated: 0 bytes, a payload has at least %d" % MIN_SIZE)
    if data[0] & 0xF0 != 0xC0:
        raise PayloadError(0, "not a CityNode payload (first byte 0x%02X)" % data[0])
    if data[0] & 0x0F != VERSION:
        raise PayloadError(0, "unknown version %d (this decoder reads version %d)" % (data[0] & 0x0F, VERSION))
    if length < MIN_SIZE:
        raise PayloadError(length, "truncated: %d bytes, a payload has at least %d" % (length, MIN_SIZE))
    stored = int.from_bytes(data[length - 4:], "little")
    computed = crc32c(data[:length - 4])
    if stored != computed:
        raise PayloadError(length - 4, "CRC mismatch (stored 0x%08X, computed 0x%08X): corrupted or truncated" % (stored, computed))

    r = _Reader(data, 1, length - 4)
    flags = r.byte("flags")
    if flags & ~0x03:
        raise PayloadError(1, "unknown flags 0x%02X" % flags)
    node_id = r.varint_in("node id", 1, 0xFFFFFFFF)
    sequence = r.varint_in("sequence", 0, 0xFFFFFFFF)
    base_time = r.u32("base time")
    count_at = r.pos
    n = r.varint_in("sample count", 1, MAX_SAMPLES)
    interval = r.varint_in("interval", 0, MAX_TIME)
    channels_at = r.pos
    nch = r.byte("channel count")
    if nch < 1 or nch > MAX_CHANNELS:
        raise PayloadError(channels_at, "channel count %d outside 1..%d" % (nch, MAX_CHANNELS))
    if n * nch > MAX_READINGS or n * nch > length * READINGS_PER_BYTE:
        raise PayloadError(count_at, "sample count %d x %d channels is more than a payload of %d bytes can hold" % (n, nch, length))

    channels = []
    for c in range(nch):
        cid = r.byte("channel id")
        code_at = r.pos
        code = r.byte("channel resolution")
        unit = CANONICAL_UNITS[cid] if 0 < cid < len(CANONICAL_UNITS) else 0
        if code & 0x80:
            code &= 0x7F
            unit = r.byte("channel unit")
        if code == 127:
            mantissa = r.varint_in("resolution mantissa", 1, 1000000)
            exponent = unzigzag(r.varint("resolution exponent"))
        elif code < 48:
            mantissa = (1, 2, 5)[code % 3]
            exponent = code // 3 - 6
        else:
            raise PayloadError(code_at, "channel %d: unknown resolution code %d" % (c, code))
        if exponent < -6 or exponent > 9:
            raise PayloadError(code_at, "channel %d: resolution out of range" % c)
        channels.append((cid, unit, mantissa, exponent))

    diagnostics = []
    text = None
    if flags & 0x01:
        length_at = r.pos
        block = r.varint("diagnostics length")
        left = r.end - r.pos
        if block > left:
            raise PayloadError(length_at, "truncated: diagnostics length %d, %d bytes left" % (block, left))
        block_end = r.pos + block
        d = _Reader(data, r.pos, block_end)
        present = d.varint("diagnostics bitmap")
        for bit in range(31):
            if not present >> bit & 1:
                continue
            at = d.pos
            v = d.varint(DIAG_FIELDS[bit] if bit < len(DIAG_FIELDS) else "diagnostics field")
            if bit >= len(DIAG_FIELDS):
                continue
            if v > MAX_DIAG_VALUE:
                raise PayloadError(at, "%s %d above 2^53-1" % (DIAG_FIELDS[bit], v))
            diagnostics.append((DIAG_FIELDS[bit], unzigzag(v) if bit in DIAG_SIGNED else v))
        if present >> 31 & 1:
            at = d.pos
            k = d.byte("diagnostics text length")
            if k > MAX_TEXT:
                raise PayloadError(at, "diagnostics text longer than %d" % MAX_TEXT)
            chars = []
            for _ in range(k):
                ch = d.byte("diagnostics text")
                if ch < 0x20 or ch > 0x7E:
                    raise PayloadError(d.pos - 1, "diagnostics text not printable ASCII")
                chars.append(chr(ch))
            text = "".join(chars)
        r.pos = block_end

    body_at = r.pos
    body_end = length - 4
    coder = _Coder(data, body_at, body_end)
    side = [[32768, 0] for _ in range(4)]  # flagged, notDelta, linear, hintZero
    model_a = _Residuals()
    model_b = _Residuals()

    times = [base_time]
    time_mode, skip_hint, jitter_hint = "regular", 0, 0
    if flags & 0x02:
        for i in range(1, n):
            t = times[-1] + interval
            if t > MAX_TIME:
                raise PayloadError(body_at, "regular timestamps run past 2106")
            times.append(t)
    else:
        grid = coder.direct()
        skip_hint = coder.bits(6)
        jitter_hint = coder.bits(6)
        time_mode = "grid" if grid else "step"
        model_a.reset(skip_hint)
        model_b.reset(jitter_hint)
        ref = base_time
        for i in range(1, n):
            q = model_a.residual(coder)
            j = model_b.residual(coder)
            if q < -1 or q > MAX_TIME or (interval > 0 and ref + (q + 1) * interval > MAX_GRID):
                raise PayloadError(body_at, "timestamp of sample %d out of range" % i)
            g = ref + (q + 1) * interval
            t = g + j
            if t < 0 or t > MAX_TIME:
                raise PayloadError(body_at, "timestamp of sample %d out of range" % i)
            times.append(t)
            ref = g if grid else t

    out_channels = []
    for c, (cid, unit, mantissa, exponent) in enumerate(channels):
        flagged = coder.bit(side[0])
        if coder.bit(side[1]) == 0:
            predictor = 0
        else:
            predictor = 1 if coder.bit(side[2]) else 2
        hint = 0 if coder.bit(side[3]) else 1 + coder.bits(5)
        model_a.reset(hint)
        status_ctx = [[32768, 0] for _ in range(4)]  # notOk after ok, notOk after not ok, missing, fault
        values = []
        statuses = []
        valid = 0
        x1 = x2 = 0
        prev_not_ok = 0
        for i in range(n):
            st = 0
            if flagged:
                if coder.bit(status_ctx[prev_not_ok]) == 0:
                    st = 0
                elif coder.bit(status_ctx[2]):
                    st = 1
                elif coder.bit(status_ctx[3]):
                    st = 2
                else:
                    st = 3
                prev_not_ok = 0 if st == 0 else 1
            statuses.append(STATUS[st])
            if st != 0:
                values.append(None)
                continue
            if valid == 0:
                k = coder.bits(6)
                if k > 33:
                    raise PayloadError(body_at, "first value longer than 33 bits")
                v = 0 if k == 0 else unzigzag((1 << (k - 1)) + coder.bits(k - 1))
            else:
                if valid < 2 or predictor == 0:
                    p = x1
                elif predictor == 1:
                    p = 2 * x1 - x2
                else:
                    p = x1 + ((x1 - x2) >> 1)
                v = p + model_a.residual(coder)
            if v < -(1 << 31) or v > (1 << 31) - 1:
                raise PayloadError(body_at, "channel %d sample %d: value out of range" % (c, i))
            values.append(v)
            x2, x1 = x1, v
            valid += 1
        out_channels.append({
            "id": cid,
            "name": CHANNEL_NAMES[cid] if 0 < cid < len(CHANNEL_NAMES) else "ch%d" % cid,
            "unit": UNIT_SYMBOLS[unit] if unit < len(UNIT_SYMBOLS) else None,
            "unit_code": unit,
            "mantissa": mantissa,
            "exponent": exponent,
            "predictor": PREDICTORS[predictor],
            "hint": hint,
            "steps": values,
            "status": statuses,
        })

    if coder.overrun > 4:
        raise PayloadError(body_end, "body ends early: coded data runs past the payload")

    return {
        "version": VERSION, "node_id": node_id, "sequence": sequence, "base_time": base_time, "interval": interval,
        "time_mode": time_mode, "skip_hint": skip_hint, "jitter_hint": jitter_hint, "times": times,
        "channels": out_channels, "diagnostics": diagnostics, "diagnostics_text": text,
    }


def _str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_json(b):
    """The spec's one-line JSON of a decoded batch (values as exact decimals)."""
    out = ['{"version":%d,"node_id":%d,"sequence":%d,"base_time":%d,"interval":%d,"time_mode":"%s","skip_hint":%d,"jitter_hint":%d,"times":['
           % (b["version"], b["node_id"], b["sequence"], b["base_time"], b["interval"], b["time_mode"], b["skip_hint"], b["jitter_hint"]),
           ",".join(str(t) for t in b["times"]), '],"channels":[']
    chans = []
    for ch in b["channels"]:
        m, e = ch["mantissa"], ch["exponent"]
        chans.append('{"id":%d,"name":%s,"unit":%s,"unit_code":%d,"resolution":%s,"predictor":"%s","hint":%d,"values":[%s],"status":[%s]}' % (
            ch["id"], _str(ch["name"]), "null" if ch["unit"] is None else _str(ch["unit"]), ch["unit_code"], _decimal(m, e),
            ch["predictor"], ch["hint"], ",".join("null" if v is None else _decimal(v * m, e) for v in ch["steps"]),
            ",".join('"%s"' % s for s in ch["status"])))
    out.append(",".join(chans))
    out.append('],"diagnostics":{')
    out.append(",".join('"%s":%d' % kv for kv in b["diagnostics"]))
    out.append('},"diagnostics_text":')
    out.append("null" if b["diagnostics_text"] is None else _str(b["diagnostics_text"]))
    out.append("}")
    return "".join(out)


def error_json(e):
    return '{"error":{"offset":%d,"reason":%s}}' % (e.offset, _str(e.reason))


def decode_json(data):
    """(error or None, one JSON line) for a payload: the batch, or the refusal."""
    try:
        return None, to_json(decode(data))
    except PayloadError as e:
        return e, error_json(e)


def _hex(text):
    digits = "".join(text.split())
    try:
        return bytes.fromhex(digits)
    except ValueError:
        return None


def main(argv):
    if len(argv) == 2 and argv[1] == "--batch":
        out = sys.stdout
        for line in sys.stdin:  # every line is one payload, an empty line the empty payload
            data = _hex(line)
            out.write((decode_json(data)[1] if data is not None else '{"error":{"offset":-1,"reason":"not hex"}}') + "\n")
        return 0
    if len(argv) == 2 and argv[1] == "--bench":
        payloads = [_hex(line) for line in sys.stdin]
        readings = 0
        start = time.perf_counter()
        for p in payloads:
            b = decode(p)
            readings += len(b["times"]) * len(b["channels"])
        seconds = time.perf_counter() - start
        print('{"payloads":%d,"readings":%d,"seconds":%.6f}' % (len(payloads), readings, seconds))
        return 0
    if len(argv) != 2 or argv[1].startswith("-"):
        sys.stderr.write("usage: citynode_decode.py HEX | --batch | --bench  (docs/payload.md)\n")
        return 1
    data = _hex(argv[1])
    if data is None:
        sys.stderr.write("citynode_decode: the argument is not an even number of hex digits\n")
        return 1
    error, line = decode_json(data)
    print(line)
    if error is not None:
        sys.stderr.write("citynode_decode: %s\n" % error)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
