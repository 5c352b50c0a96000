using CityNode.Telemetry;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Telemetry;

/// <summary>Encode → decode is lossless at resolution, for any shape of batch.</summary>
public class CodecRoundTripTests
{
    internal static SampleBatch Batch(long[] times, int[][] values, byte[][] status, (int Id, int Unit, int M, int E)[]? channels = null)
    {
        int n = times.Length;
        int ch = values.Length;
        var b = new SampleBatch(n, ch) { Count = n, ChannelCount = ch };
        Array.Copy(times, b.Times, n);
        for (int c = 0; c < ch; c++)
        {
            var spec = channels?[c] ?? (Channels.FirstCustom + c, Units.None, 1, -2);
            b.Channels[c].Set(spec.Id, spec.Unit, spec.M, spec.E);
            for (int i = 0; i < n; i++)
            {
                b.Values[b.Index(c, i)] = values[c][i];
                b.Status[b.Index(c, i)] = status[c][i];
            }
        }

        return b;
    }

    internal static void AssertSame(SampleBatch expected, SampleBatch actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        Assert.Equal(expected.ChannelCount, actual.ChannelCount);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected.Times[i], actual.Times[i]);
        }

        for (int c = 0; c < expected.ChannelCount; c++)
        {
            Assert.True(expected.Channels[c].SameAs(actual.Channels[c]), $"channel {c} spec");
            for (int i = 0; i < expected.Count; i++)
            {
                int at = expected.Index(c, i);
                int bt = actual.Index(c, i);
                Assert.Equal(expected.Status[at], actual.Status[bt]);
                if (expected.Status[at] == ReadingStatus.Ok)
                {
                    Assert.Equal(expected.Values[at], actual.Values[bt]);
                }
            }
        }
    }

    private static SampleBatch RoundTrip(SampleBatch b, NodeDiagnostics? diag = null, uint node = 7, uint seq = 42)
    {
        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(b.Count, b.ChannelCount), b.Count);
        int len = enc.Encode(b, node, seq, diag);
        var dec = new BatchDecoder();
        var back = dec.DecodeNew(enc.Buffer, 0, len);
        Assert.Equal(node, dec.Header.NodeId);
        Assert.Equal(seq, dec.Header.Sequence);
        return back;
    }

    private static readonly Gen<SampleBatch> AnyBatch =
        from n in Gen.Int[1, 300]
        from ch in Gen.Int[1, 12]
        from t0 in Gen.Long[0, uint.MaxValue - 400_000_000L]
        from timeMode in Gen.Int[0, 3]
        from dts in Gen.Int[-5, 100_000].Array[n]
        from regime in Gen.Int[0, 4].Array[ch]
        from raw in Gen.Int.Array[n].Array[ch]
        from small in Gen.Int[-20, 20].Array[n].Array[ch]
        from statuses in Gen.Int[0, 20].Array[n].Array[ch]
        from res in Gen.Select(Gen.Int[1, 7], Gen.Int[-6, 9]).Array[ch]
        select Make(n, ch, t0, timeMode, dts, regime, raw, small, statuses, res);

    private static SampleBatch Make(int n, int ch, long t0, int timeMode, int[] dts, int[] regime, int[][] raw, int[][] small, int[][] statuses, (int, int)[] res)
    {
        var times = new long[n];
        times[0] = t0;
        for (int i = 1; i < n; i++)
        {
            long dt = timeMode switch
            {
                0 => 60,                                 // regular
                1 => 148 + (dts[i] % 3),                 // jitter
                2 => (dts[i] % 50 == 0) ? 900 * 5 : 900, // gaps
                _ => dts[i],                             // anything, including backwards
            };
            times[i] = Math.Clamp(times[i - 1] + dt, 0, uint.MaxValue);
        }

        var values = new int[ch][];
        var status = new byte[ch][];
        for (int c = 0; c < ch; c++)
        {
            values[c] = new int[n];
            status[c] = new byte[n];
            int v = raw[c][0];
            for (int i = 0; i < n; i++)
            {
                values[c][i] = regime[c] switch
                {
                    0 => raw[c][i],                                   // white noise over all of int
                    1 => v = unchecked(v + small[c][i]),              // random walk
                    2 => 12345,                                       // constant
                    3 => i % 2 == 0 ? int.MaxValue : int.MinValue,    // extremes
                    _ => small[c][i] * 1000,                          // sparse large steps
                };
                status[c][i] = statuses[c][i] switch { 0 => ReadingStatus.Missing, 1 => ReadingStatus.Fault, 2 => ReadingStatus.Invalid, _ => ReadingStatus.Ok };
            }
        }

        var specs = res.Select((r, c) => (Channels.FirstCustom + c, c % 3, r.Item1 == 7 ? 25 : r.Item1, r.Item2)).ToArray();
        return Batch(times, values, status, specs);
    }

    [Fact]
    public void Any_batch_round_trips_exactly()
    {
        AnyBatch.Sample(b => AssertSame(b, RoundTrip(b)), iter: 400);
    }

    [Fact]
    public void Diagnostics_round_trip()
    {
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.BatteryMillivolts, 3712);
        d.Set(NodeDiagnostics.RssiDbm, -71);
        d.Set(NodeDiagnostics.DroppedReadings, 123456789);
        d.SetText("sample: 5s is outside 10s..1d");
        var b = Batch(new long[] { 1_700_000_000 }, new[] { new[] { 5 } }, new[] { new[] { ReadingStatus.Ok } });
        var enc = new BatchEncoder(512, 1);
        int len = enc.Encode(b, 1, 1, d);
        var dec = new BatchDecoder();
        dec.DecodeNew(enc.Buffer, 0, len);
        Assert.Equal(3712, dec.Diagnostics.Get(NodeDiagnostics.BatteryMillivolts));
        Assert.Equal(-71, dec.Diagnostics.Get(NodeDiagnostics.RssiDbm));
        Assert.Equal(123456789, dec.Diagnostics.Get(NodeDiagnostics.DroppedReadings));
        Assert.False(dec.Diagnostics.Has(NodeDiagnostics.FreeHeapBytes));
        Assert.Equal("sample: 5s is outside 10s..1d", dec.Diagnostics.Text);
    }

    [Fact]
    public void Unchanged_values_cost_almost_nothing()
    {
        // 64 samples × 8 constant channels, regular: the body is a few bytes, whatever the values are.
        int n = 64;
        var values = Enumerable.Range(0, 8).Select(c => Enumerable.Repeat(1000 * c + 7, n).ToArray()).ToArray();
        var status = Enumerable.Range(0, 8).Select(_ => new byte[n]).ToArray();
        var times = Enumerable.Range(0, n).Select(i => 1_700_000_000L + 60 * i).ToArray();
        var b = Batch(times, values, status);
        var enc = new BatchEncoder(4096, n);
        int len = enc.Encode(b, 1, 1, null);
        var dec = new BatchDecoder();
        dec.ReadHeader(enc.Buffer, 0, len);
        int body = dec.Header.BodyEnd - dec.Header.BodyOffset;
        Assert.True(body <= 8 * 4, $"body {body} bytes for 512 unchanged readings");
        AssertSame(b, dec.DecodeNew(enc.Buffer, 0, len));
    }

    [Fact]
    public void Nan_and_out_of_range_reach_the_payload_as_invalid_flags()
    {
        // The sampler turns a value it cannot carry into status Invalid; the codec keeps that flag.
        Assert.False(Resolution.FromMicro(long.MaxValue, 1, -2, out _));
        var b = Batch(new long[] { 10, 20, 30 }, new[] { new[] { 1, 0, 3 } }, new[] { new[] { ReadingStatus.Ok, ReadingStatus.Invalid, ReadingStatus.Ok } });
        var back = RoundTrip(b);
        Assert.Equal(ReadingStatus.Invalid, back.Status[1]);
        Assert.Equal(3, back.Values[2]);
    }

    [Fact]
    public void Encoder_refuses_timestamps_outside_the_format()
    {
        var b = Batch(new long[] { -1 }, new[] { new[] { 1 } }, new[] { new byte[1] });
        var enc = new BatchEncoder(256, 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => enc.Encode(b, 1, 1, null));
    }

    [Fact]
    public void Crc32c_check_value()
    {
        var data = "123456789"u8.ToArray();
        Assert.Equal(0xE3069283u, CityNode.Util.Crc32C.Compute(data, 0, data.Length));
    }
}
