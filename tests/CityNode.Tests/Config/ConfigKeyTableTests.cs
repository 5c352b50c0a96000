using CityNode.Config;
using CityNode.Host.Provisioning;
using Xunit;

namespace CityNode.Tests.Config;

/// <summary>
/// The key table (ConfigKeys) is the source of parsing, defaults, ranges, what a remote document may
/// set and the docs' key list: each is checked here against the table and, where the behaviour was
/// written by hand before, against that behaviour as literals.
/// </summary>
public class ConfigKeyTableTests
{
    // Keeps sample ≤ publish whatever one key is set to, so each key is judged by its own range.
    private const string Base = "node.id = 1\nsample = 10s\npublish = 1d\n";

    private static string Config(string key, string value) =>
        string.Concat(Base.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith(key + " ", StringComparison.Ordinal)).Select(l => l + "\n")) + $"{key} = {value}\n";

    /// <summary>A key a row stands for (a prefix row: one real key under it).</summary>
    private static string KeyOf(ConfigKey k) => k.Name switch
    {
        "early." => "early.pm2_5",
        "calibration." => "calibration.ph",
        "sensor." => "sensor.bme280",
        _ => k.IsPrefix ? throw new InvalidOperationException($"a key under {k.Name} for the tests") : k.Name,
    };

    /// <summary>A value the row accepts, written independently of the table's own defaults.</summary>
    private static string GoodValue(ConfigKey k) => k.Kind switch
    {
        KeyKind.Integer or KeyKind.Duration => k.Min.ToString(),
        KeyKind.Bool => "true",
        KeyKind.Choice => k.Choices.Split('|')[^1],
        KeyKind.Text => new string('a', (int)k.Min),
        KeyKind.Passphrase => "password",
        KeyKind.Address => "10.0.0.1",
        KeyKind.Broker => "mqtt://host",
        KeyKind.NameList => "all",
        KeyKind.Threshold => "5",
        _ => "i2c:0x76",
    };

    public static TheoryData<string> Keys() => new(ConfigKeys.All.Select(k => k.Name));

    private static ConfigKey Row(string name) => ConfigKeys.All.Single(k => k.Name == name);

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_key_parses_its_default_to_the_value_it_has_without_it(string name)
    {
        var k = Row(name);
        if (!k.HasDefault)
        {
            Assert.True(k.Name is "node.id" or "delivery.resend" || !k.IsNumber, $"{k.Name}: a number without a default");
            return;
        }

        int slot = Array.IndexOf(ConfigKeys.All, k);
        var without = NodeConfig.Parse("node.id = 1\n");
        var with = NodeConfig.Parse(Config(k.Name, k.DefaultAsWritten()!).Replace("sample = 10s\npublish = 1d\n", "", StringComparison.Ordinal));
        Assert.Equal(without.NumberAt(slot), with.NumberAt(slot));
        Assert.Equal(without.TextAt(slot), with.TextAt(slot));
    }

    [Fact]
    public void The_defaults_are_the_ones_the_node_always_had()
    {
        var c = NodeConfig.Parse("node.id = 1\n");
        Assert.Equal((60, 900, 64, 3400, 60, 0), (c.SampleSeconds, c.PublishSeconds, c.Batch, c.LowBatteryMillivolts, c.KeepAliveSeconds, c.Version));
        Assert.Equal(("auto", "all", "broker", false), (c.Sleep, c.Sensors, c.Ack, c.Bench));
        Assert.Equal(3 * 900, c.ResendSeconds);
        Assert.Null(c.MqttBroker);
        Assert.Null(c.WifiSsid);
    }

    public static TheoryData<string> Ranged() => new(ConfigKeys.All.Where(k => k.Kind is KeyKind.Integer or KeyKind.Duration).Select(k => k.Name));

    [Theory]
    [MemberData(nameof(Ranged))]
    public void A_number_keys_range_bounds_are_accepted_and_one_beyond_is_refused_naming_the_key(string name)
    {
        var k = Row(name);
        NodeConfig.Parse(Config(k.Name, k.Min.ToString()));
        NodeConfig.Parse(Config(k.Name, k.Max.ToString()));
        foreach (long outside in new[] { k.Min - 1, k.Max + 1 })
        {
            var e = Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config(k.Name, outside.ToString())));
            Assert.Equal(k.Name, e.Key);
            Assert.Matches($"^line [0-9]: {System.Text.RegularExpressions.Regex.Escape(k.Name)}: ", e.Message);
        }
    }

    public static TheoryData<string> Texts() => new(ConfigKeys.All.Where(k => k.Kind is KeyKind.Text).Select(k => k.Name));

    [Theory]
    [MemberData(nameof(Texts))]
    public void A_text_keys_length_bounds_are_accepted_and_one_beyond_is_refused_naming_the_key(string name)
    {
        var k = Row(name);
        Assert.Equal(new string('a', (int)k.Max), NodeConfig.Parse(Config(k.Name, new string('a', (int)k.Max))).TextAt(Array.IndexOf(ConfigKeys.All, k)));
        var e = Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config(k.Name, new string('a', (int)k.Max + 1))));
        Assert.Equal($"line 4: {k.Name}: must be 1 to {k.Max} characters", e.Message);
    }

    [Theory]
    [InlineData("sleep", "auto|light|deep", "'soon' is not auto, light or deep")]
    [InlineData("delivery.ack", "broker|backend", "'soon' is not broker or backend")]
    public void A_choice_takes_its_values_and_refuses_others_listing_them(string name, string values, string refusal)
    {
        Assert.Equal(values, Row(name).Choices);
        foreach (var v in values.Split('|'))
        {
            Assert.Equal(v, NodeConfig.Parse(Config(name, v)).TextAt(Array.IndexOf(ConfigKeys.All, Row(name))));
        }

        Assert.Equal($"line 4: {name}: {refusal}", Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config(name, "soon"))).Message);
    }

    [Theory]
    [InlineData("wifi.password", "1234567", "7 characters: a WPA2 passphrase has 8 to 63 (or the key as 64 hex digits)")]
    [InlineData("mqtt.broker", "mqtt://a", "'mqtt://a' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])")]
    [InlineData("mqtt.broker", "mqtt://u@host", "'mqtt://u@host' is not a broker URL (mqtt://host[:port] or mqtts://host[:port]; credentials go in mqtt.username and mqtt.password)")]
    [InlineData("mqtt.broker", "mqtt://host:0", "'mqtt://host:0' is not a broker URL (mqtt://host[:port] or mqtts://host[:port]; credentials go in mqtt.username and mqtt.password)")]
    [InlineData("wifi.dns", "10.0.0.256", "'10.0.0.256' is not an IPv4 address")]
    [InlineData("bench", "yes", "'yes': true or false")]
    [InlineData("sensors", "BME280", "sensor names use a-z, 0-9 and '_', separated by ',' without spaces")]
    [InlineData("early.pm2_5", "-1", "'-1' is not a positive number")]
    [InlineData("calibration.ph", "", "empty value")]
    public void Other_kinds_refuse_with_the_key_and_the_rule(string key, string value, string problem)
    {
        Assert.Equal($"line 4: {key}: {problem}", Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config(key, value))).Message);
    }

    [Fact]
    public void The_wpa_key_bounds_are_accepted()
    {
        foreach (var key in new[] { new string('p', 8), new string('p', 63), new string('a', 64) })
        {
            Assert.Equal(key, NodeConfig.Parse(Config("wifi.password", key)).WifiPassword);
        }

        Assert.Contains("wifi.password: 64 characters", Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config("wifi.password", new string('p', 64)))).Message);
    }

    [Fact]
    public void The_broker_url_bounds_are_accepted()
    {
        var k = Row("mqtt.broker");
        Assert.Equal("ab", NodeConfig.Parse(Config(k.Name, "mqtt://ab")).MqttHost);
        string longest = "mqtts://" + new string('h', (int)k.Max - 8);
        var c = NodeConfig.Parse(Config(k.Name, longest));
        Assert.Equal((8883, true), (c.MqttPort, c.MqttTls));
        Assert.Contains("is not a broker URL", Assert.Throws<ConfigException>(() => NodeConfig.Parse(Config(k.Name, longest + "h"))).Message);
    }

    [Theory]
    [MemberData(nameof(Keys))]
    public void A_remote_document_may_set_exactly_the_tables_remote_keys(string name)
    {
        var k = Row(name);
        var provisioned = NodeConfig.Parse(Base + "config.version = 1\n");
        string key = KeyOf(k);
        string doc = k.Name == "config.version" ? "config.version = 2\n" : $"config.version = 2\n{key} = {GoodValue(k)}\n";
        if (k.IsRemote)
        {
            Assert.Equal(2, provisioned.WithRemote(ConfigDocument.Parse(doc)).Version);
        }
        else
        {
            var e = Assert.Throws<ConfigException>(() => provisioned.WithRemote(ConfigDocument.Parse(doc)));
            Assert.Equal($"line 2: {key}: cannot be changed remotely (provisioning only)", e.Message);
        }

        Assert.Equal(k.IsRemote, NodeConfig.IsRemoteKey(key));
    }

    [Fact]
    public void The_remote_keys_are_the_ones_the_hand_written_list_held()
    {
        Assert.Equal(
            ["config.version", "sample", "publish", "batch", "sensors", "low_battery_mv", "sleep", "early.", "calibration.", "delivery.ack", "delivery.resend"],
            ConfigKeyTable.RemoteNames());
        Assert.Equal(["batch", "sensors", "calibration."], ConfigKeys.All.Where(k => k.Change == ConfigKey.RemoteAtRestart).Select(k => k.Name));
    }

    [Fact]
    public void Every_slot_constant_names_its_row()
    {
        var slots = typeof(ConfigKeys).GetFields().Where(f => f.IsLiteral && f.FieldType == typeof(int) && f.Name is not ("MinSampleSeconds" or "MaxIntervalSeconds" or "MaxBatch")).ToList();
        Assert.Equal(ConfigKeys.All.Length, slots.Count);
        Assert.Equal("sample", ConfigKeys.Name(ConfigKeys.Sample));
        Assert.Equal("mqtt.keepalive", ConfigKeys.Name(ConfigKeys.KeepAlive));
        Assert.Equal("bench", ConfigKeys.Name(ConfigKeys.Bench));
        Assert.Equal(slots.Count, slots.Select(f => (int)f.GetValue(null)!).Distinct().Count());
    }

    [Fact]
    public void The_docs_key_list_is_the_table()
    {
        string path = Path.Combine(Paths.Root, ConfigKeyTable.DocsPath);
        string? inDocs = ConfigKeyTable.InDocs(File.ReadAllText(path));
        string table = ConfigKeyTable.Markdown();
        Assert.True(inDocs == table, $"{ConfigKeyTable.DocsPath} differs from the key table; put this between its markers:\n{table}");
        Assert.Equal(ConfigKeys.All.Length, table.Split('\n').Count(l => l.StartsWith("| `", StringComparison.Ordinal)));
    }
}
