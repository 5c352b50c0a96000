using System.Net.Sockets;
using System.Security.Authentication;
using MQTTnet;

namespace CityNode.Host.Mqtt;

/// <summary>A broker refused us or could not be reached; the message says which broker, why, and what to check (never a password).</summary>
public sealed class BrokerException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// Connecting a host tool (receive, configure) to a broker, with every way it fails turned into a
/// <see cref="BrokerException"/> a user can act on. MQTTnet 5 returns a refused CONNACK as a result
/// (or throws MqttConnectingFailedException, depending on the path), and a later call on the
/// unconnected client fails with "The MQTT client is not connected": both are caught here.
/// </summary>
public static class BrokerConnection
{
    public static async Task<MqttClientConnectResult> ConnectAsync(IMqttClient client, MqttClientOptions options, BrokerAddress broker, CancellationToken ct)
    {
        MqttClientConnectResult result;
        try
        {
            result = await client.ConnectAsync(options, ct);
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException e)
        {
            throw new BrokerException(Refused(broker, e.Message), e);
        }
        catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw Unreachable(broker, e);
        }

        if (result.ResultCode != MqttClientConnectResultCode.Success)
        {
            throw new BrokerException(Refused(broker, result.ResultCode.ToString()));
        }

        return result;
    }

    /// <summary>The message for a CONNACK that refused us (mosquitto 2 answers a wrong password with NotAuthorized, 0x87).</summary>
    public static string Refused(BrokerAddress broker, string reason) =>
        reason.Contains(nameof(MqttClientConnectResultCode.NotAuthorized), StringComparison.Ordinal) ||
        reason.Contains(nameof(MqttClientConnectResultCode.BadUserNameOrPassword), StringComparison.Ordinal)
            ? $"not authorised: check the user/password for {broker}" +
                (broker.Username is null ? " (no user given: put it in the URL, mqtt://USER@host, and the password in --password-file or " + BrokerCredentials.PasswordVariable + ")" : $" (user '{broker.Username}')")
            : $"the broker at {broker} refused the connection: {reason}";

    /// <summary>The message for a broker that could not be reached (socket, TLS or timeout).</summary>
    public static BrokerException Unreachable(BrokerAddress broker, Exception e)
    {
        string where = $"{broker.Host}:{broker.Port}";
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            switch (x)
            {
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return new BrokerException($"no broker at {where}: connection refused (is the broker running, and is {broker.Port} its port?)", e);
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain }:
                    return new BrokerException($"no broker at {where}: host name '{broker.Host}' not found", e);
                case SocketException s:
                    return new BrokerException($"no broker at {where}: {s.Message}", e);
                case AuthenticationException a:
                    return new BrokerException($"TLS with {where} failed: {a.Message} (is the certificate signed by the --ca given, and issued for '{broker.Host}'?)", e);
                case MQTTnet.Exceptions.MqttCommunicationTimedOutException or TimeoutException or OperationCanceledException:
                    return new BrokerException($"no broker at {where}: no answer in time (a firewall, or not an MQTT port?)", e);
            }
        }

        return new BrokerException($"no broker at {where}: {e.Message}", e);
    }
}
