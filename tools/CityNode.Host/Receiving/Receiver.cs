using System.Collections.Concurrent;
using CityNode.Config;
using CityNode.Host.Mqtt;
using CityNode.Telemetry;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using System.Threading.Channels;
using CityNode.Host.Provisioning;

namespace CityNode.Host.Receiving;

/// <summary>
/// The backend's receiver: subscribes to every node's telemetry topic (as a member of an MQTT 5
/// shared subscription when a group is given, so several receivers split the load), decodes each
/// payload, and hands batches to the store in groups (one transaction per group: a database
/// commit per batch would cap a city at a few hundred batches a second). The store drops
/// duplicates on (node, sequence): QoS 1 delivers at least once (MQTT 3.1.1 §4.3.2), and with
/// several receivers a redelivery may reach another one. A batch is acknowledged to the broker
/// only after its group is committed, so a receiver that crashes mid-write gets it again; if the
/// store fails the group is kept and retried. A payload that does not decode is logged with its
/// reason and acknowledged (it would never decode).
/// </summary>
public sealed class Receiver : IAsyncDisposable
{
    public static readonly string TelemetryFilter = Topics.AllNodes(Topics.TelemetryLeaf);

    private readonly BrokerAddress _broker;
    private readonly IBatchSink _sink;
    private readonly object _storeLock = new();
    private readonly Channel<Pending> _queue = Channel.CreateUnbounded<Pending>(new UnboundedChannelOptions { SingleReader = true });
    private volatile bool _closing;
    private Task? _writer;
    private IMqttClient? _client;
    private long _lastActivityTicks = Environment.TickCount64;
    private long _storeFailures;
    private long _uncommitted;
    private readonly Queue<long> _drops = new();

    public Receiver(BrokerAddress broker, IBatchSink sink, string? group = null, string? clientId = null)
    {
        _broker = broker;
        _sink = sink;
        Group = group;
        ClientId = clientId ?? "citynode-receiver-" + Guid.NewGuid().ToString("N")[..8];
    }

    public string? Group { get; }

    public string ClientId { get; }

    public ReceiverStats Stats { get; } = new();

    public string? Username { get; init; }

    public string? Password { get; init; }

    public MqttClientTlsOptions? Tls { get; init; }

    /// <summary>
    /// How long the broker keeps this receiver's session (and queues its messages) while it is
    /// away. Mind shared subscriptions: the broker goes on handing an absent member its share, so a
    /// receiver retired for good must reuse its client id once, or its share waits this long.
    /// </summary>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Why the broker last dropped the connection (e.g. SessionTakenOver: another receiver uses this client id).</summary>
    public MqttClientDisconnectReason? LastDisconnectReason { get; private set; }

    /// <summary>
    /// After each commit, publish to every node in it the backend's acknowledgement of what the
    /// database holds (retained, QoS 1, on citynode/ID/ack): nodes with delivery.ack = backend release
    /// a batch from flash only then (docs/reliability.md). Built from the database, never from this
    /// receiver's memory, so members of a group acknowledge what any of them stored and a receiver
    /// started afresh acknowledges what is there.
    /// </summary>
    public bool AcknowledgeNodes { get; init; } = true;

    /// <summary>Sequences below a node's newest that an acknowledgement looks back over.</summary>
    public const uint AckWindow = 4096;

    /// <summary>Acknowledgements published since start.</summary>
    public long AcknowledgementsPublished => Interlocked.Read(ref _acksPublished);

    private long _acksPublished;
    private bool _ackRefusalLogged;
    private readonly ConcurrentDictionary<uint, uint> _newest = new();

    /// <summary>Most batches committed in one store transaction.</summary>
    public int MaxBatchesPerWrite { get; init; } = 1000;

    /// <summary>Called with a line for each rejected payload or store failure (never with payload bytes or credentials).</summary>
    public Action<string>? Log { get; init; }

    public bool IsConnected => _client?.IsConnected ?? false;

    public string Filter => Group is null ? TelemetryFilter : $"$share/{Group}/{TelemetryFilter}";

    /// <summary>Batches received and not yet committed.</summary>
    public long Uncommitted => Interlocked.Read(ref _uncommitted);

    /// <summary>Store attempts that threw (each is retried).</summary>
    public long StoreFailures => Interlocked.Read(ref _storeFailures);

    /// <summary>Time since the last message arrived or was stored.</summary>
    public TimeSpan Idle => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastActivityTicks));

    public async Task StartAsync(CancellationToken ct = default)
    {
        _writer ??= Task.Run(WriteLoopAsync);
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += OnMessageAsync;
        client.DisconnectedAsync += e =>
        {
            if (e.ClientWasConnected && ReferenceEquals(client, _client))
            {
                LastDisconnectReason = e.Reason;
                if (e.Exception is null && !_closing)
                {
                    lock (_drops)
                    {
                        _drops.Enqueue(Environment.TickCount64); // the broker closed a working connection
                    }
                }
            }

            return Task.CompletedTask;
        };
        var builder = MqttClientSetup.Options(_broker, ClientId, Tls, Username, Password, cleanStart: false, keepAlive: TimeSpan.FromSeconds(30))
            .WithSessionExpiryInterval((uint)SessionExpiry.TotalSeconds)
            .WithReceiveMaximum(4 * 1000); // bounds the batches held unacknowledged in memory
        try
        {
            await BrokerConnection.ConnectAsync(client, builder.Build(), _broker, ct);
            // Nodes never retain telemetry: a retained message on an /up topic is a copy the broker
            // would hand us again at every SUBSCRIBE (each reconnect), not a node's publish.
            var sub = new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic(Filter).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                    .WithRetainHandling(MqttRetainHandling.DoNotSendOnSubscribe))
                .Build();
            _client = client;
            MqttClientSubscribeResult result;
            try
            {
                result = await client.SubscribeAsync(sub, ct);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw BrokerConnection.Unreachable(_broker, e);
            }

            foreach (var item in result.Items)
            {
                if ((int)item.ResultCode >= 0x80)
                {
                    throw new BrokerException($"the broker at {_broker} refused the subscription to {Filter}: {item.ResultCode} " +
                        $"(does the ACL let user '{Username ?? _broker.Username}' read {TelemetryFilter}?)");
                }
            }
        }
        catch (Exception)
        {
            _client = null;
            client.Dispose();
            throw;
        }
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        Interlocked.Exchange(ref _lastActivityTicks, Environment.TickCount64);
        e.AutoAcknowledge = false;
        if (_closing)
        {
            return; // not acknowledged: the broker keeps it for the next session
        }

        var batch = Decode(e.ApplicationMessage.Topic, System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload));
        if (batch is null)
        {
            await e.AcknowledgeAsync(CancellationToken.None);
            return;
        }

        // Acknowledged by the writer once committed; returning now lets the next message in.
        Interlocked.Increment(ref _uncommitted);
        _queue.Writer.TryWrite(new Pending(batch, e));
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

    /// <summary>Disconnects cleanly and keeps the session: the broker queues for it until <see cref="EnsureConnectedAsync"/>.</summary>
    public async Task PauseAsync()
    {
        var c = _client;
        _client = null;
        if (c is not null)
        {
            await c.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithSessionExpiryInterval((uint)SessionExpiry.TotalSeconds).Build());
            c.Dispose();
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

    /// <summary>Decodes, deduplicates and stores one payload at once (tests, and tools that read files).</summary>
    public void Handle(string topic, byte[] payload)
    {
        var batch = Decode(topic, payload);
        if (batch is not null)
        {
            Commit(new[] { batch });
        }
    }

    private ReceivedBatch? Decode(string topic, byte[] payload)
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
            return null;
        }

        if (Refusal(batch) is string why)
        {
            Stats.Reject(why);
            Log?.Invoke($"rejected payload on {topic}: {why}");
            return null;
        }

        if (!TopicMatches(topic, batch.NodeId))
        {
            Stats.Reject($"node {batch.NodeId} published on {topic}");
            Log?.Invoke($"rejected payload on {topic}: it says node {batch.NodeId}");
            return null;
        }

        return batch;
    }

    /// <summary>
    /// Why a batch that decodes (its CRC holds) still cannot be a node's: node id 0 (ids are
    /// 1 … 2³²−1, docs/payload.md), or a base time before the year a node's clock counts as set
    /// (<see cref="CityNode.Hal.RtcClock.ValidFromUnixMs"/>: a node does not sample until network time
    /// has set it, so an earlier time is a crafted payload, and SenML would read a "bt" of 0 as
    /// relative time). Null when the batch is acceptable.
    /// </summary>
    public static string? Refusal(ReceivedBatch batch)
    {
        if (batch.NodeId == 0)
        {
            return $"node id 0 (node ids are {ConfigKeyTable.NodeIdRange})";
        }

        long validFrom = CityNode.Hal.RtcClock.ValidFromUnixMs / 1000;
        if (batch.Samples.Count > 0 && batch.Samples.Times[0] < validFrom)
        {
            return $"base time {batch.Samples.Times[0]} is before {DateTimeOffset.FromUnixTimeSeconds(validFrom):yyyy-MM-dd} (a node's clock is set by network time before it samples)";
        }

        return null;
    }

    private void Commit(IReadOnlyList<ReceivedBatch> batches)
    {
        bool[] stored;
        lock (_storeLock)
        {
            stored = _sink.Store(batches);
        }

        for (int i = 0; i < stored.Length; i++)
        {
            if (stored[i])
            {
                Stats.Stored(batches[i]);
            }
            else
            {
                Stats.Duplicate();
            }
        }

        Interlocked.Exchange(ref _lastActivityTicks, Environment.TickCount64);
    }

    private async Task WriteLoopAsync()
    {
        var group = new List<Pending>(MaxBatchesPerWrite);
        var batches = new List<ReceivedBatch>(MaxBatchesPerWrite);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            while (group.Count < MaxBatchesPerWrite && reader.TryRead(out var p))
            {
                group.Add(p);
                batches.Add(p.Batch);
            }

            bool committed = false;
            for (int attempt = 1; !committed; attempt++)
            {
                try
                {
                    Commit(batches);
                    committed = true;
                }
                catch (Exception e)
                {
                    // Nothing is acknowledged, so nothing is lost if we die here; keep trying
                    // until stopped, then leave the group unacknowledged for the next session.
                    Interlocked.Increment(ref _storeFailures);
                    Log?.Invoke($"store failed ({batches.Count} batches kept, attempt {attempt}): {e.Message}");
                    if (_closing)
                    {
                        break;
                    }

                    await Task.Delay(Math.Min(100 * attempt, 5000));
                }
            }

            Interlocked.Add(ref _uncommitted, -group.Count);
            foreach (var p in group.Where(_ => committed))
            {
                if (p.Message is { } m)
                {
                    try
                    {
                        await m.AcknowledgeAsync(CancellationToken.None);
                    }
                    catch (Exception)
                    {
                        // The connection dropped: the broker redelivers, the store drops the duplicate.
                    }
                }
            }

            if (committed)
            {
                await AcknowledgeAsync(batches);
            }

            group.Clear();
            batches.Clear();
        }
    }

    /// <summary>Publishes each node of a committed group the stored ranges the database now holds for it.</summary>
    private async Task AcknowledgeAsync(IReadOnlyList<ReceivedBatch> batches)
    {
        if (!AcknowledgeNodes || _client is not { IsConnected: true } client)
        {
            return;
        }

        foreach (var node in batches.GroupBy(b => b.NodeId))
        {
            uint newest = _newest.AddOrUpdate(node.Key, _ => node.Max(b => b.Sequence), (_, n) => Math.Max(n, node.Max(b => b.Sequence)));
            IReadOnlyList<uint> stored;
            lock (_storeLock)
            {
                stored = _sink.StoredSequences(node.Key, newest > AckWindow ? newest - AckWindow : 1, (int)(2 * AckWindow));
            }

            if (StoredRanges.Format(stored) is not { } text)
            {
                continue;
            }

            try
            {
                var result = await client.PublishAsync(new MqttApplicationMessageBuilder()
                    .WithTopic(Topics.Ack(node.Key))
                    .WithPayload(System.Text.Encoding.ASCII.GetBytes(text))
                    .WithRetainFlag()
                    .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce)
                    .Build());
                if (result.ReasonCode is MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers)
                {
                    Interlocked.Increment(ref _acksPublished);
                }
                else if (!_ackRefusalLogged)
                {
                    _ackRefusalLogged = true;
                    Log?.Invoke($"the broker refused the acknowledgement on {Topics.Ack(node.Key)} ({result.ReasonCode}): the backend account needs write access to {Topics.AllNodes(Topics.AckLeaf)} (the ACL provision writes grants it); nodes with delivery.ack = backend keep their batches until then");
                }
            }
            catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or InvalidOperationException)
            {
                return; // the connection dropped: the next commit acknowledges again
            }
        }
    }

    private static bool TopicMatches(string topic, uint node) => topic == Topics.Telemetry(node);

    /// <summary>Commits what was received, acknowledges it, and disconnects.</summary>
    public async ValueTask DisposeAsync()
    {
        var c = _client;
        _client = null;
        _closing = true;
        _queue.Writer.TryComplete();
        if (_writer is not null)
        {
            await _writer;
        }

        if (c is not null)
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

    /// <summary>
    /// True when another client has taken over our session: the broker said so (MQTT 5 DISCONNECT
    /// 0x8E), or — mosquitto 2.0 just closes the socket of the client it takes over — it closed a
    /// working connection <see cref="TakeoverDrops"/> times within a minute although each
    /// reconnect succeeded at once (two receivers with one id kick each other off in turn).
    /// </summary>
    public bool TakenOver
    {
        get
        {
            if (LastDisconnectReason == MqttClientDisconnectReason.SessionTakenOver)
            {
                return true;
            }

            lock (_drops)
            {
                while (_drops.Count > 0 && Environment.TickCount64 - _drops.Peek() > 60_000)
                {
                    _drops.Dequeue();
                }

                return _drops.Count >= TakeoverDrops;
            }
        }
    }

    /// <summary>Broker-closed connections within a minute that count as a takeover.</summary>
    public int TakeoverDrops { get; init; } = 3;

    private readonly record struct Pending(ReceivedBatch Batch, MqttApplicationMessageReceivedEventArgs? Message);
}
