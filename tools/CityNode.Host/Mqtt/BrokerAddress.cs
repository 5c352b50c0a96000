using CityNode.Config;

namespace CityNode.Host.Mqtt;

/// <summary>
/// A broker URL: <c>mqtt://[user[:password]@]host[:port]</c> or <c>mqtts://...</c> (TLS, default port
/// 8883), parsed by the node's own parser (<see cref="BrokerUrl"/>); the host also takes credentials
/// in the URL (%-escaped, RFC 3986 §3.2.1), which a node config refuses.
/// </summary>
public sealed record BrokerAddress(string Host, int Port, bool Tls, string? Username = null, string? Password = null)
{
    public static BrokerAddress Parse(string url)
    {
        var parsed = BrokerUrl.Parse(url);
        if (parsed is null)
        {
            throw new FormatException($"'{url}' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])");
        }

        string? user = null;
        string? password = null;
        if (!string.IsNullOrEmpty(parsed.UserInfo))
        {
            var parts = parsed.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        return new BrokerAddress(parsed.Host, parsed.Port, parsed.Tls, user, password);
    }

    /// <summary>The URL without credentials (safe to print).</summary>
    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
