using System.Collections.Concurrent;
using System.Diagnostics;
using CityNode.Hal;
using CityNode.Host.SimulatedHal;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace CityNode.Host.Mqtt;

/// <summary>
/// The host's <see cref="IUplink"/>: a real MQTT 5 client (MQTTnet) per node. Publishes are QoS 1;
/// PUBACKs and incoming messages are queued by MQTTnet's threads and handed to the node when it
/// polls, the way the device glue queues M2Mqtt's events. The node's clock is virtual: connecting
/// costs the modelled connect time, and waiting costs the time waited (capped in real time, so a
/// silent broker does not stall a simulation).
/// </summary>
public sealed class MqttNetUplink : IUplink, IDisposable
{
    private readonly BrokerAddress _broker;
    private readonly string _clientId;
    private readonly VirtualClock _clock;
    private readonly ConcurrentQueue<Action<IUplinkEvents>> _events = new();
    private readonly SemaphoreSlim _signal = new(0);
    private IMqttClient? _client;
    private int _nextHandle;

    public MqttNetUplink(BrokerAddress broker, string clientId, VirtualClock clock)
    {
        _broker = broker;
        _clientId = clientId;
        _clock = clock;
    }

    /// <summary>Modelled duration of Wi-Fi + TLS + MQTT CONNECT, charged to the node's clock.</summary>
    public int ConnectCostMs { get; set; } = 2500;

    /// <summary>Longest real wait per poll.</summary>
    public int RealWaitCapMs { get; set; } = 2000;

    /// <summary>Share of PUBACKs "lost" on the way back: the broker has the batch, the node does not know and sends it again later (a duplicate for the receiver).</summary>
    public double AckLossProbability { get; set; }

    /// <summary>When false, Connect fails as if Wi-Fi were down (an outage scenario).</summary>
    public Func<bool> NetworkUp { get; set; } = () => true;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public MqttClientTlsOptions? Tls { get; set; }

    public bool CleanStart { get; set; } = true;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>True when the last CONNACK said the broker kept the session.</summary>
    public bool SessionPresent { get; private set; }

    public int Rssi { get; set; } = -67;

    public bool IsConnected => _client?.IsConnected ?? false;

    /// <summary>Connections made and publishes started (for progress displays).</summary>
    public long Connections { get; private set; }

    public long Publishes { get; private set; }

    public long BytesPublished { get; private set; }

    public UplinkStatus Connect(int timeoutMs)
    {
        _clock.Delay(ConnectCostMs);
        if (!NetworkUp())
        {
            return UplinkStatus.NoNetwork;
        }

        Drop();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            var m = e.ApplicationMessage;
            byte[] payload = System.Buffers.BuffersExtensions.ToArray(m.Payload);
            string topic = m.Topic;
            Enqueue(ev => ev.OnMessage(topic, payload, 0, payload.Length));
            return Task.CompletedTask;
        };
        var builder = MqttClientSetup.Options(_broker, _clientId, Tls, Username, Password, CleanStart, KeepAlive)
            .WithTimeout(TimeSpan.FromMilliseconds(Math.Min(timeoutMs, 30000)));
        if (!CleanStart)
        {
            builder = builder.WithSessionExpiryInterval(86400);
        }

        try
        {
            var result = client.ConnectAsync(builder.Build()).GetAwaiter().GetResult();
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                client.Dispose();
                return Refusal(result.ResultCode.ToString());
            }

            SessionPresent = result.IsSessionPresent;
            _client = client;
            Connections++;
            return UplinkStatus.Ok;
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            // MQTTnet 5 reports a refused CONNACK as this exception; its message names the reason code.
            client.Dispose();
            return Refusal(e.Message + " " + e.InnerException?.Message);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or OperationCanceledException or TimeoutException or System.Net.Sockets.SocketException)
        {
            client.Dispose();
            return e is OperationCanceledException or TimeoutException or MQTTnet.Exceptions.MqttCommunicationTimedOutException ? UplinkStatus.Timeout : UplinkStatus.NoNetwork;
        }
    }

    private static UplinkStatus Refusal(string reason) =>
        reason.Contains("BadUserNameOrPassword", StringComparison.Ordinal) || reason.Contains("NotAuthorized", StringComparison.Ordinal)
            ? UplinkStatus.AuthFailed
            : UplinkStatus.Refused;

    public UplinkStatus Subscribe(string topic)
    {
        if (_client is not { IsConnected: true } c)
        {
            return UplinkStatus.NotConnected;
        }

        try
        {
            var options = new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(topic).WithAtLeastOnceQoS()).Build();
            // The device's client subscribes without blocking (SUBACK comes as an event); here a
            // short bound keeps a half-open link from stalling the node.
            using var cts = new CancellationTokenSource(2000);
            c.SubscribeAsync(options, cts.Token).GetAwaiter().GetResult();
            return UplinkStatus.Ok;
        }
        catch (Exception)
        {
            return UplinkStatus.Error;
        }
    }

    public int Publish(string topic, byte[] payload, int offset, int count)
    {
        if (_client is not { IsConnected: true } c)
        {
            return -(int)UplinkStatus.NotConnected;
        }

        int handle = Interlocked.Increment(ref _nextHandle);
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.AsSpan(offset, count).ToArray())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithContentType("application/vnd.citynode.batch")
            .Build();
        Publishes++;
        BytesPublished += count;
        c.PublishAsync(message).ContinueWith(t =>
        {
            if (t.IsCompletedSuccessfully && !(AckLossProbability > 0 && Random.Shared.NextDouble() < AckLossProbability))
            {
                var r = t.Result;
                Enqueue(ev => ev.OnPublished(handle, true, (int)r.ReasonCode));
            }
            else
            {
                Enqueue(ev => ev.OnPublished(handle, false, -1));
            }
        }, TaskScheduler.Default);
        return handle;
    }

    public void Poll(int timeoutMs, IUplinkEvents events)
    {
        var sw = Stopwatch.StartNew();
        bool got = _signal.Wait(Math.Max(0, Math.Min(timeoutMs, RealWaitCapMs)));
        _clock.Delay(got ? (int)sw.ElapsedMilliseconds : timeoutMs);
        if (got)
        {
            _signal.Release();
        }

        while (_events.TryDequeue(out var e))
        {
            _signal.Wait(0);
            e(events);
        }
    }

    public void Disconnect()
    {
        if (_client is { } c)
        {
            try
            {
                if (c.IsConnected)
                {
                    using var cts = new CancellationTokenSource(1000);
                    c.DisconnectAsync(new MqttClientDisconnectOptions(), cts.Token).GetAwaiter().GetResult();
                }
            }
            catch (Exception)
            {
                // Already gone: a clean disconnect was not possible, the broker will see the socket close.
            }
        }

        Drop();
    }

    public void Dispose() => Drop();

    private void Drop()
    {
        _client?.Dispose();
        _client = null;
    }

    private void Enqueue(Action<IUplinkEvents> e)
    {
        _events.Enqueue(e);
        _signal.Release();
    }
}
