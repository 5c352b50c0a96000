using CityNode.Host.Mqtt;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CityNode.Host.Receiving;

/// <summary>
/// The backend's receiver: subscribes to every node's telemetry topic (as a member of an MQTT 5
/// shared subscription when a group is given, so several receivers split the load), decodes each
/// payload, drops duplicates on (node, sequence) — QoS 1 delivers at least once (MQTT 3.1.1
/// §4.3.2) — and stores the rest. A batch is acknowledged to the broker only after it is stored,
/// so a receiver that crashes mid-write gets it again. A payload that does not decode is logged
/// with its reason and acknowledged (it would never decode).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    public const string TelemetryFilter = "citynode/+/up";

    private readonly BrokerAddress _broker;
    private readonly IBatchSink _sink;
    private readonly HashSet<(uint, uint)> _known;
    private readonly object _lock = new();
    private IMqttClient? _client;

    public Receiver(BrokerAddress broker, IBatchSink sink, string? group = null, string? clientId = null)
    {
        _broker = broker;
        _sink = sink;
        Group = group;
        ClientId = clientId ?? "citynode-receiver-" + Guid.NewGuid().ToString("N")[..8];
        _known = new HashSet<(uint, uint)>(sink.KnownBatches());
    }

    public string? Group { get; }

    public string ClientId { get; }

    public ReceiverStats Stats { get; } = new();

    public string? Username { get; init; }

    public string? Password { get; init; }

    public MqttClientTlsOptions? Tls { get; init; }

    /// <summary>Called with a line for each rejected payload (never with payload bytes or credentials).</summary>
    public Action<string>? Log { get; init; }

    public bool IsConnected => _client?.IsConnected ?? false;

    public string Filter => Group is null ? TelemetryFilter : $"$share/{Group}/{TelemetryFilter}";

    public async Task StartAsync(CancellationToken ct = default)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += async e =>
        {
            e.AutoAcknowledge = false;
            Handle(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
            await e.AcknowledgeAsync(CancellationToken.None);
        };
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithClientId(ClientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval(7 * 86400)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30));
        string? user = Username ?? _broker.Username;
        if (user is not null)
        {
            builder = builder.WithCredentials(user, Password ?? _broker.Password);
        }

        if (Tls is not null)
        {
            builder = builder.WithTlsOptions(Tls);
        }

        await client.ConnectAsync(builder.Build(), ct);
        var sub = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(f => f.WithTopic(Filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce))
            .Build();
        await client.SubscribeAsync(sub, ct);
        _client = client;
    }

    /// <summary>Drops the connection and connects again (after a broker restart, whose sessions are gone).</summary>
    public async Task ReconnectAsync(CancellationToken ct = default)
    {
        var old = _client;
        _client = null;
        old?.Dispose();
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                await StartAsync(ct);
                return;
            }
            catch (Exception) when (attempt < 50)
            {
                await Task.Delay(100, ct);
            }
        }
    }

    /// <summary>Reconnects after the broker went away (restart, network).</summary>
    public async Task EnsureConnectedAsync(CancellationToken ct = default)
    {
        if (_client is { IsConnected: true })
        {
            return;
        }

        _client?.Dispose();
        _client = null;
        await StartAsync(ct);
    }

    /// <summary>Decodes, deduplicates and stores one payload (also used directly by tests).</summary>
    public void Handle(string topic, byte[] payload)
    {
        ReceivedBatch batch;
        try
        {
            batch = ReceivedBatch.Decode(payload, DateTimeOffset.UtcNow);
        }
        catch (PayloadException e)
        {
            Stats.Reject(e.Message);
            Log?.Invoke($"rejected payload on {topic} ({payload.Length} bytes): {e.Message}");
            return;
        }

        if (!TopicMatches(topic, batch.NodeId))
        {
            Stats.Reject($"node {batch.NodeId} published on {topic}");
            Log?.Invoke($"rejected payload on {topic}: it says node {batch.NodeId}");
            return;
        }

        lock (_lock)
        {
            if (!_known.Add((batch.NodeId, batch.Sequence)) || !_sink.Store(batch))
            {
                Stats.Duplicate();
                return;
            }

            Stats.Stored(batch);
        }
    }

    private static bool TopicMatches(string topic, uint node) => topic == $"citynode/{node}/up";

    public async ValueTask DisposeAsync()
    {
        if (_client is { } c)
        {
            try
            {
                if (c.IsConnected)
                {
                    await c.DisconnectAsync();
                }
            }
            catch (Exception)
            {
                // The broker is gone already.
            }

            c.Dispose();
        }
    }
}
