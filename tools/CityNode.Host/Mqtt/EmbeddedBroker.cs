using System.Net;
using System.Net.Sockets;
using CityNode.Telemetry;
using MQTTnet.Server;

namespace CityNode.Host.Mqtt;

/// <summary>
/// An in-process MQTT broker (MQTTnet) on a free loopback port, for the simulation and tests that
/// need no external mosquitto. Like mosquitto's default, it keeps no sessions or messages across a
/// restart (persistence off), so a restart can lose what it had acknowledged but not yet delivered.
/// </summary>
public sealed class EmbeddedBroker : IAsyncDisposable
{
    private MqttServer? _server;

    public int Port { get; private set; }

    public string Url => $"mqtt://127.0.0.1:{Port}";

    /// <summary>Times the broker was (re)started.</summary>
    public int Starts { get; private set; }

    /// <summary>PUBLISHes on node telemetry topics the broker accepted (and acknowledged).</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>When false, nodes (client ids "citynode-N") are refused with "server unavailable", as by a broker in maintenance.</summary>
    public bool AcceptNodes { get; set; } = true;

    /// <summary>Clients whose telemetry publishes are refused with PUBACK reason 0x87 (not authorized), as an ACL or quota does.</summary>
    public HashSet<string> RefusedPublishers { get; } = new();

    /// <summary>Clients whose subscriptions are refused (SUBACK 0x87).</summary>
    public HashSet<string> RefusedSubscribers { get; } = new();

    /// <summary>Node clients connected now.</summary>
    public int ConnectedNodes => Volatile.Read(ref _connectedNodes);

    private long _accepted;
    private int _connectedNodes;

    public static async Task<EmbeddedBroker> StartAsync(int port = 0)
    {
        var broker = new EmbeddedBroker { Port = port == 0 ? FreePort() : port };
        await broker.StartServerAsync();
        return broker;
    }

    /// <summary>Stops and starts again on the same port: every session and queued message is gone.</summary>
    public async Task RestartAsync()
    {
        await StopServerAsync();
        await StartServerAsync();
    }

    public async ValueTask DisposeAsync() => await StopServerAsync();

    public static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task StartServerAsync()
    {
        var factory = new MqttServerFactory();
        var options = factory.CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Loopback)
            .WithDefaultEndpointPort(Port)
            // Sessions outlive connections (in RAM, gone with a restart), as mosquitto with persistence off.
            .WithPersistentSessions(true)
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        _server = factory.CreateMqttServer(options);
        _server.ValidatingConnectionAsync += e =>
        {
            if (!AcceptNodes && IsNode(e.ClientId))
            {
                e.ReasonCode = MQTTnet.Protocol.MqttConnectReasonCode.ServerUnavailable;
            }

            return Task.CompletedTask;
        };
        _server.ClientConnectedAsync += e =>
        {
            if (IsNode(e.ClientId))
            {
                Interlocked.Increment(ref _connectedNodes);
            }

            return Task.CompletedTask;
        };
        _server.ClientDisconnectedAsync += e =>
        {
            if (IsNode(e.ClientId))
            {
                Interlocked.Decrement(ref _connectedNodes);
            }

            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += e =>
        {
            if (Topics.IsTelemetry(e.ApplicationMessage.Topic))
            {
                lock (RefusedPublishers)
                {
                    if (RefusedPublishers.Contains(e.ClientId))
                    {
                        e.ProcessPublish = false;
                        e.Response.ReasonCode = MQTTnet.Protocol.MqttPubAckReasonCode.NotAuthorized;
                        return Task.CompletedTask;
                    }
                }

                if (!AcceptNodes)
                {
                    // Going down: take nothing more. The connection closes without a PUBACK, so the
                    // node keeps the batch and sends it again after the restart.
                    e.ProcessPublish = false;
                    e.CloseConnection = true;
                    return Task.CompletedTask;
                }

                Interlocked.Increment(ref _accepted);
            }

            return Task.CompletedTask;
        };
        _server.InterceptingSubscriptionAsync += e =>
        {
            lock (RefusedSubscribers)
            {
                if (RefusedSubscribers.Contains(e.ClientId))
                {
                    e.ProcessSubscription = false;
                    e.Response.ReasonCode = MQTTnet.Protocol.MqttSubscribeReasonCode.NotAuthorized;
                }
            }

            return Task.CompletedTask;
        };
        await _server.StartAsync();
        Starts++;
    }

    private static bool IsNode(string clientId) => clientId.StartsWith("citynode-", StringComparison.Ordinal) && char.IsAsciiDigit(clientId[^1]) && !clientId.Contains("receiver", StringComparison.Ordinal);

    private async Task StopServerAsync()
    {
        if (_server is { } s)
        {
            _server = null;
            Interlocked.Exchange(ref _connectedNodes, 0);
            await s.StopAsync();
            s.Dispose();
        }
    }
}
