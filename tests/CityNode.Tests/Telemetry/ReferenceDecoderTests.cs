using System.Diagnostics;
using System.Text;
using System.Text.Json;
using CityNode.Cli.Commands;
using CityNode.Telemetry;
using CityNode.Util;
using CsCheck;
using Xunit;
using Xunit.Abstractions;

namespace CityNode.Tests.Telemetry;

/// <summary>
/// The conformance vectors (docs/payload-vectors) stay what the code produces, and the reference decoders
/// written from docs/payload.md (tools/decoders: Python and JavaScript) print exactly the C# decoder's JSON
/// — values, statuses, diagnostics, and refusals with their offset and reason — on every vector and on
/// thousands of encoder-generated and mutated batches. Each decoder runs once per test in its --batch
/// mode (hex lines in, one JSON line out each).
/// </summary>
public class ReferenceDecoderTests(ITestOutputHelper output)
{
    private static string VectorsDir => Path.Combine(Paths.Root, "docs", "payload-vectors");

    private static readonly (string Exe, string Script)[] Decoders =
    {
        ("python3", Path.Combine(Paths.Root, "tools", "decoders", "python", "citynode_decode.py")),
        ("node", Path.Combine(Paths.Root, "tools", "decoders", "js", "citynode-decode.js")),
    };

    [Fact]
    public void Committed_vectors_are_what_the_code_writes()
    {
        var expected = PayloadVectors.Files().ToDictionary(f => f.Name, f => f.Text);
        var actual = Directory.EnumerateFiles(VectorsDir, "*", SearchOption.AllDirectories)
            .ToDictionary(f => Path.GetRelativePath(VectorsDir, f).Replace('\\', '/'), File.ReadAllText);
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, text) in expected)
        {
            Assert.True(text == actual[name], $"docs/payload-vectors/{name} differs from the code: run `citynode payload-vectors --out docs/payload-vectors --force`");
        }
    }

    [Fact]
    public void Vectors_cover_the_format()
    {
        var valid = PayloadVectors.Valid().Select(v => JsonDocument.Parse(PayloadJson.Decode(v.Payload)).RootElement).ToList();
        var invalid = PayloadVectors.Invalid().Select(v => JsonDocument.Parse(PayloadJson.Decode(v.Payload)).RootElement).ToList();
        Assert.True(valid.Count >= 40, $"{valid.Count} valid vectors");
        Assert.True(invalid.Count >= 20, $"{invalid.Count} invalid vectors");
        Assert.All(valid, v => Assert.False(v.TryGetProperty("error", out _)));
        Assert.All(invalid, v => Assert.True(v.TryGetProperty("error", out _)));

        var channels = valid.SelectMany(v => v.GetProperty("channels").EnumerateArray()).ToList();
        Assert.Equal(new[] { "grid", "regular", "step" }, valid.Select(v => v.GetProperty("time_mode").GetString()).Distinct().Order());
        Assert.Equal(new[] { "damped", "linear", "previous" }, channels.Select(c => c.GetProperty("predictor").GetString()).Distinct().Order());
        Assert.Equal(new[] { "fault", "invalid", "missing", "ok" }, channels.SelectMany(c => c.GetProperty("status").EnumerateArray().Select(s => s.GetString())).Distinct().Order());
        Assert.Contains(channels, c => c.GetProperty("unit").ValueKind == JsonValueKind.Null);
        Assert.Contains(channels, c => c.GetProperty("hint").GetInt32() == 0);
        Assert.Contains(channels, c => c.GetProperty("hint").GetInt32() > 20);

        // Every diagnostics field, and a text of the maximum length.
        var fields = valid.SelectMany(v => v.GetProperty("diagnostics").EnumerateObject().Select(p => p.Name)).Distinct().ToList();
        Assert.Equal(NodeDiagnostics.FieldCount, fields.Count);
        Assert.Contains(valid, v => v.GetProperty("diagnostics_text").ValueKind == JsonValueKind.String && v.GetProperty("diagnostics_text").GetString()!.Length == NodeDiagnostics.MaxTextLength);

        // Limits: 64 channels, 65535 samples, readings within 4 of the limit (the exact limit costs 2 MB of JSON;
        // one over it is an invalid vector).
        Assert.Contains(valid, v => v.GetProperty("channels").GetArrayLength() == PayloadFormat.MaxChannels);
        Assert.Contains(valid, v => v.GetProperty("channels").GetArrayLength() * v.GetProperty("times").GetArrayLength() > PayloadFormat.MaxReadings - 5);
        Assert.Contains(valid, v => v.GetProperty("times").GetArrayLength() == PayloadFormat.MaxSamples);

        // Refusals name different places and reasons.
        Assert.True(invalid.Select(e => e.GetProperty("error").GetProperty("reason").GetString()).Distinct().Count() >= 20);
    }

    [Fact]
    public void Both_reference_decoders_print_every_vector_exactly()
    {
        var hex = Directory.EnumerateFiles(VectorsDir, "*.hex", SearchOption.AllDirectories).Order().ToList();
        var lines = hex.Select(f => File.ReadAllText(f).Trim()).ToList();
        var expected = hex.Select(f => File.ReadAllText(Path.ChangeExtension(f, ".json")).TrimEnd('\n')).ToList();
        foreach (var decoder in Decoders)
        {
            var actual = RunBatch(decoder, lines);
            for (int i = 0; i < lines.Count; i++)
            {
                Assert.True(expected[i] == actual[i], $"{decoder.Exe} on {Path.GetRelativePath(VectorsDir, hex[i])}:\n expected {Clip(expected[i])}\n actual   {Clip(actual[i])}");
            }
        }
    }

    [Fact]
    public void Both_reference_decoders_agree_with_the_csharp_decoder_on_generated_and_mutated_batches()
    {
        // 2,000 batches from the encoder (random channels, units, resolutions, statuses, gaps, jitter,
        // extremes, diagnostics), and each one again with one byte changed and the CRC resealed, so most
        // of the copies are refusals from every part of the format.
        AnyPayload.Array[2000].Sample(payloads =>
        {
            var lines = new List<string>();
            var expected = new List<string>();
            foreach (var (payload, mutateAt, mutateTo) in payloads)
            {
                foreach (var p in new[] { payload, Mutate(payload, mutateAt, mutateTo) })
                {
                    lines.Add(Convert.ToHexString(p));
                    expected.Add(PayloadJson.Decode(p));
                }
            }

            int refused = expected.Count(e => e.StartsWith("{\"error\"", StringComparison.Ordinal));
            Assert.True(refused >= 500 && refused <= 2000, $"{refused} of {expected.Count} refused");
            var runs = Decoders.Select(d => Task.Run(() => RunBatch(d, lines))).ToArray(); // both at once
            long readings = payloads.Sum(p => (long)ReadingsIn(p.Payload));
            foreach (var (decoder, run) in Decoders.Zip(runs))
            {
                var actual = run.Result;
                int agree = expected.Zip(actual).Count(x => x.First == x.Second);
                output.WriteLine($"{decoder.Exe}: {agree} of {expected.Count} payloads print the C# decoder's line ({expected.Count - refused} decoded, {readings:N0} readings in the unmutated ones; {refused} refusals, {expected.Where(e => e.StartsWith("{\"error\"", StringComparison.Ordinal)).Distinct().Count()} distinct)");
                int first = Enumerable.Range(0, expected.Count).FirstOrDefault(i => expected[i] != actual[i], -1);
                Assert.True(agree == expected.Count, $"{decoder.Exe}: {agree} of {expected.Count} agree; first difference on {Clip(lines[Math.Max(first, 0)])}:\n C# {Clip(expected[Math.Max(first, 0)])}\n    {Clip(actual[Math.Max(first, 0)])}");
            }
        }, iter: 1);
    }

    [Theory]
    [InlineData("valid/44-mixed-city-node", 0)]
    [InlineData("invalid/21-mantissa-zero", 1)]
    [InlineData("invalid/08-crc-mismatch", 1)]
    public void Each_decoder_as_a_command_and_as_a_module_prints_the_vector(string vector, int exitCode)
    {
        string hex = File.ReadAllText(Path.Combine(VectorsDir, vector + ".hex")).Trim();
        string expected = File.ReadAllText(Path.Combine(VectorsDir, vector + ".json")).TrimEnd('\n');
        foreach (var decoder in Decoders)
        {
            var (exit, stdout, stderr) = Run(decoder.Exe, decoder.Script, hex);
            Assert.Equal(exitCode, exit);
            Assert.Equal(expected, stdout.TrimEnd('\n'));
            if (exitCode != 0)
            {
                using var error = JsonDocument.Parse(expected);
                var e = error.RootElement.GetProperty("error");
                Assert.Contains($"byte {e.GetProperty("offset").GetInt32()}: {e.GetProperty("reason").GetString()}", stderr);
            }
        }

        // The library forms a data team or a Node-RED function uses: decode() then the JSON of the spec.
        string js = "const m = require(process.argv[1]); const [e, line] = m.decodeJson(Buffer.from(process.argv[2], 'hex')); console.log(line);";
        Assert.Equal(expected, Run("node", "-e", js, Decoders[1].Script, hex).Out.TrimEnd('\n'));
        string py = "import sys; sys.path.insert(0, sys.argv[1]); import citynode_decode as c; print(c.decode_json(bytes.fromhex(sys.argv[2]))[1])";
        Assert.Equal(expected, Run("python3", "-c", py, Path.GetDirectoryName(Decoders[0].Script)!, hex).Out.TrimEnd('\n'));
    }

    private static (int Exit, string Out, string Err) Run(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Runs a reference decoder's --batch mode over hex lines; one JSON line back per input line.</summary>
    internal static string[] RunBatch((string Exe, string Script) decoder, IReadOnlyList<string> lines)
    {
        var psi = new ProcessStartInfo(decoder.Exe) { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, StandardOutputEncoding = Encoding.UTF8 };
        psi.ArgumentList.Add(decoder.Script);
        psi.ArgumentList.Add("--batch");
        using var process = Process.Start(psi) ?? throw new InvalidOperationException($"cannot start {decoder.Exe}: the reference decoder tests need python3 and node on PATH");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        foreach (var line in lines)
        {
            process.StandardInput.Write(line);
            process.StandardInput.Write('\n');
        }

        process.StandardInput.Close();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{decoder.Exe} {decoder.Script} --batch exited {process.ExitCode}: {stderr.Result}");
        var output = stdout.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(lines.Count, output.Length);
        return output;
    }

    private static int ReadingsIn(byte[] p)
    {
        var d = new BatchDecoder();
        var h = d.ReadHeader(p, 0, p.Length);
        return h.Count * h.ChannelCount;
    }

    private static string Clip(string s) => s.Length > 400 ? s[..400] + "..." : s;

    private static byte[] Mutate(byte[] p, int at, byte to)
    {
        var q = (byte[])p.Clone();
        int i = at % (q.Length - 4);
        q[i] = q[i] == to ? (byte)(to ^ 0x5A) : to;
        LittleEndian.WriteUInt32(q, q.Length - 4, Crc32C.Compute(q, 0, q.Length - 4));
        return q;
    }

    private static readonly Gen<NodeDiagnostics?> AnyDiagnostics =
        from present in Gen.Int[0, 3]
        from fields in Gen.Long[-100, long.MaxValue / 2].Array[NodeDiagnostics.FieldCount]
        from mask in Gen.UInt
        from text in Gen.String[Gen.Char[' ', '~'], 0, 60]
        select present == 0 ? null : MakeDiagnostics(fields, mask, present == 1 ? null : text);

    private static NodeDiagnostics MakeDiagnostics(long[] fields, uint mask, string? text)
    {
        var d = new NodeDiagnostics();
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            if ((mask & (1u << f)) != 0)
            {
                d.Set(f, f % 3 == 0 ? fields[f] % 100_000 : fields[f]);
            }
        }

        d.SetText(text);
        return d;
    }

    private static readonly Gen<(byte[] Payload, int MutateAt, byte MutateTo)> AnyPayload =
        from n in Gen.Int[1, 120]
        from ch in Gen.Int[1, 8]
        from t0 in Gen.Long[0, uint.MaxValue - 20_000_000L]
        from timeMode in Gen.Int[0, 4]
        from dts in Gen.Int[-5, 100_000].Array[n]
        from regime in Gen.Int[0, 5].Array[ch]
        from raw in Gen.Int.Array[n].Array[ch]
        from small in Gen.Int[-20, 20].Array[n].Array[ch]
        from statuses in Gen.Int[0, 20].Array[n].Array[ch]
        from ids in Gen.Int[0, 255].Array[ch]
        from units in Gen.Int[-1, 40].Array[ch]
        from res in Gen.Select(Gen.Int[0, 9], Gen.Int[-6, 9]).Array[ch]
        from node in Gen.UInt[1, uint.MaxValue]
        from seq in Gen.UInt
        from diag in AnyDiagnostics
        from mutateAt in Gen.Int[0, 10_000]
        from mutateTo in Gen.Byte
        select (Encode(n, ch, t0, timeMode, dts, regime, raw, small, statuses, ids, units, res, node, seq, diag), mutateAt, mutateTo);

    private static byte[] Encode(int n, int ch, long t0, int timeMode, int[] dts, int[] regime, int[][] raw, int[][] small, int[][] statuses, int[] ids, int[] units, (int, int)[] res, uint node, uint seq, NodeDiagnostics? diag)
    {
        var b = new SampleBatch(n, ch) { Count = n, ChannelCount = ch };
        b.Times[0] = t0;
        for (int i = 1; i < n; i++)
        {
            long dt = timeMode switch
            {
                0 => 60,                                   // regular
                1 => 148 + (dts[i] % 3),                   // free-running clock
                2 => (dts[i] % 50 == 0) ? 900 * 5 : 900,   // gaps
                3 => 300 + (dts[i] % 7) - ((dts[i - 1] % 7) * (i > 1 ? 1 : 0)), // on schedule, late by 0..6 s
                _ => dts[i],                               // anything, backwards included
            };
            b.Times[i] = Math.Clamp(b.Times[i - 1] + dt, 0, uint.MaxValue);
        }

        for (int c = 0; c < ch; c++)
        {
            int id = ids[c];
            int unit = units[c] < 0 ? Channels.CanonicalUnit(id) : units[c];
            var (m, e) = res[c];
            int mantissa = m switch { <= 2 => 1, 3 => 2, 4 => 5, 5 => 25, 6 => 1_000_000, 7 => 3, _ => 10 };
            b.Channels[c].Set(id, unit, mantissa, e);
            int v = raw[c][0];
            for (int i = 0; i < n; i++)
            {
                b.Values[b.Index(c, i)] = regime[c] switch
                {
                    0 => raw[c][i],                                 // white noise over all of int32
                    1 => v = unchecked(v + small[c][i]),            // random walk
                    2 => 12345,                                     // constant
                    3 => i % 2 == 0 ? int.MaxValue : int.MinValue,  // extremes
                    4 => (i * 37) + small[c][i] / 10,               // ramp
                    _ => small[c][i] * 1000,                        // sparse large steps
                };
                b.Status[b.Index(c, i)] = statuses[c][i] switch { 0 => ReadingStatus.Missing, 1 => ReadingStatus.Fault, 2 => ReadingStatus.Invalid, _ => ReadingStatus.Ok };
            }
        }

        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(n, ch), n);
        int len = enc.Encode(b, node, seq, diag);
        return enc.Buffer[..len];
    }
}
