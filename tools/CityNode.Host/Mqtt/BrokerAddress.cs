namespace CityNode.Host.Mqtt;

/// <summary>A broker URL: <c>mqtt://[user[:password]@]host[:port]</c> or <c>mqtts://...</c> (TLS, default port 8883).</summary>
public sealed record BrokerAddress(string Host, int Port, bool Tls, string? Username = null, string? Password = null)
{
    public static BrokerAddress Parse(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "mqtt" && uri.Scheme != "mqtts"))
        {
            throw new FormatException($"'{url}' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])");
        }

        bool tls = uri.Scheme == "mqtts";
        int port = uri.IsDefaultPort || uri.Port < 0 ? (tls ? 8883 : 1883) : uri.Port;
        string? user = null;
        string? password = null;
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            user = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : null;
        }

        return new BrokerAddress(uri.Host, port, tls, user, password);
    }

    /// <summary>The URL without credentials (safe to print).</summary>
    public override string ToString() => $"{(Tls ? "mqtts" : "mqtt")}://{Host}:{Port}";
}
