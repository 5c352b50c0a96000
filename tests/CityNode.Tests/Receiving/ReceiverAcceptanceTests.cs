using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using CityNode.Util;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>Payloads whose CRC holds but that no node sends are refused at the receiver, counted with their reason, never stored (issue 14, item 14).</summary>
public sealed class ReceiverAcceptanceTests
{
    private static (Receiver Receiver, MemorySink Sink) NewReceiver()
    {
        var sink = new MemorySink();
        return (new Receiver(BrokerAddress.Parse("mqtt://127.0.0.1:1"), sink), sink);
    }

    /// <summary>A payload for node 1 with its node id byte set to 0 and the CRC made right again: what a crafted payload looks like.</summary>
    private static byte[] NodeZero()
    {
        byte[] p = TestPayloads.Simple(1, 3);
        Assert.Equal(0x01, p[2]); // magic, flags, then the node id varint
        p[2] = 0x00;
        uint crc = Crc32C.Compute(p, 0, p.Length - 4);
        BitConverter.TryWriteBytes(p.AsSpan(p.Length - 4), crc);
        return p;
    }

    [Fact]
    public void Node_id_0_is_refused_with_its_reason()
    {
        var (r, sink) = NewReceiver();
        r.Handle("citynode/0/up", NodeZero());

        Assert.Empty(sink.Batches);
        Assert.Equal(1, r.Stats.Rejected);
        Assert.Contains("node id 0", r.Stats.LastRejection);
    }

    [Fact]
    public void Base_time_0_is_refused_with_its_reason()
    {
        var b = new SampleBatch(2, 1) { Count = 2, ChannelCount = 1 };
        b.Channels[0].Set(Channels.AirTemperature, Units.Celsius, 1, -2);
        b.Times[0] = 0;
        b.Times[1] = 60;
        var enc = new BatchEncoder(BatchEncoder.WorstCaseSize(2, 1) + 64, 2);
        byte[] payload = enc.Buffer[..enc.Encode(b, 9, 1, null)];

        var (r, sink) = NewReceiver();
        r.Handle("citynode/9/up", payload);

        Assert.Empty(sink.Batches);
        Assert.Equal(1, r.Stats.Rejected);
        Assert.Contains("base time 0 is before 2021-01-01", r.Stats.LastRejection);
    }

    [Fact]
    public void A_batch_of_a_node_with_a_set_clock_is_stored()
    {
        var (r, sink) = NewReceiver();
        r.Handle("citynode/1/up", TestPayloads.Simple(1, 3));

        Assert.Single(sink.Batches);
        Assert.Equal(0, r.Stats.Rejected);
    }
}
