using System.Text;
using CityNode.Config;

namespace CityNode.Host.Provisioning;

/// <summary>
/// The node's key table (<see cref="ConfigKeys"/>) as the host tools and the docs show it: the
/// remote keys <c>citynode configure</c> lists, and the key list in docs/config-keys.md, which
/// ConfigKeyTableTests compares with <see cref="Markdown"/> (its failure prints the table to paste).
/// </summary>
public static class ConfigKeyTable
{
    /// <summary>Where the key list lives in the docs, between <see cref="Begin"/> and <see cref="End"/>.</summary>
    public const string DocsPath = "docs/config-keys.md";

    public const string Begin = "<!-- config-keys:begin: generated from firmware/CityNode.Core/Config/ConfigKeys.cs (ConfigKeyTableTests checks it) -->";
    public const string End = "<!-- config-keys:end -->";

    /// <summary>Keys a remote document may set, as written (a prefix with its '.').</summary>
    public static IReadOnlyList<string> RemoteNames() => ConfigKeys.All.Where(k => k.IsRemote).Select(k => k.Name).ToList();

    /// <summary>The remote keys for a message: <c>config.version, sample, ..., early., calibration., ...</c>.</summary>
    public static string RemoteList() => string.Join(", ", RemoteNames());

    /// <summary>The remote keys for help text, prefixes shown with what follows them (<c>early.&lt;channel&gt;</c>), config.version left out (citynode sets it).</summary>
    public static string RemoteHelp() => string.Join(", ", ConfigKeys.All.Where(k => k.IsRemote && k.Name != ConfigKeys.Name(ConfigKeys.Version))
        .Select(k => k.IsPrefix ? k.Name + (k.Kind == KeyKind.Threshold ? "<channel>" : "<...>") : k.Name));

    /// <summary>node.id's range as messages write it: "1 to 4294967295".</summary>
    public static string NodeIdRange => Range(ConfigKeys.All[ConfigKeys.NodeId]);

    /// <summary>A node id as node.id takes it (a whole number in its range), or null.</summary>
    public static uint? ParseNodeId(string text)
    {
        var k = ConfigKeys.All[ConfigKeys.NodeId];
        return ValueParser.TryInteger(text, k.Min, k.Max, out long id) ? (uint)id : null;
    }

    /// <summary>The accepted values of a row, as the docs write them.</summary>
    public static string Range(ConfigKey k) => k.Kind switch
    {
        KeyKind.Integer => $"{k.Min} to {k.Max}",
        KeyKind.Duration => $"{ValueParser.FormatDuration(k.Min)} to {ValueParser.FormatDuration(k.Max)}",
        KeyKind.Bool => "true, false",
        KeyKind.Choice => k.ChoiceList(),
        KeyKind.Text => $"{k.Min} to {k.Max} characters",
        KeyKind.Passphrase => "8 to 63 printable ASCII, or 64 hex digits",
        KeyKind.Address => "IPv4 a.b.c.d",
        KeyKind.Broker => $"mqtt:// or mqtts:// URL, {k.Min} to {k.Max} characters",
        KeyKind.NameList => "all, or names a-z 0-9 _ separated by ','",
        KeyKind.Threshold => $"a positive decimal; at most {k.Max} keys",
        _ => "checked by the driver",
    };

    public static string KindName(ConfigKey k) => k.Kind switch
    {
        KeyKind.NameList => "name list",
        KeyKind.Broker => "broker URL",
        _ => k.Kind.ToString().ToLowerInvariant(),
    };

    public static string ChangeName(ConfigKey k) => k.Change switch
    {
        ConfigKey.Remote => "remote",
        ConfigKey.RemoteAtRestart => "remote (at restart)",
        _ => "provisioning",
    };

    /// <summary>The key list as a Markdown table, one row per key of the table, in its order.</summary>
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("| key | kind | range | default | set by | unit | what it does |\n");
        sb.Append("|---|---|---|---|---|---|---|\n");
        foreach (var k in ConfigKeys.All)
        {
            string name = k.IsPrefix ? $"`{k.Name}*`" : $"`{k.Name}`";
            string def = k.DefaultAsWritten() is { } d ? $"`{d}`" : "";
            sb.Append(CultureInvariant($"| {name} | {KindName(k)} | {Range(k)} | {def} | {ChangeName(k)} | {k.Unit ?? ""} | {k.Doc.Replace("|", "\\|", StringComparison.Ordinal)} |\n"));
        }

        return sb.ToString();
    }

    /// <summary>The table as it stands in a docs file (between the markers), or null when the markers are missing.</summary>
    public static string? InDocs(string markdown)
    {
        int a = markdown.IndexOf(Begin, StringComparison.Ordinal);
        int b = markdown.IndexOf(End, StringComparison.Ordinal);
        return a < 0 || b < a ? null : markdown[(a + Begin.Length)..b].Trim('\n') + "\n";
    }

    private static string CultureInvariant(FormattableString s) => FormattableString.Invariant(s);
}
