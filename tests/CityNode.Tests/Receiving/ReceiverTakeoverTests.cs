using CityNode.Host.Mqtt;
using CityNode.Host.Receiving;
using Xunit;

namespace CityNode.Tests.Receiving;

/// <summary>A broker that says why it dropped us (MQTT 5 DISCONNECT 0x8E, as MQTTnet's server does) makes a takeover known at once (issue 14, item 3).</summary>
public sealed class ReceiverTakeoverTests
{
    [Fact]
    public async Task A_session_taken_over_is_known_from_the_brokers_reason()
    {
        await using var broker = await EmbeddedBroker.StartAsync();
        var first = new Receiver(BrokerAddress.Parse(broker.Url), new MemorySink(), clientId: "same-id");
        var second = new Receiver(BrokerAddress.Parse(broker.Url), new MemorySink(), clientId: "same-id");
        await first.StartAsync();
        Assert.False(first.TakenOver);

        await second.StartAsync();
        await Integration.TestPublisher.WaitUntil(() => first.TakenOver, TimeSpan.FromSeconds(10));

        Assert.True(first.TakenOver, $"first: connected {first.IsConnected}, last reason {first.LastDisconnectReason}");
        Assert.False(second.TakenOver);
        await first.DisposeAsync();
        await second.DisposeAsync();
    }
}
