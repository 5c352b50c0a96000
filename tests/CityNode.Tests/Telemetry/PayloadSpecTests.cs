using CityNode.Telemetry;
using CityNode.Util;
using Xunit;

namespace CityNode.Tests.Telemetry;

/// <summary>Where the decoder used to disagree with docs/payload.md (issue 18), it now follows the spec.</summary>
public class PayloadSpecTests
{
    private static byte[] Reseal(byte[] p)
    {
        LittleEndian.WriteUInt32(p, p.Length - 4, Crc32C.Compute(p, 0, p.Length - 4));
        return p;
    }

    /// <summary>magic, flags, node id, sequence, base time, count, interval, channel count, one channel, then the body and a CRC.</summary>
    private static byte[] Payload(byte[] node, byte[] channel, byte[]? body = null, byte flags = 0, byte[]? diagnostics = null)
    {
        var p = new List<byte> { 0xC1, flags };
        p.AddRange(node);
        p.Add(1);
        p.AddRange(BitConverter.GetBytes(1_767_225_600u));
        p.Add(1);
        p.Add(0);
        p.Add(1);
        p.AddRange(channel);
        p.AddRange(diagnostics ?? Array.Empty<byte>());
        p.AddRange(body ?? new byte[4]);
        p.AddRange(new byte[4]);
        return Reseal(p.ToArray());
    }

    private static PayloadException Reject(byte[] p) => Assert.Throws<PayloadException>(() => new BatchDecoder().DecodeNew(p, 0, p.Length));

    private static SampleBatch Accept(byte[] p, BatchDecoder? decoder = null) => (decoder ?? new BatchDecoder()).DecodeNew(p, 0, p.Length);

    [Fact]
    public void Node_id_zero_is_refused()
    {
        Accept(Payload(new byte[] { 1 }, new byte[] { 1, 12 }));
        var e = Reject(Payload(new byte[] { 0 }, new byte[] { 1, 12 }));
        Assert.Equal("byte 2: node id 0 outside 1..4294967295", e.Message);
    }

    [Fact]
    public void Encoder_refuses_node_id_zero()
    {
        var b = CodecRoundTripTests.Batch(new long[] { 1 }, new[] { new[] { 1 } }, new[] { new byte[1] });
        Assert.Throws<ArgumentOutOfRangeException>(() => new BatchEncoder(256, 1).Encode(b, 0, 1, null));
    }

    [Fact]
    public void A_varint_over_64_bits_is_refused_not_truncated()
    {
        // Node id 1 written in 10 bytes whose last one carries bit 64: a 64-bit reader would drop it.
        var node = new byte[] { 0x81, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x02 };
        Assert.Equal("byte 2: node id varint exceeds 64 bits", Reject(Payload(node, new byte[] { 1, 12 })).Message);
        node[9] = 0x00;
        Assert.Equal(1u, new Func<uint>(() => { var d = new BatchDecoder(); Accept(Payload(node, new byte[] { 1, 12 }), d); return d.Header.NodeId; })());
    }

    [Fact]
    public void An_explicit_exponent_does_not_wrap_into_range()
    {
        // zigzag 2^33 + 4 would narrow to exponent 2.
        var e = Reject(Payload(new byte[] { 1 }, new byte[] { 1, 0x7F, 1, 0x84, 0x80, 0x80, 0x80, 0x20 }));
        Assert.Equal("byte 12: channel 0: resolution out of range", e.Message);
    }

    [Fact]
    public void Order_of_checks_is_size_magic_version_size_crc()
    {
        Assert.Equal("byte 0: truncated: 0 bytes, a payload has at least 17", Reject(Array.Empty<byte>()).Message);
        Assert.Equal("byte 0: not a CityNode payload (first byte 0x7B)", Reject("{}"u8.ToArray()).Message);
        Assert.Equal("byte 0: unknown version 2 (this decoder reads version 1)", Reject(new byte[] { 0xC2, 0, 0 }).Message);
        Assert.Equal("byte 3: truncated: 3 bytes, a payload has at least 17", Reject(new byte[] { 0xC1, 0, 0 }).Message);
        var p = Payload(new byte[] { 1 }, new byte[] { 1, 12 });
        p[2] = 0; // node id 0 and a wrong CRC: the CRC is named first
        Assert.StartsWith($"byte {p.Length - 4}: CRC mismatch", Reject(p).Message);
    }

    [Fact]
    public void Diagnostics_fields_of_later_versions_are_skipped()
    {
        // Block: bits 0, 24, 30 (varints), 31 (text "ok") and 40 (4 bytes after the text, skipped with the length).
        var block = new List<byte> { 0x81, 0x80, 0x80, 0x88, 0x8C, 0x20 }; // bitmap: bits 0, 24, 30, 31, 40
        block.AddRange(new byte[] { 0xC2, 0x1C });   // battery_mv 3650
        block.AddRange(new byte[] { 0x05 });         // bit 24
        block.AddRange(new byte[] { 0x07 });         // bit 30
        block.AddRange(new byte[] { 2, (byte)'o', (byte)'k' });
        block.AddRange(new byte[] { 0xDE, 0xAD, 0xBE, 0xEF });
        var diag = new List<byte> { (byte)block.Count };
        diag.AddRange(block);
        var decoder = new BatchDecoder();
        Accept(Payload(new byte[] { 1 }, new byte[] { 1, 12 }, flags: 1, diagnostics: diag.ToArray()), decoder);
        Assert.Equal(3650, decoder.Diagnostics.Get(NodeDiagnostics.BatteryMillivolts));
        Assert.Equal("ok", decoder.Diagnostics.Text);
        Assert.Equal(PayloadFormat.Version, decoder.Header.Version);
    }

    [Fact]
    public void Every_diagnostics_field_wait_ms_included_round_trips()
    {
        var d = new NodeDiagnostics();
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            d.Set(f, f == NodeDiagnostics.RssiDbm ? -80 : 1000 + f);
        }

        var b = CodecRoundTripTests.Batch(new long[] { 1 }, new[] { new[] { 1 } }, new[] { new byte[1] });
        var enc = new BatchEncoder(512, 1);
        int len = enc.Encode(b, 1, 1, d);
        var decoder = new BatchDecoder();
        decoder.DecodeNew(enc.Buffer, 0, len);
        for (int f = 0; f < NodeDiagnostics.FieldCount; f++)
        {
            Assert.Equal(d.Get(f), decoder.Diagnostics.Get(f));
        }

        Assert.Equal(1023, decoder.Diagnostics.Get(NodeDiagnostics.WaitMs));
    }

    [Fact]
    public void Diagnostics_values_are_clamped_to_what_json_carries_exactly()
    {
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.UptimeSeconds, long.MaxValue);
        d.Set(NodeDiagnostics.RssiDbm, long.MinValue);
        var b = CodecRoundTripTests.Batch(new long[] { 1 }, new[] { new[] { 1 } }, new[] { new byte[1] });
        var enc = new BatchEncoder(512, 1);
        int len = enc.Encode(b, 1, 1, d);
        var decoder = new BatchDecoder();
        decoder.DecodeNew(enc.Buffer, 0, len);
        Assert.Equal(NodeDiagnostics.MaxValue, decoder.Diagnostics.Get(NodeDiagnostics.UptimeSeconds));
        Assert.Equal(-(NodeDiagnostics.MaxValue + 1) / 2, decoder.Diagnostics.Get(NodeDiagnostics.RssiDbm));
    }

    [Fact]
    public void A_grid_point_past_2_pow_33_is_refused_even_when_jitter_brings_the_time_back()
    {
        // Two samples, interval 2^31, grid mode: q = 1023 puts the grid point 2^41 s later, a jitter of
        // -(2^41 - 100) brings the time back to t0 + 100. A decoder with unbounded integers and one with
        // 64-bit ones would part ways on larger products, so the spec bounds the grid point.
        var body = new byte[64];
        var coder = new BinaryCoder();
        coder.StartEncode(body, 0, body.Length);
        coder.Direct(1);
        coder.DirectBits(0, 6);
        coder.DirectBits(0, 6);
        var skip = new ResidualModel();
        var jitter = new ResidualModel();
        skip.Reset(0);
        jitter.Reset(0);
        skip.Code(coder, 1023);
        jitter.Code(coder, -((1L << 41) - 100));
        var side = new ContextSet(4);
        coder.Bit(side, 0, 0);  // not flagged
        coder.Bit(side, 1, 0);  // predictor previous
        coder.Bit(side, 3, 1);  // hint 0
        coder.DirectBits(0, 6); // first value 0
        var values = new ResidualModel();
        values.Reset(0);
        values.Code(coder, 0);
        int end = coder.FinishEncode();

        var p = new List<byte> { 0xC1, 0, 1, 1 };
        p.AddRange(BitConverter.GetBytes(1_000u));
        p.Add(2);
        p.AddRange(new byte[] { 0x80, 0x80, 0x80, 0x80, 0x08 }); // interval 2^31
        p.AddRange(new byte[] { 1, 1, 12 });
        p.AddRange(body[..end]);
        p.AddRange(new byte[4]);
        var e = Reject(Reseal(p.ToArray()));
        Assert.Equal("timestamp of sample 1 out of range", e.Reason);
    }
}
