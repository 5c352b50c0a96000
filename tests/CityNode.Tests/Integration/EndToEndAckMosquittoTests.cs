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
}
