using System.Globalization;
using System.Text;

namespace CityNode.Host.Provisioning;

/// <summary>
/// The operator's node registry (<c>nodes.conf</c>): what a node is called and where it stands,
/// kept by the backend, not by the node; <c>node.ID.group</c> names the nodes <c>citynode ota --group</c> updates. Node ids stay numeric on the wire (payload header,
/// <c>citynode/ID/up</c>); a name and a place are for people, change without touching the node,
/// and cost the node no flash, RAM or airtime. Same <c>key = value</c> syntax as the node and board
/// files; <c>provision --name/--location</c> and <c>configure --name/--location</c> write it,
/// <c>serve --registry</c> reads it. Lines this class does not set (comments, <c>site.*</c>) are kept.
/// Design: docs/open-data.md.
/// </summary>
public sealed class NodeRegistry
{
    public const string DefaultFileName = "nodes.conf";

    private readonly List<string> _lines;

    private NodeRegistry(List<string> lines)
    {
        _lines = lines;
    }

    /// <summary>A node's entry: name and location may each be absent.</summary>
    public sealed record Entry(uint Node, string? Name, NodeLocation? Location);

    public static NodeRegistry Empty() => new(new List<string>
    {
        "# CityNode node registry: names and places of the nodes for the open-data pages (citynode serve --registry).",
        "# node.ID.name = Bridge Street lamp post 12",
        "# node.ID.location = LATITUDE,LONGITUDE[,street or site]   (WGS 84 decimal degrees)",
        "# site.title, site.licence, site.attribution: what the public pages show.",
    });

    /// <summary>Reads a registry; a missing file is an empty registry. Throws <see cref="FormatException"/> naming the line of a bad entry.</summary>
    public static NodeRegistry Load(string path) => File.Exists(path) ? Parse(File.ReadAllText(path), path) : Empty();

    public static NodeRegistry Parse(string text, string source = DefaultFileName)
    {
        var r = new NodeRegistry(text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n').ToList());
        _ = r.Entries(source); // validates every line
        return r;
    }

    /// <summary>Site-wide text settings (<c>site.title</c>, <c>site.licence</c>, <c>site.attribution</c>).</summary>
    public string? Site(string key) => Pairs().Where(p => p.Key == "site." + key).Select(p => p.Value).LastOrDefault();

    /// <summary>Every node with a name or a location, by id.</summary>
    public IReadOnlyDictionary<uint, Entry> Entries(string source = DefaultFileName)
    {
        var names = new Dictionary<uint, string>();
        var places = new Dictionary<uint, NodeLocation>();
        int lineNo = 0;
        foreach (string raw in _lines)
        {
            lineNo++;
            if (!TrySplit(raw, out string key, out string value) || !key.StartsWith("node.", StringComparison.Ordinal))
            {
                continue;
            }

            string[] parts = key.Split('.');
            if (parts.Length != 3 || !uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint id) || id == 0)
            {
                throw new FormatException($"{source} line {lineNo}: '{key}': expected node.ID.name or node.ID.location with ID a number from {ConfigKeyTable.NodeIdRange}");
            }

            switch (parts[2])
            {
                case "name":
                    names[id] = CheckName(value, $"{source} line {lineNo}: {key}");
                    break;
                case "location":
                    places[id] = NodeLocation.Parse(value, $"{source} line {lineNo}: {key}");
                    break;
                case "group":
                    CheckGroup(value, $"{source} line {lineNo}: {key}");
                    break;
                default:
                    throw new FormatException($"{source} line {lineNo}: '{key}': a node has only .name and .location here, and .group (the nodes citynode ota --group updates)");
            }
        }

        return names.Keys.Union(places.Keys).ToDictionary(id => id,
            id => new Entry(id, names.GetValueOrDefault(id), places.TryGetValue(id, out var l) ? l : null));
    }

    /// <summary>The nodes of a group (<c>node.ID.group = G</c> lines, the last line of a node wins), by id: whom <c>citynode ota --group G</c> updates.</summary>
    public IReadOnlyList<uint> Group(string group)
    {
        var of = new Dictionary<uint, string>();
        foreach (var (k, v) in Pairs())
        {
            string[] parts = k.Split('.');
            if (parts.Length == 3 && parts[0] == "node" && parts[2] == "group" && uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out uint id))
            {
                of[id] = v;
            }
        }

        return of.Where(p => p.Value == group).Select(p => p.Key).Order().ToList();
    }

    /// <summary>Sets (or replaces) a node's name and/or location; null leaves that field as it was.</summary>
    public void Set(uint node, string? name, NodeLocation? location)
    {
        if (name is not null)
        {
            SetKey($"node.{node}.name", CheckName(name, "--name"));
        }

        if (location is not null)
        {
            SetKey($"node.{node}.location", location.ToString());
        }
    }

    public override string ToString() => string.Join("\n", _lines) + "\n";

    public void Save(string path)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        // Written whole then renamed: serve may read it at any moment.
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, ToString(), new UTF8Encoding(false));
        File.Move(tmp, path, overwrite: true);
    }

    private void SetKey(string key, string value)
    {
        string line = $"{key} = {value}";
        int at = _lines.FindIndex(l => TrySplit(l, out string k, out _) && k == key);
        if (at >= 0)
        {
            _lines[at] = line;
        }
        else
        {
            _lines.Add(line);
        }
    }

    private IEnumerable<(string Key, string Value)> Pairs()
    {
        foreach (string l in _lines)
        {
            if (TrySplit(l, out string k, out string v))
            {
                yield return (k, v);
            }
        }
    }

    private static bool TrySplit(string line, out string key, out string value)
    {
        key = value = "";
        string t = line.Trim();
        int eq = t.IndexOf('=');
        if (t.Length == 0 || t[0] == '#' || eq <= 0)
        {
            return false;
        }

        key = t[..eq].Trim();
        value = t[(eq + 1)..].Trim();
        return true;
    }

    // A group is an OTA target name (CityNode.Ota.OtaManifest's rule), so one word.
    private static void CheckGroup(string group, string what)
    {
        if (group.Length == 0 || group.Length > CityNode.Ota.OtaManifest.MaxTargetLength || !group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new FormatException($"{what} '{group}': a group is 1 to {CityNode.Ota.OtaManifest.MaxTargetLength} letters, digits, '-' or '_'");
        }
    }

    private static string CheckName(string name, string what)
    {
        string n = name.Trim();
        if (n.Length is 0 or > 80 || n.Any(char.IsControl))
        {
            throw new FormatException($"{what} '{name}': a name is 1 to 80 characters on one line");
        }

        return n;
    }
}

/// <summary>Where a node stands: WGS 84 decimal degrees and an optional street or site label.</summary>
public sealed record NodeLocation(double Latitude, double Longitude, string? Label)
{
    /// <summary>Parses <c>LAT,LON[,label]</c> (the label may itself hold commas).</summary>
    public static NodeLocation Parse(string text, string what = "--location")
    {
        string[] p = text.Split(',', 3);
        const NumberStyles num = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite;
        if (p.Length < 2 || !double.TryParse(p[0], num, CultureInfo.InvariantCulture, out double lat) ||
            !double.TryParse(p[1], num, CultureInfo.InvariantCulture, out double lon))
        {
            throw new FormatException($"{what} '{text}': give LATITUDE,LONGITUDE[,street or site] in decimal degrees, e.g. 57.1497,-2.0943,Union Street");
        }

        if (lat is < -90 or > 90 || lon is < -180 or > 180)
        {
            throw new FormatException($"{what} '{text}': latitude must be within -90..90 and longitude within -180..180 (decimal degrees, latitude first)");
        }

        string? label = p.Length == 3 && p[2].Trim().Length > 0 ? p[2].Trim() : null;
        if (label is { Length: > 120 } || (label?.Any(char.IsControl) ?? false))
        {
            throw new FormatException($"{what}: the street or site label is at most 120 characters on one line");
        }

        return new NodeLocation(lat, lon, label);
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Latitude:0.######},{Longitude:0.######}") + (Label is null ? "" : "," + Label);
}
