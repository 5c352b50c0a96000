namespace CityNode.NanoTwin;

/// <summary>A Wi-Fi access point in range of the board.</summary>
public sealed record AccessPoint(string Ssid, string Password, int Rssi = -67);

/// <summary>
/// The radio world around a board: the access points in range, whether the uplink works now (an
/// outage), where broker host names resolve, and faults on the way back (lost PUBACKs).
/// </summary>
public sealed class TwinNetwork
{
    public List<AccessPoint> AccessPoints { get; } = new();

    /// <summary>False during an outage: association fails (no beacon), an open TCP connection stops carrying data.</summary>
    public Func<bool> Up { get; set; } = () => true;

    /// <summary>Host names the DNS server knows; an IP literal needs no lookup.</summary>
    public Dictionary<string, string> Dns { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Share of PUBACKs lost on the way back (the broker has the message; the client does not know).</summary>
    public double AckLossProbability { get; set; }

    public Random Random { get; set; } = new(1);
}

public sealed partial class TwinBoard
{
    public TwinNetwork Network { get; } = new();
}
