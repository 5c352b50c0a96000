using MQTTnet;
using MQTTnet.Formatter;

namespace CityNode.Host.Mqtt;

/// <summary>
/// The one way a host MQTT client's options are built (receive, configure, simulate's node uplinks
/// and its config publisher, tests): the broker's host and port, the client id, MQTT 5, credentials
/// (given ones, else the URL's), TLS (<see cref="MqttTls.For"/>), clean start and keep-alive. A
/// caller adds what is its own (session expiry, receive maximum, a connect timeout) to the builder.
/// </summary>
public static class MqttClientSetup
{
    /// <param name="cleanStart">False keeps the session at the broker across connections (MQTT 5 §3.1.2.4).</param>
    /// <param name="keepAlive">Null leaves MQTTnet's default.</param>
    public static MqttClientOptionsBuilder Options(
        BrokerAddress broker,
        string clientId,
        MqttClientTlsOptions? tls = null,
        string? username = null,
        string? password = null,
        bool cleanStart = true,
        TimeSpan? keepAlive = null)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(cleanStart);
        if (keepAlive is { } k)
        {
            builder = builder.WithKeepAlivePeriod(k);
        }

        string? user = username ?? broker.Username;
        if (user is not null)
        {
            builder = builder.WithCredentials(user, password ?? broker.Password);
        }

        return tls is null ? builder : builder.WithTlsOptions(tls);
    }

    /// <summary>For tests and tools on this machine: a broker on the loopback port, no TLS.</summary>
    public static MqttClientOptionsBuilder Loopback(int port, string clientId, string? username = null, string? password = null) =>
        Options(new BrokerAddress("127.0.0.1", port, false), clientId, username: username, password: password);
}
