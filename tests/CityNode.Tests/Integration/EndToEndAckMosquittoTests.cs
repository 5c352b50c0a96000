using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Tests.Delivery;
using CityNode.Testing.Servers;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>
/// Issue 19 on a real mosquitto (persistence off, its default): batches the broker has PUBACKed sit
/// in the queue of a receiver that is away; mosquitto is killed with SIGKILL and started again on the
/// same port, empty. With delivery.ack = backend nothing is lost: the node still holds what the
/// backend never acknowledged and sends it again. With delivery.ack = broker those readings are gone.
/// </summary>
public class EndToEndAckMosquittoTests
{
    private static async Task<(long Produced, long Stored, long Drops, long Resent)> RunAsync(string ack)
    {
        var mosquitto = new LocalMosquitto();
        var rig = new NodeRig(extraConfig: $"delivery.ack = {ack}\ndelivery.resend = 30m\n") { UplinkUrl = mosquitto.Url };
        var address = BrokerAddress.Parse(mosquitto.Url);
        rig.Receiver = new Receiver(address, rig.Sink, clientId: "backend-e2e");
        try
        {
            await rig.Receiver.StartAsync();
            rig.Boot();
            long produced = rig.RunFor(TimeSpan.FromHours(1));
            await Settle(rig.Receiver, rig.Sink, produced);

            // The receiver is away (its session kept): mosquitto queues the node's batches for it.
            await rig.Receiver.PauseAsync();
            produced += rig.RunFor(TimeSpan.FromHours(1));
            Assert.True(rig.Uplink.Publishes > 0);
            mosquitto.Kill(); // SIGKILL: the queue and the retained acknowledgements die with it
            int port = mosquitto.Port;
            mosquitto.Dispose();
            mosquitto = new LocalMosquitto(port: port);
            await rig.Receiver.EnsureConnectedAsync();

            produced += rig.RunFor(TimeSpan.FromHours(3)); // past the resend time
            rig.Runtime.Flush();
            await Settle(rig.Receiver, rig.Sink, produced - rig.Journal.DroppedReadings);
            rig.Runtime.Flush(); // reads the acknowledgement of what the first flush sent
            long stored = rig.Sink.Batches.Sum(b => (long)b.ReadingCount);
            return (produced, stored, rig.Journal.DroppedReadings + rig.Runtime.Ring.DroppedReadings, rig.Runtime.Publisher.Resent);
        }
        finally
        {
            rig.Uplink?.Dispose();
            await rig.Receiver.DisposeAsync();
            mosquitto.Dispose();
        }
    }

    private static async Task Settle(Receiver receiver, MemorySink sink, long readings)
    {
        for (int i = 0; i < 400 && sink.Batches.Sum(b => (long)b.ReadingCount) < readings; i++)
        {
            await Task.Delay(25);
        }

        await Task.Delay(200); // the acknowledgement after the last commit
    }

    [Fact]
    public async Task Killed_broker_with_queued_batches_loses_nothing_with_backend_acknowledgement()
    {
        var r = await RunAsync("backend");
        Assert.True(r.Resent > 0, "the batches mosquitto lost were sent again");
        Assert.Equal(r.Produced, r.Stored + r.Drops);
    }

    [Fact]
    public async Task The_same_crash_loses_readings_when_the_puback_releases_them()
    {
        var r = await RunAsync("broker");
        Assert.True(r.Produced - r.Stored - r.Drops > 0, $"produced {r.Produced}, stored {r.Stored}: the queued batches died with mosquitto");
    }

    /// <summary>A database whose transactions fail while <see cref="Failing"/>: its receiver retries and never commits.</summary>
    private sealed class FlakyDatabase(MemorySink database) : IBatchSink
    {
        public volatile bool Failing = true;

        public bool[] Store(IReadOnlyList<ReceivedBatch> batches) => Failing ? throw new IOException("killed mid-commit") : database.Store(batches);

        public IReadOnlyList<uint> StoredSequences(uint node, uint from, int max) => database.StoredSequences(node, from, max);

        public void Dispose()
        {
        }
    }

    /// <summary>
    /// Two receivers share the node's batches (an MQTT 5 shared subscription) and one database; one of
    /// them dies in the middle of its commits (nothing committed, nothing acknowledged to the broker,
    /// whose session keeps its share) and is restarted, as a service manager does. No receiver
    /// acknowledged what was not committed, so the node kept those batches; between the broker's
    /// redelivery and the node's resend they are stored: lost 0, each reading once.
    /// </summary>
    [Fact]
    public async Task A_receiver_killed_mid_commit_loses_nothing_its_group_member_cannot_recover()
    {
        using var mosquitto = new LocalMosquitto();
        var address = BrokerAddress.Parse(mosquitto.Url);
        var rig = new NodeRig(extraConfig: "delivery.ack = backend\ndelivery.resend = 30m\n") { UplinkUrl = mosquitto.Url };
        var dying = new FlakyDatabase(rig.Sink);
        var a = new Receiver(address, dying, group: "g", clientId: "ra");
        rig.Receiver = new Receiver(address, rig.Sink, group: "g", clientId: "rb");
        try
        {
            await a.StartAsync();
            await rig.Receiver.StartAsync();
            rig.Boot();
            long produced = rig.RunFor(TimeSpan.FromHours(2));
            await TestPublisher.WaitUntil(() => a.StoreFailures > 0, TimeSpan.FromSeconds(5));
            Assert.True(a.StoreFailures > 0, "receiver a got a share and failed to commit it");
            await a.DisposeAsync(); // killed: its uncommitted share is neither stored nor acknowledged
            Assert.True(rig.Sink.Batches.Sum(b => (long)b.ReadingCount) < produced);
            a = new Receiver(address, rig.Sink, group: "g", clientId: "ra"); // restarted with a working database
            await a.StartAsync();

            produced += rig.RunFor(TimeSpan.FromHours(2)); // past the resend time
            rig.Runtime.Flush();
            await Settle(rig.Receiver, rig.Sink, produced);
            long stored = rig.Sink.Batches.Sum(b => (long)b.ReadingCount);
            Assert.True(rig.Runtime.Publisher.Resent > 0);
            Assert.Equal(produced, stored + rig.Journal.DroppedReadings + rig.Runtime.Ring.DroppedReadings);
        }
        finally
        {
            rig.Uplink?.Dispose();
            await a.DisposeAsync();
            await rig.Receiver.DisposeAsync();
        }
    }
}
