using System.Diagnostics;
using System.Text;
using CityNode.Config;
using CityNode.Telemetry;
using CityNode.Util;

namespace CityNode.Testing.Fuzz;

/// <summary>
/// The two parsers that take input from outside: the payload decoder (anything can arrive on an
/// MQTT topic) and the config parser (files and retained documents). Each input must end in a
/// result or in the parser's own exception with a position (byte offset, line) and a reason;
/// any other exception, or allocation out of proportion to the input, is a finding.
/// Used by the test suite (a fixed corpus plus a seeded run) and by the long run
/// (<c>dotnet run -c Release --project tests/CityNode.Benchmarks -- fuzz</c>).
/// </summary>
public static class FuzzTargets
{
    /// <summary>
    /// The bound docs/payload.md promises: a payload of L bytes decodes to at most
    /// min(L × MaxReadingsPerByte, MaxReadings) readings (the range coder cannot spend less per
    /// reading), each costing at most 13 bytes (value, status, and its sample's time), plus a constant.
    /// </summary>
    public static long AllocationBound(int length) =>
        (Math.Min((long)length * PayloadFormat.MaxReadingsPerByte, PayloadFormat.MaxReadings) * 13) + (64 * 1024);

    public sealed class Finding(string target, byte[] input, string problem) : Exception($"{target}: {problem} (input {Convert.ToHexString(input.Length > 256 ? input[..256] : input)})")
    {
        public byte[] Input { get; } = input;
    }

    /// <summary>Decodes; returns null if accepted, else the rejection reason. Throws <see cref="Finding"/>.</summary>
    public static string? Decoder(byte[] input)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            new BatchDecoder().DecodeNew(input, 0, input.Length);
            return null;
        }
        catch (PayloadException e)
        {
            if (e.Offset < 0 || e.Offset > input.Length || string.IsNullOrWhiteSpace(e.Reason))
            {
                throw new Finding("decoder", input, $"rejection without a usable position or reason: {e.Message}");
            }

            return e.Reason;
        }
        catch (Exception e) when (e is not Finding)
        {
            throw new Finding("decoder", input, $"{e.GetType().Name}: {e.Message}");
        }
        finally
        {
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            if (allocated > AllocationBound(input.Length))
            {
                throw new Finding("decoder", input, $"allocated {allocated} bytes for {input.Length} input bytes");
            }
        }
    }

    /// <summary>Parses a config; returns null if accepted, else the error. Throws <see cref="Finding"/>.</summary>
    public static string? Config(string text)
    {
        try
        {
            NodeConfig.Parse(text);
            return null;
        }
        catch (ConfigException e)
        {
            int lines = text.Split('\n').Length;
            if (e.Line < 0 || e.Line > lines || string.IsNullOrWhiteSpace(e.Problem))
            {
                throw new Finding("config", Encoding.UTF8.GetBytes(text), $"error without a usable line or reason: {e.Message}");
            }

            return e.Problem.Length > 40 ? e.Problem[..40] : e.Problem;
        }
        catch (Exception e) when (e is not Finding)
        {
            throw new Finding("config", Encoding.UTF8.GetBytes(text), $"{e.GetType().Name}: {e.Message}");
        }
    }

    public static IReadOnlyList<byte[]> PayloadSeeds()
    {
        var seeds = new List<byte[]>();
        foreach (var (samples, channels, diag, jitter) in new[] { (1, 1, false, false), (16, 3, true, false), (64, 8, true, true), (5, 2, false, true) })
        {
            var b = new SampleBatch(samples, channels) { Count = samples, ChannelCount = channels };
            for (int c = 0; c < channels; c++)
            {
                b.Channels[c].Set(c + 1, Channels.CanonicalUnit(c + 1), 1, -1 - (c % 2));
            }

            for (int i = 0; i < samples; i++)
            {
                b.Times[i] = 1_760_000_000 + (i * 60) + (jitter ? i % 3 : 0);
                for (int c = 0; c < channels; c++)
                {
                    b.Values[b.Index(c, i)] = (c * 1000) + (i * (c + 1) % 17) - 5;
                    b.Status[b.Index(c, i)] = (byte)((i + c) % 11 == 0 ? ReadingStatus.Fault : ReadingStatus.Ok);
                }
            }

            NodeDiagnostics? d = null;
            if (diag)
            {
                d = new NodeDiagnostics();
                d.Set(NodeDiagnostics.BatteryMillivolts, 3812);
                d.Set(NodeDiagnostics.RssiDbm, -77);
                d.SetText("sensor pm: no frame");
            }

            var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(samples, channels), samples);
            int len = enc.Encode(b, 4242, 7, d);
            seeds.Add(enc.Buffer[..len]);
        }

        return seeds;
    }

    public static IReadOnlyList<string> ConfigSeeds() => new[]
    {
        "node.id = 42\nboard = firebeetle-esp32e\nconfig.version = 1\nsample = 60s\npublish = 15m\nbatch = 64\nsleep = auto\n" +
            "wifi.ssid = CityNet\nwifi.password = secret pass\nmqtt.broker = mqtts://broker.city.example:8883\nmqtt.username = node-42\n" +
            "mqtt.password = abc\nsensor.bme280 = i2c:0x76\nsensor.sds011 = uart:COM2\nearly.pm2_5 = 25\nlow_battery_mv = 3400\n",
        "# water node\nnode.id = 7\nsample = 5m\npublish = 1h\nsensors = all\nsensor.ezo_ph = i2c:0x63\ncalibration.ph.mid = 7.00\n",
        "config.version = 3\nsample = 300s\npublish = 30m\n",
    };

    /// <summary>A mutated payload: bit flips, overwritten, inserted or removed bytes, truncation; half the time the CRC is fixed so the parser is reached.</summary>
    public static byte[] MutatePayload(byte[] seed, Random r)
    {
        var p = new List<byte>(seed);
        int ops = 1 + r.Next(4);
        for (int k = 0; k < ops && p.Count > 0; k++)
        {
            int at = r.Next(p.Count);
            switch (r.Next(6))
            {
                case 0: p[at] ^= (byte)(1 << r.Next(8)); break;
                case 1: p[at] = (byte)r.Next(256); break;
                case 2: p.Insert(at, (byte)r.Next(256)); break;
                case 3: p.RemoveAt(at); break;
                case 4: p.RemoveRange(at, p.Count - at); break;
                default: p.InsertRange(at, p.GetRange(at, Math.Min(p.Count - at, 1 + r.Next(16)))); break;
            }
        }

        var bytes = p.ToArray();
        if (bytes.Length > 8 && r.Next(2) == 0)
        {
            LittleEndian.WriteUInt32(bytes, bytes.Length - 4, Crc32C.Compute(bytes, 0, bytes.Length - 4));
        }

        return bytes;
    }

    private const string ConfigAlphabet = "abcdefghijklmnopqrstuvwxyz._=# \n\t0123456789:/-xX%\u00e9\u0000\r";

    private static readonly string[] Tokens =
    {
        "=", "\n", "#", "node.id", "sample", "publish", "batch", "sensor.", "early.", "calibration.", "config.version", "mqtt.broker",
        "-1", "0", "4294967296", "99999999999999999999", "1e9", "10s", "0s", "1d", "2d", "60", "15m", "nan", "mqtt://", "i2c:0x",
        "uart:COM", "adc:", "all", "none", new string('x', 300), "\u00ff", "\u0000",
    };

    public static string MutateConfig(string seed, Random r)
    {
        var s = new StringBuilder(seed);
        int ops = 1 + r.Next(4);
        for (int k = 0; k < ops; k++)
        {
            int at = s.Length == 0 ? 0 : r.Next(s.Length);
            switch (r.Next(5))
            {
                case 0 when s.Length > 0: s.Remove(at, Math.Min(s.Length - at, 1 + r.Next(8))); break;
                case 1: s.Insert(at, ConfigAlphabet[r.Next(ConfigAlphabet.Length)]); break;
                case 2: s.Insert(at, Tokens[r.Next(Tokens.Length)]); break;
                case 3:
                    var lines = s.ToString().Split('\n');
                    var line = lines[r.Next(lines.Length)];
                    s.Insert(at, line + "\n");
                    break;
                default: s.Append(Tokens[r.Next(Tokens.Length)]).Append(" = ").Append(Tokens[r.Next(Tokens.Length)]).Append('\n'); break;
            }
        }

        return s.ToString();
    }

    /// <summary>What a run saw.</summary>
    public sealed record Report(string Target, long Inputs, long Accepted, long Rejected, double Seconds, IReadOnlyDictionary<string, long> Reasons)
    {
        public double PerSecond => Inputs / Math.Max(Seconds, 1e-9);
    }

    /// <summary>Runs <paramref name="count"/> mutated inputs of a target from a seed; stops at the first finding (thrown).</summary>
    public static Report Run(string target, long count, int seed, Action<long>? progress = null)
    {
        var r = new Random(seed);
        var reasons = new Dictionary<string, long>();
        long accepted = 0;
        var payloads = PayloadSeeds();
        var configs = ConfigSeeds();
        var sw = Stopwatch.StartNew();
        byte[] lastPayload = payloads[0];
        string lastConfig = configs[0];
        for (long i = 0; i < count; i++)
        {
            string? reason;
            if (target == "decoder")
            {
                // Mutate seeds and, now and then, the last input again (mutations stack up).
                var input = MutatePayload(r.Next(4) == 0 ? lastPayload : payloads[r.Next(payloads.Count)], r);
                lastPayload = input.Length < 4096 ? input : payloads[0];
                reason = Decoder(input);
            }
            else
            {
                var input = MutateConfig(r.Next(4) == 0 ? lastConfig : configs[r.Next(configs.Count)], r);
                lastConfig = input.Length < 8192 ? input : configs[0];
                reason = Config(input);
            }

            if (reason is null)
            {
                accepted++;
            }
            else
            {
                reasons[reason] = reasons.GetValueOrDefault(reason) + 1;
            }

            if (progress is not null && i % 50_000 == 0)
            {
                progress(i);
            }
        }

        return new Report(target, count, accepted, count - accepted, sw.Elapsed.TotalSeconds, reasons);
    }
}
