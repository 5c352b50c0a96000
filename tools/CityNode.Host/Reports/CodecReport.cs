using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Serialization;
using CityNode.Host.Codecs;
using CityNode.Host.Data;
using CityNode.Host.Receiving;
using CityNode.Telemetry;

namespace CityNode.Host.Reports;

/// <summary>
/// <c>citynode codec-report</c>: encodes a CSV of readings in batches with CityNode's codec,
/// verifies every batch decodes to the same values, and measures, in the same run and on the same
/// quantised values, what peers and general-purpose formats spend per reading.
/// </summary>
public sealed class CodecReport
{
    public const string Ours = "citynode";
    public const string Entropy = "entropy0_delta";

    [JsonPropertyName("file")] public required string File { get; init; }

    [JsonPropertyName("batch")] public required int Batch { get; init; }

    [JsonPropertyName("readings")] public required long Readings { get; init; }

    [JsonPropertyName("samples")] public required int Samples { get; init; }

    [JsonPropertyName("roundtrip_ok")] public required bool RoundTripOk { get; init; }

    /// <summary>Format name → bytes per reading.</summary>
    [JsonPropertyName("formats")] public required Dictionary<string, double> Formats { get; init; }

    /// <summary>1.25 × the order-0 entropy of per-channel deltas + 0.1 (the allowance for a self-contained header).</summary>
    [JsonPropertyName("goal_bytes_per_reading")] public required double Goal { get; init; }

    [JsonPropertyName("goal_met")] public bool GoalMet => Formats[Ours] <= Goal;

    [JsonPropertyName("columns")] public required List<ColumnInfo> Columns { get; init; }

    public sealed record ColumnInfo(
        [property: JsonPropertyName("name")] string Name,
        [property: JsonPropertyName("resolution")] string Resolution,
        [property: JsonPropertyName("readings")] long Readings,
        [property: JsonPropertyName("entropy0_delta")] double Entropy0);

    /// <summary>Describes what each format is, for the table.</summary>
    public static readonly IReadOnlyDictionary<string, string> Descriptions = new Dictionary<string, string>
    {
        [Ours] = "CityNode batch (header, channel table, CRC-32C, range-coded residuals)",
        ["esphome_text"] = "ESPHome: one MQTT message per reading, text value on <node>/sensor/<name>/state",
        ["tasmota_json"] = "Tasmota: one MQTT message per sample, JSON on tele/<node>/SENSOR",
        ["senml_json"] = "SenML JSON (RFC 8428), one pack per batch, MQTT framing",
        ["csv_gzip"] = "CSV of the batch, gzip (smallest)",
        ["csv_brotli"] = "CSV of the batch, brotli (quality 11)",
        ["csv_zstd"] = "CSV of the batch, zstd (level 19)",
        ["delta_varint"] = "delta + zigzag + LEB128 varint",
        ["gorilla"] = "Gorilla (VLDB 2015): delta-of-delta times, XOR doubles",
        [Entropy] = "order-0 entropy of per-channel deltas over the whole file (bound, not a format)",
    };

    /// <summary>Parses "column=step" pairs.</summary>
    public static Dictionary<string, decimal> ParseResolutions(IEnumerable<string> pairs)
    {
        var result = new Dictionary<string, decimal>();
        foreach (var p in pairs)
        {
            int eq = p.IndexOf('=');
            if (eq <= 0 || !decimal.TryParse(p[(eq + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var step) || step <= 0)
            {
                throw new FormatException($"--resolution '{p}': expected column=step with a positive step, e.g. temperature_c=0.01");
            }

            result[p[..eq]] = step;
        }

        return result;
    }

    public static CodecReport Run(Recording rec, int batch, IReadOnlyDictionary<string, decimal>? resolutions)
    {
        if (batch < 1 || batch > PayloadFormat.MaxSamples)
        {
            throw new ArgumentOutOfRangeException(nameof(batch), $"--batch {batch}: must be 1..{PayloadFormat.MaxSamples}");
        }

        var cols = new List<(Recording.Column Col, decimal Step, int M, int E)>();
        if (resolutions is { Count: > 0 })
        {
            foreach (var (name, step) in resolutions)
            {
                if (!rec.Has(name))
                {
                    throw new FormatException($"--resolution: no numeric column '{name}' in {Path.GetFileName(rec.Source)} (have: {string.Join(", ", rec.Columns.Select(c => c.Name))})");
                }

                var (m, e) = Split(step, name);
                cols.Add((rec[name], step, m, e));
            }
        }
        else
        {
            foreach (var c in rec.Columns)
            {
                decimal step = 1m / (decimal)Math.Pow(10, c.Decimals);
                var (m, e) = Split(step, c.Name);
                cols.Add((c, step, m, e));
            }
        }

        if (cols.Count == 0 || cols.Count > PayloadFormat.MaxChannels)
        {
            throw new FormatException($"{Path.GetFileName(rec.Source)}: {cols.Count} numeric columns; the codec takes 1 to {PayloadFormat.MaxChannels}");
        }

        int n = rec.Rows;
        int ch = cols.Count;
        var steps = new long[ch][];
        var present = new bool[ch][];
        long readings = 0;
        for (int c = 0; c < ch; c++)
        {
            steps[c] = new long[n];
            present[c] = new bool[n];
            for (int i = 0; i < n; i++)
            {
                string? text = cols[c].Col.Text[i];
                if (text is null)
                {
                    continue;
                }

                decimal q = Math.Round(decimal.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) / cols[c].Step, MidpointRounding.AwayFromZero);
                if (q > int.MaxValue || q < int.MinValue)
                {
                    throw new FormatException($"{Path.GetFileName(rec.Source)} line {i + 2}, column {cols[c].Col.Name}: {text} does not fit 32 bits at step {cols[c].Step}");
                }

                steps[c][i] = (long)q;
                present[c][i] = true;
                readings++;
            }
        }

        if (readings == 0)
        {
            throw new FormatException($"{Path.GetFileName(rec.Source)}: no readings in the chosen columns");
        }

        var sizes = new Dictionary<string, long>
        {
            [Ours] = 0, ["esphome_text"] = 0, ["tasmota_json"] = 0, ["senml_json"] = 0, ["csv_gzip"] = 0,
            ["csv_brotli"] = 0, ["csv_zstd"] = 0, ["delta_varint"] = 0, ["gorilla"] = 0,
        };
        var encoder = new BatchEncoder(BatchEncoder.WorstCaseSize(batch, ch), batch);
        var decoder = new BatchDecoder();
        bool ok = true;
        using var zstd = new ZstdSharp.Compressor(19);
        uint seq = 0;
        for (int start = 0; start < n; start += batch)
        {
            int count = Math.Min(batch, n - start);
            var b = new SampleBatch(count, ch) { Count = count, ChannelCount = ch };
            var times = new long[count];
            for (int i = 0; i < count; i++)
            {
                times[i] = rec.Times[start + i];
                b.Times[i] = times[i];
            }

            var sliceSteps = new long[ch][];
            var slicePresent = new bool[ch][];
            var doubles = new double[ch][];
            for (int c = 0; c < ch; c++)
            {
                b.Channels[c].Set(Channels.FirstCustom + c, Units.None, cols[c].M, cols[c].E);
                sliceSteps[c] = steps[c][start..(start + count)];
                slicePresent[c] = present[c][start..(start + count)];
                doubles[c] = new double[count];
                for (int i = 0; i < count; i++)
                {
                    int at = b.Index(c, i);
                    b.Status[at] = slicePresent[c][i] ? ReadingStatus.Ok : ReadingStatus.Missing;
                    b.Values[at] = (int)sliceSteps[c][i];
                    doubles[c][i] = slicePresent[c][i] ? (double)(sliceSteps[c][i] * cols[c].Step) : double.NaN;
                }
            }

            int len = encoder.Encode(b, 1, seq++, null);
            sizes[Ours] += len;
            var back = decoder.DecodeNew(encoder.Buffer, 0, len);
            ok &= Same(b, back);

            string Text(int c, int i) => Reading.Format(sliceSteps[c][i] * cols[c].Step);
            for (int i = 0; i < count; i++)
            {
                var json = new StringBuilder("{\"Time\":\"").Append(DateTimeOffset.FromUnixTimeSeconds(times[i]).ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)).Append("\",\"CityNode\":{");
                bool any = false;
                for (int c = 0; c < ch; c++)
                {
                    if (!slicePresent[c][i])
                    {
                        continue;
                    }

                    string value = Text(c, i);
                    string topic = $"airnode-1/sensor/{cols[c].Col.Name}/state";
                    sizes["esphome_text"] += MqttFraming.PublishBytes(topic.Length, value.Length, 0);
                    json.Append(any ? "," : "").Append('"').Append(cols[c].Col.Name).Append("\":").Append(value);
                    any = true;
                }

                json.Append("}}");
                sizes["tasmota_json"] += MqttFraming.PublishBytes("tele/airnode-1/SENSOR".Length, Encoding.UTF8.GetByteCount(json.ToString()), 0);
            }

            sizes["senml_json"] += MqttFraming.PublishBytes(Topics.For("1", "senml").Length, SenmlBytes(times, count, cols.Select(c => c.Col.Name).ToArray(), slicePresent, Text), 1);
            byte[] csv = Csv(times, count, cols.Select(c => c.Col.Name).ToArray(), slicePresent, Text);
            sizes["csv_gzip"] += Compressed(csv, s => new GZipStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            sizes["csv_brotli"] += Compressed(csv, s => new BrotliStream(s, CompressionLevel.SmallestSize, leaveOpen: true));
            sizes["csv_zstd"] += zstd.Wrap(csv).Length;
            sizes["delta_varint"] += DeltaVarint.EncodedBytes(times, count, sliceSteps, slicePresent);
            sizes["gorilla"] += Gorilla.EncodedBytes(times, count, doubles);
        }

        var columns = new List<ColumnInfo>();
        double entropyBits = 0;
        for (int c = 0; c < ch; c++)
        {
            var (bits, deltas) = EntropyOfDeltas(steps[c], present[c]);
            entropyBits += bits * deltas;
            columns.Add(new ColumnInfo(cols[c].Col.Name, Reading.Format(cols[c].Step), present[c].LongCount(p => p), Math.Round(bits / 8, 4)));
        }

        var formats = sizes.ToDictionary(kv => kv.Key, kv => Math.Round((double)kv.Value / readings, 4));
        double h0 = entropyBits / 8 / readings;
        formats[Entropy] = Math.Round(h0, 4);
        return new CodecReport
        {
            File = Path.GetFileName(rec.Source),
            Batch = batch,
            Readings = readings,
            Samples = n,
            RoundTripOk = ok,
            Formats = formats,
            Goal = Math.Round((1.25 * h0) + 0.1, 4),
            Columns = columns,
        };
    }

    /// <summary>A step as mantissa × 10^exponent (0.01 → 1e-2, 0.25 → 25e-2, 100 → 1e2).</summary>
    private static (int Mantissa, int Exponent) Split(decimal step, string column)
    {
        int e = 0;
        decimal m = step;
        while (m != Math.Truncate(m))
        {
            m *= 10;
            e--;
        }

        while (m >= 10 && m % 10 == 0)
        {
            m /= 10;
            e++;
        }

        if (m > 1_000_000 || !Resolution.IsValid((int)m, e))
        {
            throw new FormatException($"--resolution {column}={step}: the codec carries steps from 1e{Resolution.MinExponent} to 1e{Resolution.MaxExponent} with a mantissa up to 1000000");
        }

        return ((int)m, e);
    }

    private static bool Same(SampleBatch a, SampleBatch b)
    {
        if (a.Count != b.Count || a.ChannelCount != b.ChannelCount)
        {
            return false;
        }

        for (int i = 0; i < a.Count; i++)
        {
            if (a.Times[i] != b.Times[i])
            {
                return false;
            }
        }

        for (int c = 0; c < a.ChannelCount; c++)
        {
            for (int i = 0; i < a.Count; i++)
            {
                int at = a.Index(c, i);
                int bt = b.Index(c, i);
                if (a.Status[at] != b.Status[bt] || (a.Status[at] == ReadingStatus.Ok && a.Values[at] != b.Values[bt]))
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Order-0 entropy (bits per delta) of a column's successive differences, and how many there are.</summary>
    public static (double Bits, long Count) EntropyOfDeltas(long[] steps, bool[] present)
    {
        var counts = new Dictionary<long, long>();
        long n = 0;
        long? prev = null;
        for (int i = 0; i < steps.Length; i++)
        {
            if (!present[i])
            {
                continue;
            }

            if (prev is long p)
            {
                long d = steps[i] - p;
                counts[d] = counts.GetValueOrDefault(d) + 1;
                n++;
            }

            prev = steps[i];
        }

        double h = 0;
        foreach (var k in counts.Values)
        {
            double q = (double)k / n;
            h -= q * Math.Log2(q);
        }

        return (h, n);
    }

    private static int SenmlBytes(long[] times, int n, string[] names, bool[][] present, Func<int, int, string> text)
    {
        var sb = new StringBuilder("[");
        bool first = true;
        for (int i = 0; i < n; i++)
        {
            for (int c = 0; c < names.Length; c++)
            {
                if (!present[c][i])
                {
                    continue;
                }

                sb.Append(first ? "" : ",").Append('{');
                if (first)
                {
                    sb.Append("\"bn\":\"urn:dev:citynode:1:\",\"bt\":").Append(times[0]).Append(',');
                }

                sb.Append("\"n\":\"").Append(names[c]).Append('"');
                if (times[i] != times[0])
                {
                    sb.Append(",\"t\":").Append(times[i] - times[0]);
                }

                sb.Append(",\"v\":").Append(text(c, i)).Append('}');
                first = false;
            }
        }

        return Encoding.UTF8.GetByteCount(sb.Append(']').ToString());
    }

    private static byte[] Csv(long[] times, int n, string[] names, bool[][] present, Func<int, int, string> text)
    {
        var sb = new StringBuilder("time,").Append(string.Join(',', names)).Append('\n');
        for (int i = 0; i < n; i++)
        {
            sb.Append(times[i]);
            for (int c = 0; c < names.Length; c++)
            {
                sb.Append(',');
                if (present[c][i])
                {
                    sb.Append(text(c, i));
                }
            }

            sb.Append('\n');
        }

        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static long Compressed(byte[] data, Func<Stream, Stream> compressor)
    {
        using var ms = new MemoryStream();
        using (var z = compressor(ms))
        {
            z.Write(data);
        }

        return ms.Length;
    }
}
