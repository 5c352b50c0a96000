using System.Text;
using CityNode.Config;
using CityNode.Drivers.Registry;
using CityNode.Host.Mqtt;
using CityNode.Host.SimulatedHal;

namespace CityNode.Host.Provisioning;

/// <summary>
/// What <c>citynode configure</c> sends: the node's next retained config document. A node merges
/// each document over its provisioned file, not over the previous document
/// (<see cref="RemoteConfig.Apply"/>), so the next document carries the current one's settings
/// forward; <c>--unset KEY</c> leaves one out (the node goes back to its provisioned value), and
/// with the node's provisioned file at hand a carried value equal to it is left out as well.
/// Every value is checked by the node's own parser (<see cref="NodeConfig.WithRemote"/>) and the
/// sensor registry (<see cref="SensorWiring"/>) before anything is sent.
/// </summary>
public sealed class ConfigChange
{
    private ConfigChange(IReadOnlyList<(string Key, string Value)> settings, IReadOnlyList<string> unset)
    {
        Settings = settings;
        Unset = unset;
    }

    public IReadOnlyList<(string Key, string Value)> Settings { get; }

    public IReadOnlyList<string> Unset { get; }

    /// <summary><c>KEY=VALUE</c> arguments and <c>--unset KEY</c> names; only keys a node accepts remotely.</summary>
    public static ConfigChange Parse(IReadOnlyList<string> settings, IReadOnlyList<string> unset)
    {
        foreach (var s in settings)
        {
            var (key, value) = ConfigTopic.Split(s);
            if (value.Length == 0)
            {
                throw new FormatException($"'{s}': empty value; --unset {key} removes the key (the node goes back to its provisioned value)");
            }
        }

        var parsed = settings.Count == 0 ? [] : ConfigTopic.ParseSettings(settings);
        foreach (var key in unset)
        {
            if (key == "config.version" || !NodeConfig.IsRemoteKey(key))
            {
                throw new FormatException($"--unset {key}: not a key a remote configuration holds (remote keys: {ConfigKeyTable.RemoteList()})");
            }

            if (parsed.Any(p => p.Key == key))
            {
                throw new FormatException($"--unset {key}: also set to a value here; give one or the other");
            }
        }

        if (parsed.Count == 0 && unset.Count == 0)
        {
            throw new FormatException("give at least one KEY=VALUE or --unset KEY");
        }

        return new ConfigChange(parsed, unset);
    }

    /// <summary>
    /// The next document over the <paramref name="current"/> retained one: its settings, minus the
    /// unset keys and those equal to the <paramref name="provisioned"/> file's (when known), these over them.
    /// <paramref name="carried"/> lists what came from the current document.
    /// </summary>
    public string NextDocument(string? current, NodeConfig? provisioned, int version, out IReadOnlyList<string> carried)
    {
        var doc = new ConfigDocument();
        var kept = new List<string>();
        if (current is not null)
        {
            var old = ConfigDocument.Parse(current);
            for (int i = 0; i < old.Count; i++)
            {
                string key = old.Key(i);
                if (key == "config.version" || Unset.Contains(key) || Settings.Any(s => s.Key == key) ||
                    provisioned?.Document.Get(key) == old.Value(i))
                {
                    continue;
                }

                doc.Set(key, old.Value(i));
                kept.Add($"{key}={old.Value(i)}");
            }
        }

        foreach (var (k, v) in Settings)
        {
            doc.Set(k, v);
        }

        carried = kept;
        return new StringBuilder($"config.version = {version}\n").Append(doc.ToText()).ToString();
    }

    /// <summary>
    /// Checks a document as the node will (<see cref="NodeConfig.WithRemote"/> over its provisioned
    /// file), naming the KEY=VALUE at fault. Without the node's file, over a node with built-in
    /// defaults that has each listed sensor wired (its wiring is then the node's to check).
    /// </summary>
    public void Validate(uint node, string document, NodeConfig? provisioned)
    {
        var doc = ConfigDocument.Parse(document);
        try
        {
            SensorWiring.CheckSensorList(doc);
            var baseConfig = provisioned is null ? NodeConfig.Parse($"node.id = {node}\nconfig.version = 0\n" + AssumedWiring(doc)) : WithVersion(provisioned, 0);
            var candidate = baseConfig.WithRemote(doc);

            // The drivers read sensors and calibration at the node's next boot (SensorFactory): what they
            // would refuse there would keep the node from starting, so it is refused here.
            CheckCalibration(doc);
            if (provisioned is not null)
            {
                SensorFactory.Create(candidate, new SimBusProvider(new VirtualClock(0)));
            }
        }
        catch (ConfigException e)
        {
            string? value = e.Key is null ? null : doc.Get(e.Key);
            string which = e.Key is null ? "the document"
                : Settings.Any(s => s.Key == e.Key) ? $"{e.Key}={value}"
                : value is not null ? $"{e.Key}={value} (carried from the current document; --unset {e.Key} drops it)"
                : e.Key;
            throw new FormatException($"{which}: {e.Problem}");
        }
    }

    /// <summary>The node's provisioned file, given with <c>--config</c>: it must be this node's.</summary>
    public static NodeConfig LoadProvisioned(string path, uint node)
    {
        if (!File.Exists(path))
        {
            throw new FormatException($"--config {path}: no such file (the node's citynode.conf from provision --out)");
        }

        NodeConfig c;
        try
        {
            c = NodeConfig.Parse(File.ReadAllText(path));
        }
        catch (ConfigException e)
        {
            throw new FormatException($"--config {path}: {e.Message}");
        }

        if (c.NodeId != node)
        {
            throw new FormatException($"--config {path}: is node {c.NodeId}'s config, not node {node}'s");
        }

        return c;
    }

    // The version check is the node's against its running version (RemoteConfig.Apply); here only the values are judged.
    private static NodeConfig WithVersion(NodeConfig c, int version)
    {
        var d = new ConfigDocument();
        for (int i = 0; i < c.Document.Count; i++)
        {
            d.Set(c.Document.Key(i), c.Document.Key(i) == "config.version" ? version.ToString() : c.Document.Value(i));
        }

        return NodeConfig.Load(d);
    }

    /// <summary>Each calibration value through the driver that reads it, wired alone (whatever the node's wiring, a value is checked).</summary>
    private static void CheckCalibration(ConfigDocument doc)
    {
        for (int i = 0; i < doc.Count; i++)
        {
            // The sensor whose descriptor reads this calibration key.
            string key = doc.Key(i);
            var reader = SensorCatalog.All.FirstOrDefault(d => d.CalibrationKey is not null && key == "calibration." + d.CalibrationKey);
            if (reader is null)
            {
                continue;
            }

            var probe = new ConfigDocument();
            probe.Set("node.id", "1");
            probe.Set($"sensor.{reader.Name}", reader.DefaultPlacement);
            probe.Set(doc.Key(i), doc.Value(i));
            SensorFactory.Create(NodeConfig.Load(probe), new SimBusProvider(new VirtualClock(0)));
        }
    }

    private static string AssumedWiring(ConfigDocument doc)
    {
        string? list = doc.Get("sensors");
        if (list is null || list == "all")
        {
            return "";
        }

        return string.Concat(list.Split(',', StringSplitOptions.RemoveEmptyEntries).Distinct().Select(n => $"sensor.{n} = assumed\n"));
    }
}
