using CityNode.Host.Mqtt;
using MQTTnet;
using MQTTnet.Protocol;

namespace CityNode.Tests.Integration;

/// <summary>Publishes payloads at QoS 1 like a node would (each PUBACK awaited).</summary>
public static class TestPublisher
{
    public static async Task PublishAsync(int port, IEnumerable<(string Topic, byte[] Payload)> messages, string? user = null, string? password = null)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(MqttClientSetup.Loopback(port, "test-pub-" + Guid.NewGuid().ToString("N")[..6], user, password).Build());
        foreach (var (topic, payload) in messages)
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            if (!result.IsSuccess)
            {
                throw new InvalidOperationException($"publish to {topic} refused: {result.ReasonCode}");
            }
        }

        await client.DisconnectAsync();
    }

    /// <summary>Polls until the condition holds or the timeout passes (then the caller's assertions report what is wrong).</summary>
    public static async Task WaitUntil(Func<bool> condition, TimeSpan timeout)
    {
        var until = DateTime.UtcNow + timeout;
        while (!condition() && DateTime.UtcNow < until)
        {
            await Task.Delay(20);
        }
    }
}
