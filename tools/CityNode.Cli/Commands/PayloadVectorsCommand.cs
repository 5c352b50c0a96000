using System.CommandLine;
using System.Text;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Cli.Commands;

/// <summary>
/// <c>citynode payload-vectors --out DIR</c>: the conformance vectors of docs/payload.md — valid payloads with
/// the JSON every decoder must print, and invalid ones with the exact refusal. All are built here from
/// fixed inputs (no clock, fixed seeds), so the committed copy in docs/payload-vectors can be checked
/// against this code by a test.
/// </summary>
internal static class PayloadVectorsCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out") { Description = "directory to write valid/ and invalid/ and README.md into (docs/payload-vectors in the repository)", Required = true };
        var force = new Option<bool>("--force") { Description = "replace the vectors in a directory that already has some" };
        var command = new Command("payload-vectors", "Write the payload conformance vectors: valid payloads with their decoded JSON, invalid ones with the exact refusal") { output, force };
        command.SetAction(parse =>
        {
            string dir = parse.GetValue(output)!;
            if (Directory.Exists(dir) && Directory.EnumerateFileSystemEntries(dir).Any() && !parse.GetValue(force))
            {
                Console.Error.WriteLine($"payload-vectors: {dir} is not empty; --force replaces its vectors");
                return 1;
            }

            var files = PayloadVectors.Files();
            foreach (var sub in new[] { "valid", "invalid" })
            {
                string path = Path.Combine(dir, sub);
                if (Directory.Exists(path))
                {
                    Directory.Delete(path, recursive: true);
                }
            }

            foreach (var (name, text) in files)
            {
                string path = Path.Combine(dir, name);
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                File.WriteAllText(path, text);
            }

            Console.WriteLine($"payload-vectors: {files.Count(f => f.Name.StartsWith("valid/", StringComparison.Ordinal) && f.Name.EndsWith(".hex", StringComparison.Ordinal))} valid and {files.Count(f => f.Name.StartsWith("invalid/", StringComparison.Ordinal) && f.Name.EndsWith(".hex", StringComparison.Ordinal))} invalid payloads written to {dir}");
            return 0;
        });
        return command;
    }
}

/// <summary>The conformance vectors: built from fixed inputs by the reference encoder, or by hand where a refusal needs a crafted byte.</summary>
public static class PayloadVectors
{
    public sealed record Vector(string Name, string Covers, byte[] Payload);

    private const long T0 = 1_767_225_600; // 2026-01-01T00:00:00Z

    /// <summary>Every file of the vectors folder, relative path → content.</summary>
    public static IReadOnlyList<(string Name, string Text)> Files()
    {
        var files = new List<(string, string)>();
        var readme = new StringBuilder();
        readme.AppendLine("# Payload conformance vectors (generated)")
            .AppendLine()
            .AppendLine("Written by `citynode payload-vectors --out docs/payload-vectors --force` from fixed inputs; a test")
            .AppendLine("(`tests/CityNode.Tests/Telemetry/ReferenceDecoderTests.cs`) regenerates them and fails if this folder differs.")
            .AppendLine("Each `NN-name.hex` is one payload as hex; `NN-name.json` is the line a decoder prints for it")
            .AppendLine("(docs/payload.md, *Decoded JSON*): the batch, or `{\"error\":{\"offset\":N,\"reason\":\"...\"}}`.")
            .AppendLine("A conforming decoder prints exactly that line for every vector.")
            .AppendLine();
        foreach (var (kind, list) in new[] { ("valid", Valid()), ("invalid", Invalid()) })
        {
            readme.AppendLine($"## {kind}").AppendLine().AppendLine("| file | bytes | covers |").AppendLine("|---|---|---|");
            for (int i = 0; i < list.Count; i++)
            {
                var v = list[i];
                string stem = $"{kind}/{i + 1:D2}-{v.Name}";
                bool ok = PayloadJson.TryDecode(v.Payload, out string json, out var error);
                if (ok != (kind == "valid"))
                {
                    throw new InvalidOperationException($"vector {stem} was meant to be {kind}: {error?.Message ?? json[..Math.Min(80, json.Length)]}");
                }

                files.Add((stem + ".hex", Convert.ToHexString(v.Payload) + "\n"));
                files.Add((stem + ".json", json + "\n"));
                readme.AppendLine($"| `{stem}` | {v.Payload.Length} | {v.Covers}{(error is null ? "" : $" → `{error.Message}`")} |");
            }

            readme.AppendLine();
        }

        files.Add(("README.md", readme.ToString()));
        return files;
    }

    private static readonly (int Id, int Unit, int M, int E)[] Air =
    {
        (Channels.AirTemperature, Units.Celsius, 1, -2), (Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -1), (Channels.AirPressure, Units.Pascal, 1, 0),
    };

    public static IReadOnlyList<Vector> Valid()
    {
        var v = new List<Vector>();
        var rnd = new Random(18);

        v.Add(new("minimal", "1 sample, 1 channel, regular, first value 0 (length 0)", Encode(Times(1, 60), new (int, int, int, int)[] { (Channels.AirTemperature, Units.Celsius, 1, -2) }, new[] { new[] { 0 } })));
        v.Add(new("regular-air", "64 samples, 3 air channels with canonical units (no unit byte), regular flag", Encode(Times(64, 60), Air, new[] { Walk(rnd, 64, 2137, 2), Walk(rnd, 64, 455, 3), Walk(rnd, 64, 101325, 8) })));
        v.Add(new("step-drift", "free-running clock (intervals 60-62 s): step mode", Encode(Drift(48, 60, new[] { 0, 1, 0, 2, 1, 0, 1 }), Air[..1], new[] { Walk(rnd, 48, 1800, 2) })));
        v.Add(new("grid-jitter", "on schedule, now and then 1-9 s late: grid mode", Encode(Jitter(rnd, 48, 300, 9), Air[..1], new[] { Walk(rnd, 48, 1800, 2) })));
        v.Add(new("grid-gaps", "15 min schedule with missed samples (skipped intervals coded)", Encode(Gaps(40, 900, new[] { 5, 6, 17, 30 }, rnd, 6), Air[..1], new[] { Walk(rnd, 40, 1500, 3) })));
        v.Add(new("interval-zero", "median interval 0 (several samples in one second): every step is jitter", Encode(new[] { T0, T0, T0, T0 + 7, T0 + 7 }, Air[..1], new[] { new[] { 1, 2, 3, 4, 5 } })));
        v.Add(new("clock-backwards", "a timestamp earlier than the previous one (clock set back)", Encode(new[] { T0, T0 + 60, T0 + 120, T0 + 30, T0 + 90, T0 + 150 }, Air[..1], new[] { new[] { 10, 11, 12, 13, 14, 15 } })));
        v.Add(new("large-gap", "a gap of about 10 days inside a 1-minute batch", Encode(new[] { T0, T0 + 60, T0 + 120, T0 + 864_000, T0 + 864_060 }, Air[..1], new[] { new[] { 5, 5, 6, 6, 7 } })));
        v.Add(new("predictor-previous", "random walk: predictor previous", Encode(Times(64, 60), Air[..1], new[] { Walk(rnd, 64, 2000, 3) })));
        v.Add(new("predictor-linear", "steady ramp: predictor linear", Encode(Times(64, 60), Air[..1], new[] { Enumerable.Range(0, 64).Select(i => 1000 + (37 * i) + (i % 3 == 0 ? 1 : 0)).ToArray() })));
        v.Add(new("predictor-damped", "oscillating steps: predictor damped", Encode(Times(64, 60), Air[..1], new[] { Damped(64) })));
        v.Add(new("all-zero-residuals", "constant channel: hint 0, mostly-zero priming", Encode(Times(64, 60), Air[..1], new[] { Enumerable.Repeat(2500, 64).ToArray() })));
        v.Add(new("noise-large", "white noise over all of int32: the largest hints and exponents", Encode(Times(32, 60), Air[..1], new[] { Enumerable.Range(0, 32).Select(_ => rnd.Next(int.MinValue, int.MaxValue)).ToArray() })));
        v.Add(new("int32-extremes", "values alternating int32 max and min (residuals near 2^32)", Encode(Times(16, 60), Air[..1], new[] { Enumerable.Range(0, 16).Select(i => i % 2 == 0 ? int.MaxValue : int.MinValue).ToArray() })));
        v.Add(new("first-value-min", "first value int32 min (33-bit zigzag length)", Encode(Times(3, 60), Air[..1], new[] { new[] { int.MinValue, int.MinValue + 1, int.MinValue } })));
        v.Add(new("negative-values", "negative temperatures at 0.01", Encode(Times(20, 60), Air[..1], new[] { Walk(rnd, 20, -1520, 4) })));
        v.Add(new("status-missing", "a channel with missing readings (not measured) among values", WithStatus(rnd, new[] { ReadingStatus.Missing })));
        v.Add(new("status-fault", "fault readings (sensor failed)", WithStatus(rnd, new[] { ReadingStatus.Fault })));
        v.Add(new("status-invalid", "invalid readings (not representable)", WithStatus(rnd, new[] { ReadingStatus.Invalid })));
        v.Add(new("status-all-kinds", "ok, missing, fault and invalid in runs and alone, in both status contexts", WithStatus(rnd, new[] { ReadingStatus.Missing, ReadingStatus.Fault, ReadingStatus.Invalid, ReadingStatus.Fault, ReadingStatus.Missing })));
        v.Add(new("channel-all-missing", "a channel with no value at all, next to a normal one", Encode(Times(10, 60), Air[..2], new[] { new int[10], Walk(rnd, 10, 400, 2) }, new[] { Enumerable.Repeat(ReadingStatus.Missing, 10).ToArray(), new byte[10] })));
        v.Add(new("first-sample-missing", "the first value comes late: first-value coding on sample 3", Encode(Times(8, 60), Air[..1], new[] { new[] { 0, 0, 0, 2200, 2201, 2203, 2202, 2204 } }, new[] { new byte[] { 1, 2, 3, 0, 0, 0, 0, 0 } })));
        v.Add(new("channels-all-known", "every well-known channel id 1-19 with its canonical unit (names and units from the tables)", Encode(Times(2, 60), Enumerable.Range(1, 19).Select(id => (id, (int)Channels.CanonicalUnit(id), 1, -1)).ToArray(), Enumerable.Range(1, 19).Select(id => new[] { id, id + 1 }).ToArray())));
        v.Add(new("units-all-codes", "every unit code 0-17 on site-specific channels (unit bytes)", Encode(Times(2, 60), Enumerable.Range(0, 18).Select(u => (200 + u, u, 1, 0)).ToArray(), Enumerable.Range(0, 18).Select(u => new[] { u, -u }).ToArray())));
        v.Add(new("explicit-unit", "channel ids with a unit other than the canonical one (unit byte)", Encode(Times(4, 60), new (int, int, int, int)[] { (Channels.AirTemperature, Units.Percent, 1, -1), (Channels.Light, Units.Count, 1, 0) }, new[] { new[] { 1, 2, 3, 4 }, new[] { 100, 90, 80, 70 } })));
        v.Add(new("unknown-unit-code", "unit code 99, not defined in version 1: kept as a number, unit null", Encode(Times(3, 60), new (int, int, int, int)[] { (200, 99, 1, 0) }, new[] { new[] { 7, 8, 9 } })));
        v.Add(new("custom-channels", "site-specific ids 128 and 255, and unassigned id 20, without a unit", Encode(Times(3, 60), new (int, int, int, int)[] { (128, (int)Units.None, 1, -3), (255, (int)Units.None, 2, 0), (20, (int)Units.None, 5, -1) }, new[] { new[] { 1, 2, 3 }, new[] { -4, -5, -6 }, new[] { 0, 1, 0 } })));
        v.Add(new("explicit-resolution", "resolution 25 x 10^-3 (code 0x7F, mantissa and exponent varints)", Encode(Times(4, 60), new (int, int, int, int)[] { (Channels.Turbidity, Units.Ntu, 25, -3) }, new[] { new[] { 4, 5, 6, 5 } })));
        v.Add(new("explicit-unit-and-resolution", "unit byte then mantissa and exponent (the unit byte comes first)", Encode(Times(4, 60), new (int, int, int, int)[] { (Channels.Conductivity, Units.Ohm, 3, 2) }, new[] { new[] { 40, 41, 41, 42 } })));
        v.Add(new("resolution-extremes", "compact codes 0 (1e-6) and 47 (5e9), explicit 10^6 x 10^9", Encode(Times(3, 60), new (int, int, int, int)[] { (130, (int)Units.None, 1, -6), (131, (int)Units.None, 5, 9), (132, (int)Units.None, 1_000_000, 9) }, new[] { new[] { 1, -1, 2 }, new[] { 3, 2, 1 }, new[] { int.MaxValue, 0, int.MinValue } })));
        v.Add(new("resolution-all-compact", "one channel for each compact mantissa 1, 2, 5 and exponents -6..9", Encode(Times(2, 60), Enumerable.Range(0, 16).Select(e => (140 + e, (int)Units.None, new[] { 1, 2, 5 }[e % 3], e - 6)).ToArray(), Enumerable.Range(0, 16).Select(e => new[] { e, -e }).ToArray())));
        v.Add(new("diagnostics-every-field", "diagnostics with all " + NodeDiagnostics.FieldCount + " fields (negative RSSI) and a 48-character text", Encode(Times(4, 60), Air[..1], new[] { new[] { 1, 2, 3, 4 } }, diagnostics: EveryField(48))));
        v.Add(new("diagnostics-text-only", "diagnostics with only a text", Encode(Times(2, 60), Air[..1], new[] { new[] { 1, 2 } }, diagnostics: TextOnly("sample: 5s is outside 10s..1d"))));
        v.Add(new("diagnostics-empty-text", "diagnostics with a battery field and an empty text", Encode(Times(2, 60), Air[..1], new[] { new[] { 1, 2 } }, diagnostics: Battery(3700, ""))));
        v.Add(new("diagnostics-max-values", "field values 2^53-1 and RSSI -2^52, the largest a decoder accepts", Encode(Times(1, 60), Air[..1], new[] { new[] { 5 } }, diagnostics: MaxValues())));
        v.Add(new("diagnostics-future-fields", "bits 26 and 30 (ota_version 1.2.3, ota_failure 11 x 65536 + 3: added within version 1, an older decoder skips them) and bit 40 (bytes after the text) of a later version: skipped", FutureDiagnostics()));
        v.Add(new("max-channels", "64 channels, 3 samples", Encode(Times(3, 60), Enumerable.Range(0, 64).Select(c => (128 + c, (int)Units.None, 1, 0)).ToArray(), Enumerable.Range(0, 64).Select(c => new[] { c, c + 1, c * 2 }).ToArray())));
        v.Add(new("max-samples", "65535 samples, the sample-count limit, x 4 channels = 262140 readings, 4 under the readings limit", Encode(Times(65535, 1), Enumerable.Range(0, 4).Select(c => (128 + c, (int)Units.None, 1, 0)).ToArray(), Enumerable.Range(0, 4).Select(c => Enumerable.Range(0, 65535).Select(i => (i / 100) + c).ToArray()).ToArray())));
        v.Add(new("max-header-values", "node id, sequence and base time at 2^32-1 (one sample)", EncodeRaw(Times(1, 0, start: uint.MaxValue), Air[..1], new[] { new[] { 1 } }, uint.MaxValue, uint.MaxValue, null)));
        v.Add(new("end-of-time", "timestamps up to 2106-02-07T06:28:15Z (2^32-1)", Encode(Times(5, 60, start: uint.MaxValue - 240), Air[..1], new[] { new[] { 1, 2, 3, 4, 5 } })));
        v.Add(new("epoch", "base time 0 (1970), irregular", Encode(new long[] { 0, 60, 125 }, Air[..1], new[] { new[] { 1, 1, 1 } })));
        v.Add(new("huge-interval", "interval of 2^31 s between two samples", Encode(new long[] { 1, 1 + (1L << 31) }, Air[..1], new[] { new[] { 1, 2 } })));
        v.Add(new("non-minimal-varints", "node id and sample count in padded varints (0x81 0x80 0x00 form): accepted", NonMinimalVarints()));
        v.Add(new("mixed-city-node", "an air and water node's batch: 8 channels, jitter, faults, diagnostics", Mixed(rnd)));
        return v;
    }

    public static IReadOnlyList<Vector> Invalid()
    {
        var v = new List<Vector>();
        byte[] good = Encode(Times(8, 60), Air, new[] { new[] { 1, 2, 3, 4, 5, 6, 7, 8 }, new[] { 8, 7, 6, 5, 4, 3, 2, 1 }, new[] { 1, 1, 1, 1, 2, 2, 2, 2 } }, diagnostics: Battery(3700, "x"));
        byte[] noisy = Encode(Times(8, 60), Air[..1], new[] { new[] { 1, 1000, -5000, 77777, 3, -99999, 123456, 0 } });

        v.Add(new("empty", "no bytes", Array.Empty<byte>()));
        v.Add(new("sequence-unfinished", "the sequence varint runs into the CRC", Reseal(new byte[] { 0xC1, 0, 0x81, 0x00, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0, 0, 0, 0 })));
        v.Add(new("base-time-cut", "2 bytes of base time before the CRC", Reseal(new byte[] { 0xC1, 0, 0x81, 0x80, 0x80, 0x80, 0x00, 0x81, 0x80, 0x80, 0x00, 0x10, 0x20, 0, 0, 0, 0 })));
        v.Add(new("not-citynode", "a JSON message", "{\"temp\": 21.5}"u8.ToArray()));
        v.Add(new("version-2", "version nibble 2 (CRC resealed)", Reseal(Edit(good, 0, 0xC2))));
        v.Add(new("version-before-size", "3 bytes of version 0: the version is named before the size", new byte[] { 0xC0, 0, 0 }));
        v.Add(new("too-short", "10 bytes of version 1", good[..10]));
        v.Add(new("crc-mismatch", "one bit flipped in the body", Edit(good, good.Length - 6, (byte)(good[^6] ^ 0x01))));
        v.Add(new("truncated", "the last byte cut: the CRC no longer matches", good[..^1]));
        v.Add(new("unknown-flags", "flag bit 2 set", Reseal(Edit(good, 1, good[1] | 0x04))));
        v.Add(new("node-id-zero", "node id 0", Header(0, 1, T0, 1, 0, 1, new byte[] { 1, 12 })));
        v.Add(new("node-id-too-large", "node id 2^32", Header(1UL << 32, 1, T0, 1, 0, 1, new byte[] { 1, 12 })));
        v.Add(new("varint-over-64-bits", "a sequence varint whose 10th byte is 2", Reseal(Splice(Header(1, 0, T0, 1, 0, 1, new byte[] { 1, 12 }), 3, 1, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02 }))));
        v.Add(new("sample-count-zero", "sample count 0", Header(1, 1, T0, 0, 0, 1, new byte[] { 1, 12 })));
        v.Add(new("channel-count-zero", "channel count 0", Header(1, 1, T0, 1, 0, 0, new byte[] { 1, 12 })));
        v.Add(new("channel-count-65", "channel count 65", Header(1, 1, T0, 1, 0, 65, new byte[] { 1, 12 })));
        v.Add(new("too-many-readings", "65535 samples x 5 channels in 40 bytes", Header(1, 1, T0, 65535, 60, 5, new byte[] { 1, 12, 2, 9, 3, 18, 4, 18, 5, 18 })));
        v.Add(new("readings-over-limit", "4097 samples x 64 channels (262208 > 262144)", Header(1, 1, T0, 4097, 60, 64, Enumerable.Range(0, 64).SelectMany(c => new byte[] { (byte)(128 + c), 18 }).ToArray(), padTo: 64)));
        v.Add(new("truncated-channel-table", "channel count 3, table of one channel", Header(1, 1, T0, 1, 0, 3, new byte[] { 1, 12 })));
        v.Add(new("unknown-resolution-code", "resolution code 50", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 50 })));
        v.Add(new("mantissa-zero", "explicit resolution with mantissa 0", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 0x7F, 0, 0 })));
        v.Add(new("exponent-out-of-range", "explicit resolution 1 x 10^10", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 0x7F, 1, 20 })));
        v.Add(new("exponent-wraps", "explicit exponent varint 2^33+4: must not wrap to 2", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 0x7F, 1, 0x84, 0x80, 0x80, 0x80, 0x20 })));
        v.Add(new("truncated-unit", "unit bit set, no unit byte before the CRC", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 0x8C })));
        v.Add(new("diagnostics-length-past-end", "a diagnostics block longer than the payload", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 12, 100, 1, 5 }, flags: PayloadFormat.FlagDiagnostics)));
        v.Add(new("diagnostics-field-past-block", "a field varint running past the block's length", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 12, 2, 1, 0x85, 0x01 }, flags: PayloadFormat.FlagDiagnostics)));
        v.Add(new("diagnostics-value-too-large", "battery_mv 2^53", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 12, 9, 1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10 }, flags: PayloadFormat.FlagDiagnostics)));
        v.Add(new("diagnostics-text-too-long", "text length 49", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 12, 55, 0x80, 0x80, 0x80, 0x80, 0x08, 49 }.Concat(Enumerable.Repeat((byte)'a', 49)).ToArray(), flags: PayloadFormat.FlagDiagnostics)));
        v.Add(new("diagnostics-text-not-ascii", "a text byte 0x0A", Header(1, 1, T0, 1, 0, 1, new byte[] { 1, 12, 8, 0x80, 0x80, 0x80, 0x80, 0x08, 2, (byte)'a', 0x0A }, flags: PayloadFormat.FlagDiagnostics)));
        v.Add(new("body-ends-early", "the body cut after 2 bytes (CRC resealed)", Cut(noisy, 2)));
        v.Add(new("regular-past-2106", "regular batch whose timestamps pass 2^32-1", Header(1, 1, uint.MaxValue - 100, 3, 60, 1, new byte[] { 1, 12 }, flags: PayloadFormat.FlagRegular, body: new byte[] { 0, 0, 0, 0 })));
        foreach (var (name, reason) in new[] { ("timestamp-out-of-range", "timestamp of sample"), ("first-value-too-long", "first value longer than 33 bits"), ("value-out-of-range", "value out of range") })
        {
            v.Add(new(name, "a random body behind a valid header, the first (seeded) one refused for this reason", RandomBody(reason)));
        }

        return v;
    }

    // ---- building blocks ----

    private static long[] Times(int n, long interval, long start = T0) => Enumerable.Range(0, n).Select(i => start + (i * interval)).ToArray();

    private static long[] Drift(int n, long interval, int[] extra)
    {
        var t = new long[n];
        t[0] = T0;
        for (int i = 1; i < n; i++)
        {
            t[i] = t[i - 1] + interval + extra[i % extra.Length];
        }

        return t;
    }

    /// <summary>On schedule, and now and then a few seconds late (a wake-up that waited for a sensor): grid mode codes one jitter per late sample, step mode two.</summary>
    private static long[] Jitter(Random rnd, int n, long interval, int late) => Enumerable.Range(0, n).Select(i => T0 + (i * interval) + Late(rnd, i, late)).ToArray();

    private static int Late(Random rnd, int i, int late) => i > 0 && rnd.Next(0, 3) == 0 ? rnd.Next(1, late + 1) : 0;

    private static long[] Gaps(int n, long interval, int[] missed, Random rnd, int late)
    {
        var t = new long[n];
        long slot = 0;
        for (int i = 0; i < n; i++)
        {
            slot += missed.Contains(i) ? 3 : 1;
            t[i] = T0 + (slot * interval) + Late(rnd, i, late);
        }

        return t;
    }

    private static int[] Walk(Random rnd, int n, int start, int step)
    {
        var v = new int[n];
        v[0] = start;
        for (int i = 1; i < n; i++)
        {
            v[i] = v[i - 1] + rnd.Next(-step, step + 1);
        }

        return v;
    }

    private static int[] Damped(int n)
    {
        // A decaying oscillation: the next step is about half the last one, which damped trend predicts.
        var v = new int[n];
        v[0] = 5000;
        v[1] = 5400;
        for (int i = 2; i < n; i++)
        {
            v[i] = v[i - 1] + ((v[i - 1] - v[i - 2]) / 2) + (i % 16 == 0 ? 400 : 0);
        }

        return v;
    }

    private static byte[] WithStatus(Random rnd, byte[] kinds)
    {
        int n = 40;
        var status = new byte[n];
        for (int i = 0; i < n; i++)
        {
            status[i] = i % 3 == 1 || (i >= 20 && i < 26) ? kinds[i % kinds.Length] : ReadingStatus.Ok;
        }

        return Encode(Times(n, 60), Air[..2], new[] { Walk(rnd, n, 2100, 2), Walk(rnd, n, 500, 2) }, new[] { status, new byte[n] });
    }

    private static NodeDiagnostics EveryField(int textLength)
    {
        var d = new NodeDiagnostics();
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            d.Set(f, f == NodeDiagnostics.RssiDbm ? -67 : (f * 1000) + 7);
        }

        d.SetText(new string(Enumerable.Range(0, textLength).Select(i => (char)(' ' + (i * 7 % 95))).ToArray()));
        return d;
    }

    private static NodeDiagnostics TextOnly(string text)
    {
        var d = new NodeDiagnostics();
        d.SetText(text);
        return d;
    }

    private static NodeDiagnostics Battery(int mv, string? text)
    {
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.BatteryMillivolts, mv);
        d.SetText(text);
        return d;
    }

    private static NodeDiagnostics MaxValues()
    {
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.ProducedReadings, NodeDiagnostics.MaxValue);
        d.Set(NodeDiagnostics.UptimeSeconds, NodeDiagnostics.MaxValue);
        d.Set(NodeDiagnostics.RssiDbm, -(NodeDiagnostics.MaxValue + 1) / 2);
        return d;
    }

    /// <summary>A block as a later version may write it: bits 0, 26, 30 varints, the text, then bit 40's bytes.</summary>
    private static byte[] FutureDiagnostics()
    {
        var block = new List<byte>();
        block.AddRange(Varint((1UL << 0) | (1UL << 26) | (1UL << 30) | (1UL << 31) | (1UL << 40)));
        block.AddRange(Varint(3650));
        block.AddRange(Varint(16785411)); // ota_version 1.2.3, packed 8.12.12
        block.AddRange(Varint((11 * 65536) + 3)); // ota_failure: trial not confirmed after 3 boots
        block.Add(2);
        block.AddRange("ok"u8.ToArray());
        block.AddRange(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
        byte[] p = Encode(Times(3, 60), Air[..1], new[] { new[] { 1, 2, 3 } });
        var h = new BatchDecoder();
        h.ReadHeader(p, 0, p.Length);
        int at = h.Header.BodyOffset;
        var withBlock = Splice(p, at, 0, Varint((ulong)block.Count).Concat(block).ToArray());
        withBlock[1] |= PayloadFormat.FlagDiagnostics;
        return Reseal(withBlock);
    }

    private static byte[] NonMinimalVarints()
    {
        byte[] p = Encode(Times(2, 60), Air[..1], new[] { new[] { 1, 2 } }, node: 1);
        // byte 2: node id 1 → 0x81 0x80 0x00; the sample count (after node, sequence, base time) 2 → 0x82 0x00.
        var q = Splice(p, 2, 1, new byte[] { 0x81, 0x80, 0x00 });
        q = Splice(q, 2 + 3 + 1 + 4, 1, new byte[] { 0x82, 0x00 });
        return Reseal(q);
    }

    private static byte[] Mixed(Random rnd)
    {
        int n = 32;
        var specs = new (int, int, int, int)[]
        {
            (Channels.AirTemperature, Units.Celsius, 1, -2), (Channels.RelativeHumidity, Units.RelativeHumidityPercent, 1, -1), (Channels.Pm25, Units.MicrogramPerCubicMetre, 1, -1),
            (Channels.Co2, Units.PartsPerMillion, 1, 0), (Channels.WaterTemperature, Units.Celsius, 1, -2), (Channels.Ph, Units.PH, 1, -2),
            (Channels.Conductivity, Units.MicrosiemensPerCentimetre, 1, 0), (Channels.BatteryVoltage, Units.Millivolt, 1, 0),
        };
        var values = new[] { Walk(rnd, n, 1530, 3), Walk(rnd, n, 670, 4), Walk(rnd, n, 120, 15), Walk(rnd, n, 450, 20), Walk(rnd, n, 1210, 1), Walk(rnd, n, 712, 1), Walk(rnd, n, 380, 2), Walk(rnd, n, 3900, 1) };
        var status = Enumerable.Range(0, 8).Select(c => Enumerable.Range(0, n).Select(i => (byte)(c == 2 && i % 10 == 3 ? ReadingStatus.Fault : c == 3 && i % 4 != 0 ? ReadingStatus.Missing : ReadingStatus.Ok)).ToArray()).ToArray();
        var d = Battery(3870, null);
        d.Set(NodeDiagnostics.RssiDbm, -72);
        d.Set(NodeDiagnostics.ResetCause, 2);
        d.Set(NodeDiagnostics.WakeupCause, 4);
        d.Set(NodeDiagnostics.ProducedReadings, 81_920);
        return Encode(Jitter(rnd, n, 60, 2), specs, values, status, d, node: 1042, sequence: 77);
    }

    private static byte[] RandomBody(string reason)
    {
        // A header for 6 samples x 2 channels, not regular, then seeded random bodies until one is refused for this reason.
        byte[] head = Header(1, 1, T0, 6, 60, 2, new byte[] { 1, 12, 2, 9 })[..^4];
        for (int seed = 0; seed < 1_000_000; seed++)
        {
            var r = new Random(seed);
            var body = new byte[8 + r.Next(0, 24)];
            r.NextBytes(body);
            byte[] p = Reseal(head.Concat(body).Concat(new byte[4]).ToArray());
            if (!PayloadJson.TryDecode(p, out _, out var e) && e!.Reason.Contains(reason, StringComparison.Ordinal))
            {
                return p;
            }
        }

        throw new InvalidOperationException("no random body is refused for " + reason);
    }

    /// <summary>A payload built field by field (varints minimal), an empty body (4 zero bytes unless given) and a valid CRC.</summary>
    private static byte[] Header(ulong node, ulong sequence, long baseTime, ulong count, ulong interval, int channels, byte[] table, int flags = 0, byte[]? body = null, int padTo = 0)
    {
        var p = new List<byte> { PayloadFormat.Magic | PayloadFormat.Version, (byte)flags };
        p.AddRange(Varint(node));
        p.AddRange(Varint(sequence));
        p.AddRange(BitConverter.GetBytes((uint)baseTime));
        p.AddRange(Varint(count));
        p.AddRange(Varint(interval));
        p.Add((byte)channels);
        p.AddRange(table);
        p.AddRange(body ?? Array.Empty<byte>());
        while (p.Count < padTo)
        {
            p.Add(0);
        }

        p.AddRange(new byte[4]);
        return Reseal(p.ToArray());
    }

    private static byte[] Varint(ulong v)
    {
        var b = new List<byte>();
        while (v >= 0x80)
        {
            b.Add((byte)((v & 0x7F) | 0x80));
            v >>= 7;
        }

        b.Add((byte)v);
        return b.ToArray();
    }

    private static byte[] Edit(byte[] p, int at, int value)
    {
        var q = (byte[])p.Clone();
        q[at] = (byte)value;
        return q;
    }

    private static byte[] Splice(byte[] p, int at, int remove, byte[] insert) => p[..at].Concat(insert).Concat(p[(at + remove)..]).ToArray();

    private static byte[] Cut(byte[] p, int bodyBytes)
    {
        var h = new BatchDecoder();
        h.ReadHeader(p, 0, p.Length);
        return Reseal(p[..(h.Header.BodyOffset + bodyBytes)].Concat(new byte[4]).ToArray());
    }

    private static byte[] Reseal(byte[] p)
    {
        LittleEndian.WriteUInt32(p, p.Length - 4, Crc32C.Compute(p, 0, p.Length - 4));
        return p;
    }

    private static byte[] Encode(long[] times, (int Id, int Unit, int M, int E)[] specs, int[][] values, byte[][]? status = null, NodeDiagnostics? diagnostics = null, uint node = 42, uint sequence = 7) =>
        EncodeRaw(times, specs, values, node, sequence, diagnostics, status);

    private static byte[] EncodeRaw(long[] times, (int Id, int Unit, int M, int E)[] specs, int[][] values, uint node, uint sequence, NodeDiagnostics? diagnostics, byte[][]? status = null)
    {
        int n = times.Length;
        var b = new SampleBatch(n, specs.Length) { Count = n, ChannelCount = specs.Length };
        Array.Copy(times, b.Times, n);
        for (int c = 0; c < specs.Length; c++)
        {
            b.Channels[c].Set(specs[c].Id, specs[c].Unit, specs[c].M, specs[c].E);
            for (int i = 0; i < n; i++)
            {
                b.Values[b.Index(c, i)] = values[c][i];
                b.Status[b.Index(c, i)] = status?[c][i] ?? ReadingStatus.Ok;
            }
        }

        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(n, specs.Length), n);
        int len = enc.Encode(b, node, sequence, diagnostics);
        return enc.Buffer[..len];
    }
}
