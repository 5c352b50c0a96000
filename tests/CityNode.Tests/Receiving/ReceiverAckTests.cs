using System.Text;
using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using CityNode.Telemetry;
using CityNode.Tests.Integration;
using MQTTnet;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>
/// Issue 19, the backend's side: after a commit the receiver publishes, retained on citynode/ID/ack,
/// what the database holds of that node — the database's answer, never its own memory, so two
/// receivers sharing a group (and one database) acknowledge what either stored, and a receiver that
/// could not store acknowledges nothing.
/// </summary>
public class ReceiverAckTests
{
    /// <summary>The retained acknowledgement of a node, read as a node would at SUBSCRIBE.</summary>
    internal static async Task<string?> RetainedAck(int port, uint node)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        string? text = null;
        client.ApplicationMessageReceivedAsync += e =>
        {
            text = Encoding.ASCII.GetString(System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(MqttClientSetup.Loopback(port, "node-view-" + node).Build());
        await client.SubscribeAsync(Topics.Ack(node), MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce);
        await TestPublisher.WaitUntil(() => text is not null, TimeSpan.FromSeconds(2));
        await client.DisconnectAsync();
        return text;
    }

    [Fact]
    public async Task Two_receivers_of_a_group_acknowledge_what_the_shared_database_holds()
    {
        using var broker = new CityNode.Testing.Servers.LocalMosquitto(); // shared subscriptions: MQTTnet's server has none
        var database = new MemorySink(); // one database, two receivers
        await using var a = new Receiver(BrokerAddress.Parse(broker.Url), database, group: "g", clientId: "ra");
        await using var b = new Receiver(BrokerAddress.Parse(broker.Url), database, group: "g", clientId: "rb");
        await a.StartAsync();
        await b.StartAsync();
        await TestPublisher.PublishAsync(broker.Port, Enumerable.Range(1, 20).Where(s => s != 13).Select(s => ("citynode/5/up", TestPayloads.Simple(5, (uint)s))));
        await TestPublisher.WaitUntil(() => a.Stats.Batches + b.Stats.Batches == 19 && a.AcknowledgementsPublished + b.AcknowledgementsPublished > 0, TimeSpan.FromSeconds(10));
        Assert.True(a.Stats.Batches > 0 && b.Stats.Batches > 0, "the group shared the batches");

        // Each member publishes what the database holds after each of its commits (Stats counts a batch when
        // it arrives, the commit follows). Under load a view computed before the other member's commit can
        // reach the broker after it (retained: the last one wins) and stands until the node's next batch is
        // committed. So one more batch, sent once all the others arrived: the view after it is the database's
        // whole view, gap included, and it is what the node finally reads.
        await TestPublisher.PublishAsync(broker.Port, new[] { ("citynode/5/up", TestPayloads.Simple(5, 21)) });
        string? ack = null;
        for (var until = DateTime.UtcNow.AddSeconds(10); ack != "1-12,14-21" && DateTime.UtcNow < until; await Task.Delay(100))
        {
            ack = await RetainedAck(broker.Port, 5);
        }

        Assert.Equal("1-12,14-21", ack);
    }

    private sealed class BrokenDatabase : IBatchSink
    {
        public bool[] Store(IReadOnlyList<ReceivedBatch> batches) => throw new IOException("disk full");

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task A_receiver_that_cannot_store_acknowledges_nothing()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        await using var r = new Receiver(BrokerAddress.Parse(broker.Url), new BrokenDatabase(), clientId: "broken");
        await r.StartAsync();
        await TestPublisher.PublishAsync(broker.Port, new[] { ("citynode/6/up", TestPayloads.Simple(6, 1)) });
        await TestPublisher.WaitUntil(() => r.StoreFailures > 1, TimeSpan.FromSeconds(5));
        Assert.Equal(0, r.AcknowledgementsPublished);
        Assert.Null(await RetainedAck(broker.Port, 6));
    }
}

/// <summary>The acknowledgement is rebuilt from the database: a receiver started afresh acknowledges what the database holds, and only that.</summary>
public class ReceiverAckRebuildTests
{
    [Fact]
    public async Task A_receiver_started_afresh_acknowledges_what_the_database_holds_and_nothing_it_lost()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var database = new MemorySink();
        await using (var first = new Receiver(BrokerAddress.Parse(broker.Url), database, clientId: "r1"))
        {
            await first.StartAsync();
            await TestPublisher.PublishAsync(broker.Port, Enumerable.Range(1, 5).Select(s => ("citynode/8/up", TestPayloads.Simple(8, (uint)s))));
            await TestPublisher.WaitUntil(() => first.Stats.Batches == 5, TimeSpan.FromSeconds(5));
        }

        // A new receiver process on the same database: no memory of what the first stored.
        await using (var second = new Receiver(BrokerAddress.Parse(broker.Url), database, clientId: "r2"))
        {
            await second.StartAsync();
            await TestPublisher.PublishAsync(broker.Port, new[] { ("citynode/8/up", TestPayloads.Simple(8, 6)) });
            await TestPublisher.WaitUntil(() => second.AcknowledgementsPublished > 0, TimeSpan.FromSeconds(5));
        }

        Assert.Equal("1-6", await ReceiverAckTests.RetainedAck(broker.Port, 8));

        // The database is lost (restored from an older backup, or empty): what it lacks is not acknowledged,
        // so a node that still holds those batches keeps them and sends them again.
        await using var third = new Receiver(BrokerAddress.Parse(broker.Url), new MemorySink(), clientId: "r3");
        await third.StartAsync();
        await TestPublisher.PublishAsync(broker.Port, new[] { ("citynode/8/up", TestPayloads.Simple(8, 7)) });
        await TestPublisher.WaitUntil(() => third.AcknowledgementsPublished > 0, TimeSpan.FromSeconds(5));
        Assert.Equal("7-7", await ReceiverAckTests.RetainedAck(broker.Port, 8));
    }
}
