using System.Text;
using CityNode.Config;
using CityNode.Delivery;
using CityNode.Host.Receiving;
using CityNode.Tests.Faults;
using Xunit;

namespace CityNode.Tests.Delivery;

/// <summary>
/// Issue 19, the node's side: with delivery.ack = backend a batch leaves flash only when the
/// backend's acknowledgement covers it; a PUBACK followed by the broker losing the message (a crash
/// with persistence off) costs a resend, not the readings. The same fates with delivery.ack = broker
/// lose readings: the gain, measured.
/// </summary>
public class EndToEndAckTests
{
    private static byte[]? AckFrom(FaultRig rig) =>
        StoredRanges.Format(rig.Sink.Batches.Where(b => b.NodeId == 7).Select(b => b.Sequence)) is { } text ? Encoding.ASCII.GetBytes(text) : null;

    /// <summary>A rig whose broker PUBACKs every publish but loses publishes 3..12 (two sessions' worth) before the backend has them.</summary>
    private static FaultRig Rig(string ack)
    {
        var rig = new FaultRig(extraConfig: $"delivery.ack = {ack}\ndelivery.resend = 45m\n");
        rig.Uplink.Fate = n => n is >= 3 and <= 12 ? PublishFate.AckLost : PublishFate.Ack;
        rig.Uplink.Retained = topic => topic == "citynode/7/ack" ? AckFrom(rig) : null;
        return rig;
    }

    [Fact]
    public void Batches_the_broker_lost_after_its_PUBACK_are_sent_again_and_nothing_is_lost()
    {
        var rig = Rig("backend");
        rig.RunFor(TimeSpan.FromHours(8));
        Assert.Contains("citynode/7/ack", rig.Uplink.Subscriptions);
        Assert.True(rig.Runtime.Publisher.Resent > 0, "the lost batches were sent again");
        rig.Clock.Advance(3_600_000); // past the resend time: whatever is still unacknowledged goes again
        rig.Drain();
        rig.Drain(); // the second session reads the acknowledgement of the first
        Assert.Equal(0, rig.Store.PendingCount);
        rig.Reconcile(); // produced = stored once + counted drops
        Assert.Equal(0, rig.CountedDrops);
    }

    [Fact]
    public void With_the_broker_acknowledging_the_same_losses_cost_readings()
    {
        var rig = Rig("broker");
        rig.RunFor(TimeSpan.FromHours(8));
        rig.Drain();
        Assert.Equal(0, rig.Store.PendingCount);
        long lost = rig.Produced - (rig.Receiver.Stats.Readings + rig.CountedDrops);
        Assert.True(lost > 0, "the PUBACKed batches the broker lost are gone");
        Assert.DoesNotContain("citynode/7/ack", rig.Uplink.Subscriptions);
    }

    [Fact]
    public void A_node_sends_each_batch_once_when_the_backend_keeps_up_and_holds_only_the_last_sessions_batches()
    {
        var rig = new FaultRig(extraConfig: "delivery.ack = backend\n");
        rig.Uplink.Retained = topic => topic == "citynode/7/ack" ? AckFrom(rig) : null;
        rig.RunFor(TimeSpan.FromHours(12));
        Assert.Equal(0, rig.Runtime.Publisher.Resent);
        Assert.Equal(0, rig.Receiver.Stats.DuplicatesSuppressed); // nothing sent twice
        Assert.True(rig.Store.PendingCount <= 1, $"{rig.Store.PendingCount} batches held: each session's ack releases the previous session's");
        Assert.True(rig.Runtime.Publisher.BackendAcknowledged > 0);
    }

    [Fact]
    public void Waiting_batches_survive_a_deep_sleep_without_being_sent_again()
    {
        var rig = new FaultRig(extraConfig: "delivery.ack = backend\nsleep = deep\n");
        rig.Uplink.Retained = _ => null; // the backend never acknowledges (down)
        rig.RunFor(TimeSpan.FromHours(2));
        int publishes = rig.Uplink.Publishes;
        Assert.True(rig.Store.PendingCount > 0);
        Assert.True(rig.Runtime.Publisher.AwaitingBackend > 0, "restored after the deep-sleep wakes");
        rig.RunFor(TimeSpan.FromMinutes(20)); // within the resend time (3 publish windows): only new batches go out
        Assert.True(rig.Uplink.Publishes - publishes <= 2, $"{rig.Uplink.Publishes - publishes} publishes: the waiting batches were sent again early");
    }

    [Theory]
    [InlineData("1-5", new uint[] { 1, 5 }, new uint[] { 0, 6 })]
    [InlineData("1-5,7-7,9-4294967295", new uint[] { 3, 7, 9, 4294967295 }, new uint[] { 6, 8 })]
    public void The_acknowledgement_covers_its_ranges_only(string text, uint[] covered, uint[] not)
    {
        var ack = new BackendAck();
        Assert.True(ack.Parse(Encoding.ASCII.GetBytes(text), 0, text.Length));
        Assert.All(covered, s => Assert.True(ack.Covers(s)));
        Assert.All(not, s => Assert.False(ack.Covers(s)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5-")]
    [InlineData("5-3")]
    [InlineData("0-3")]
    [InlineData("1-3,3-5")] // overlapping
    [InlineData("4-5,1-2")] // descending
    [InlineData("1-3,")]
    [InlineData("1-3;4-5")]
    [InlineData("1-4294967296")] // past uint32
    [InlineData("1-99999999999")]
    [InlineData("1-1,3-3,5-5,7-7,9-9,11-11,13-13,15-15,17-17,19-19,21-21,23-23,25-25,27-27,29-29,31-31,33-33")] // 17 ranges
    public void A_malformed_acknowledgement_releases_nothing(string text)
    {
        var ack = new BackendAck();
        Assert.False(ack.Parse(Encoding.ASCII.GetBytes(text), 0, text.Length));
        Assert.False(ack.Covers(1));
    }

    [Fact]
    public void Stored_ranges_keep_the_newest_when_there_are_too_many()
    {
        Assert.Equal("1-3,5-5", StoredRanges.Format(new uint[] { 5, 3, 1, 2, 2 }));
        var odd = Enumerable.Range(0, 40).Select(i => (uint)(2 * i + 1)).ToArray(); // 40 single ranges
        string text = StoredRanges.Format(odd)!;
        var ack = new BackendAck();
        Assert.True(ack.Parse(Encoding.ASCII.GetBytes(text), 0, text.Length));
        Assert.Equal(BackendAck.MaxRanges, ack.Count);
        Assert.True(ack.Covers(79));
        Assert.False(ack.Covers(1));
        Assert.Null(StoredRanges.Format(Array.Empty<uint>()));
    }

    [Fact]
    public void The_ack_mode_is_a_remote_key_and_refuses_what_it_does_not_know()
    {
        Assert.True(NodeConfig.Parse("node.id = 1\ndelivery.ack = backend\n").BackendAck);
        Assert.False(NodeConfig.Parse("node.id = 1\n").BackendAck); // nodes and backends before it: the PUBACK releases
        Assert.Equal(3 * 900, NodeConfig.Parse("node.id = 1\npublish = 15m\n").ResendSeconds);
        Assert.Contains("delivery.ack", Assert.Throws<ConfigException>(() => NodeConfig.Parse("node.id = 1\ndelivery.ack = maybe\n")).Message);
        Assert.True(NodeConfig.IsRemoteKey("delivery.ack"));
    }
}
