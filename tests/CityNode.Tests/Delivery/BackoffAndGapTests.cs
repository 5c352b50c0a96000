using CityNode.Delivery;
using CityNode.Host.Receiving;
using CityNode.Tests.Receiving;
using Xunit;

namespace CityNode.Tests.Delivery;

public class BackoffAndGapTests
{
    [Fact]
    public void Backoff_doubles_to_its_cap_with_jitter_between_half_and_full()
    {
        var b = new Backoff(30, 3600, 17);
        long now = 1000;
        long expectedCeiling = 30;
        for (int i = 0; i < 12; i++)
        {
            int delay = b.Failed(now);
            Assert.InRange(delay, expectedCeiling / 2, expectedCeiling);
            Assert.False(b.Allows(now + delay - 1));
            Assert.True(b.Allows(now + delay));
            expectedCeiling = Math.Min(expectedCeiling * 2, 3600);
            now += delay;
        }

        b.Succeeded();
        Assert.True(b.Allows(now));
        Assert.Equal(0, b.Failures);
    }

    [Fact]
    public void Nodes_do_not_retry_in_lock_step()
    {
        // Two nodes that lost the broker at the same moment choose different delays.
        var delays = Enumerable.Range(1, 20).Select(id => new Backoff(30, 3600, (uint)id)).Select(b => { b.Failed(0); b.Failed(0); return b.Failed(0); }).ToList();
        Assert.True(delays.Distinct().Count() > 10, string.Join(",", delays));
    }

    [Fact]
    public void Receiver_reports_missing_sequences_per_node()
    {
        var sink = new MemorySink();
        var r = new Receiver(CityNode.Host.Mqtt.BrokerAddress.Parse("mqtt://127.0.0.1:1"), sink);
        foreach (uint seq in new uint[] { 5, 6, 9, 7, 6 })
        {
            r.Handle("citynode/3/up", TestPayloads.Simple(3, seq));
        }

        var track = r.Stats.Nodes[3];
        Assert.Equal(4, track.Batches);
        Assert.Equal(1, r.Stats.DuplicatesSuppressed);
        Assert.Equal(new uint[] { 8 }, track.MissingSequences());
        Assert.Equal(1, r.Stats.Gaps);
        Assert.Equal(1, r.Stats.OutOfOrder); // 7 after 9
    }

    [Fact]
    public void Receiver_rejects_a_payload_on_another_nodes_topic()
    {
        var r = new Receiver(CityNode.Host.Mqtt.BrokerAddress.Parse("mqtt://127.0.0.1:1"), new MemorySink());
        r.Handle("citynode/4/up", TestPayloads.Simple(3, 1));
        Assert.Equal(1, r.Stats.Rejected);
        Assert.Equal(0, r.Stats.Batches);
    }
}
