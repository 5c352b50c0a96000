using System.Net;
using System.Net.Sockets;
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
            .WithPersistentSessions(false)
            .WithMaxPendingMessagesPerClient(100_000)
            .Build();
        _server = factory.CreateMqttServer(options);
        await _server.StartAsync();
        Starts++;
    }

    private async Task StopServerAsync()
    {
        if (_server is { } s)
        {
            _server = null;
            await s.StopAsync();
            s.Dispose();
        }
    }
}
