using System.Globalization;
using System.Net;

namespace CityNode.Serve;

/// <summary>What <c>citynode serve</c> runs with.</summary>
public sealed class ServeOptions
{
    public string? Database { get; set; }

    public string? Postgres { get; set; }

    /// <summary>ADDRESS:PORT to listen on (port 0: a free one).</summary>
    public string Listen { get; set; } = "127.0.0.1:8080";

    /// <summary>The operator's node registry (names, locations, site licence); absent file = no names yet.</summary>
    public string? Registry { get; set; }

    /// <summary>File holding the fleet token; without it the fleet view is refused to everyone.</summary>
    public string? FleetTokenFile { get; set; }

    /// <summary>Board profile whose currents turn reported phase times into charge (as <c>energy --board</c>).</summary>
    public string Board { get; set; } = "reference";

    /// <summary>Battery capacity in mAh (default: the board's).</summary>
    public int? CapacityMah { get; set; }

    /// <summary>The clock the fleet's silence alarm compares with (tests pin it).</summary>
    public Func<DateTimeOffset> Now { get; set; } = () => DateTimeOffset.UtcNow;

    /// <summary>Parses <c>--listen</c>: <c>127.0.0.1:8080</c>, <c>[::1]:8080</c>, <c>0.0.0.0:80</c>.</summary>
    public static IPEndPoint ParseListen(string text)
    {
        if (IPEndPoint.TryParse(text, out var ep) && text.Contains(':') && ep.Port is >= 0 and <= 65535 &&
            (ep.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6 || text.StartsWith('[')))
        {
            return ep;
        }

        throw new FormatException($"--listen '{text}': give ADDRESS:PORT, e.g. 127.0.0.1:8080 (loopback only) or 0.0.0.0:8080 (all interfaces); port 0 to 65535");
    }

    public static string Format(IPEndPoint ep) => ep.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? $"[{ep.Address}]:{ep.Port.ToString(CultureInfo.InvariantCulture)}"
        : $"{ep.Address}:{ep.Port.ToString(CultureInfo.InvariantCulture)}";
}
