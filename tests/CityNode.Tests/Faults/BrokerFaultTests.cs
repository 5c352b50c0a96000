using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Host.Simulation;
using CityNode.Tests.Delivery;
using Xunit;

namespace CityNode.Tests.Faults;

/// <summary>Faults on the broker side and the link, with a real MQTT client and broker.</summary>
public class BrokerFaultTests
{
    [Fact]
    public async Task A_broker_crash_with_persistence_off_is_a_gap_the_receiver_detects_and_sizes()
    {
        await using var rig = await NodeRig.StartAsync();
        rig.RunFor(TimeSpan.FromHours(1));
        await rig.SettleAsync();
        long before = rig.Receiver.Stats.Readings;

        // The receiver is away; the broker acknowledges the node's batches and queues them for it…
        long produced = rig.Runtime.ProducedReadings;
        await rig.Receiver.PauseAsync();
        rig.RunFor(TimeSpan.FromHours(1));
        // …and crashes: sessions and queues were in RAM only.
        await rig.Broker.RestartAsync();
        await rig.Receiver.EnsureConnectedAsync();
        rig.RunFor(TimeSpan.FromHours(1));
        rig.Runtime.Flush();
        await rig.SettleAsync();
        produced = rig.Runtime.ProducedReadings;

        var track = rig.Receiver.Stats.Nodes[42];
        Assert.Equal(4, rig.Receiver.Stats.Gaps); // four batches acknowledged by the broker never arrived
        Assert.Equal(4, track.MissingSequences().Count);
        Assert.Equal(produced - rig.Receiver.Stats.Readings, track.Unaccounted); // the node's counters say exactly how many readings that was
        Assert.True(track.Unaccounted > 0);
        Assert.True(rig.Receiver.Stats.Readings > before);
    }

    [Fact]
    public async Task A_half_open_connection_is_caught_by_the_missing_puback_and_nothing_is_lost()
    {
        await using var rig = await NodeRig.StartAsync();
        using var proxy = new FreezingProxy(new Uri(rig.Broker.Url).Port);
        rig.UplinkUrl = proxy.Url;
        rig.Boot();
        long produced = rig.RunFor(TimeSpan.FromMinutes(20));

        rig.Uplink.RealWaitCapMs = 100; // a PUBACK from loopback takes < 100 ms: waiting longer for a dead link only slows the test
        proxy.HalfOpenNextSession = true; // the next session dies silently after CONNACK: no PUBACK, no PINGRESP, no FIN
        produced += rig.RunFor(TimeSpan.FromMinutes(20));
        Assert.Equal(1, proxy.HalfOpened);
        Assert.True(rig.Runtime.FailedDeliveries >= 1); // the missing PUBACK ended that session; the batch stayed and went again

        produced += rig.RunFor(TimeSpan.FromHours(1));
        rig.Runtime.Flush();
        await rig.SettleAsync();
        Assert.Equal(produced, rig.Receiver.Stats.Readings);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Reconnecting_with_or_without_a_session_delivers_everything_once(bool cleanStart)
    {
        await using var rig = await NodeRig.StartAsync();
        rig.CleanStart = cleanStart;
        rig.Boot();
        long produced = rig.RunFor(TimeSpan.FromMinutes(20));
        rig.Uplink.AckLossProbability = 1; // the broker stores, the PUBACKs are lost
        produced += rig.RunFor(TimeSpan.FromMinutes(15));
        rig.Uplink.AckLossProbability = 0;
        produced += rig.RunFor(TimeSpan.FromHours(1));
        rig.Runtime.Flush();
        await rig.SettleAsync();

        Assert.Equal(!cleanStart, rig.Uplink.SessionPresent);
        Assert.Equal(produced, rig.Receiver.Stats.Readings);
        Assert.True(rig.Receiver.Stats.DuplicatesSuppressed >= 1);
        Assert.Equal(0, rig.Receiver.Stats.Gaps);
    }

    /// <summary>
    /// A simulated broker restart takes the host wall time (drain, restart, republish) that nodes at
    /// full speed would live as hours; a real one is back within minutes. Nodes run on (refused) for
    /// BrokerFaults.MaxOutageMs of the city's time after the restart began, then the city waits for it.
    /// </summary>
    [Fact]
    public async Task A_broker_restart_holds_the_city_past_its_bound_until_the_broker_is_back()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var receiver = new Receiver(BrokerAddress.Parse(broker.Url), new MemorySink());
        await receiver.StartAsync();
        var back = new TaskCompletionSource();
        var faults = new BrokerFaults(broker, receiver) { Restarted = () => back.Task }; // the republish after it: held here
        const long at = 3_600_000;
        Assert.False(faults.HoldsCityAt(at + BrokerFaults.MaxOutageMs));
        faults.Restart(at);
        Assert.False(faults.HoldsCityAt(at + BrokerFaults.MaxOutageMs - 1));
        Assert.True(faults.HoldsCityAt(at + BrokerFaults.MaxOutageMs));
        await Task.Delay(200);
        Assert.False(faults.Idle);
        back.SetResult();
        await faults.Current.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(faults.HoldsCityAt(at + BrokerFaults.MaxOutageMs));
        Assert.Equal(1, faults.Restarts);
    }
}
