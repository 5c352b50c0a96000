using CityNode.Telemetry;
using CityNode.Util;
using CsCheck;
using Xunit;

namespace CityNode.Tests.Telemetry;

/// <summary>Bad input ends in a <see cref="PayloadException"/> that names the offset and the reason; never a crash.</summary>
public class DecoderRejectsTests
{
    private static byte[] Valid(int samples = 32, int channels = 3)
    {
        var times = Enumerable.Range(0, samples).Select(i => 1_700_000_000L + 60 * i).ToArray();
        var values = Enumerable.Range(0, channels).Select(c => Enumerable.Range(0, samples).Select(i => c * 100 + i % 7).ToArray()).ToArray();
        var status = Enumerable.Range(0, channels).Select(_ => new byte[samples]).ToArray();
        var b = CodecRoundTripTests.Batch(times, values, status);
        var enc = new BatchEncoder(4096, samples);
        var d = new NodeDiagnostics();
        d.Set(NodeDiagnostics.BatteryMillivolts, 3700);
        int len = enc.Encode(b, 9, 3, d);
        return enc.Buffer[..len];
    }

    private static PayloadException Reject(byte[] payload) =>
        Assert.Throws<PayloadException>(() => new BatchDecoder().DecodeNew(payload, 0, payload.Length));

    /// <summary>Re-seals a hand-edited payload so the CRC passes and the field checks are what is tested.</summary>
    private static byte[] Reseal(byte[] p)
    {
        LittleEndian.WriteUInt32(p, p.Length - 4, Crc32C.Compute(p, 0, p.Length - 4));
        return p;
    }

    [Fact]
    public void Truncated() => Assert.Contains("truncated", Reject(Valid()[..10]).Message);

    [Fact]
    public void Every_truncation_is_rejected()
    {
        var p = Valid();
        for (int n = 0; n < p.Length; n++)
        {
            var e = Reject(p[..n]);
            Assert.InRange(e.Offset, 0, p.Length);
        }
    }

    [Fact]
    public void Wrong_crc_names_the_crc_offset()
    {
        var p = Valid();
        p[20] ^= 0x10;
        var e = Reject(p);
        Assert.Contains("CRC mismatch", e.Message);
        Assert.Equal(p.Length - 4, e.Offset);
    }

    [Fact]
    public void Unknown_version()
    {
        var p = Valid();
        p[0] = 0xC2;
        var e = Reject(Reseal(p));
        Assert.Equal("byte 0: unknown version 2 (this decoder reads version 1)", e.Message);
    }

    [Fact]
    public void Not_a_citynode_payload() => Assert.Contains("not a CityNode payload", Reject("{\"temp\": 21.5, \"humidity\": 40}"u8.ToArray()).Message);

    [Fact]
    public void Absurd_channel_count()
    {
        var p = Valid();
        // magic, flags, node (1), seq (1), time (4), count (1), interval (1): the channel count is byte 10.
        p[10] = 200;
        var e = Reject(Reseal(p));
        Assert.Equal(10, e.Offset);
        Assert.Contains("channel count 200", e.Message);
    }

    [Fact]
    public void Sample_count_the_payload_cannot_hold()
    {
        // A 40-byte payload that claims 65535 samples × 5 channels.
        var b = CodecRoundTripTests.Batch(new long[] { 1 }, Enumerable.Range(0, 5).Select(_ => new[] { 0 }).ToArray(), Enumerable.Range(0, 5).Select(_ => new byte[1]).ToArray());
        var enc = new BatchEncoder(256, 1);
        int len = enc.Encode(b, 1, 1, null);
        var p = enc.Buffer[..len].ToList();
        p.RemoveAt(8);
        p.InsertRange(8, new byte[] { 0xFF, 0xFF, 0x03 });
        var e = Reject(Reseal(p.ToArray()));
        Assert.Contains("more than a payload of", e.Message);
    }

    [Fact]
    public void Oversized() => Assert.Contains("oversized", Reject(new byte[BatchDecoder.MaxPayloadBytes + 1]).Message);

    [Fact]
    public void Garbage_with_a_valid_crc_never_crashes_and_stays_bounded()
    {
        // Random bodies behind a valid header and CRC: decoding either succeeds or names a reason.
        var header = Valid()[..16];
        Gen.Byte.Array[0, 400].Sample(body =>
        {
            var p = Reseal(header.Concat(body).Concat(new byte[4]).ToArray());
            try
            {
                var batch = new BatchDecoder().DecodeNew(p, 0, p.Length);
                Assert.InRange(batch.Count * batch.ChannelCount, 1, (long)p.Length * PayloadFormat.MaxReadingsPerByte);
            }
            catch (PayloadException e)
            {
                Assert.False(string.IsNullOrEmpty(e.Reason));
            }
        }, iter: 3000);
    }

    [Fact]
    public void Random_bytes_are_rejected_with_a_reason()
    {
        Gen.Byte.Array[0, 300].Sample(p =>
        {
            var e = Assert.Throws<PayloadException>(() => new BatchDecoder().DecodeNew(p, 0, p.Length));
            Assert.False(string.IsNullOrEmpty(e.Reason));
        }, iter: 3000);
    }
}
