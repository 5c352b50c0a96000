using CityNode.Config;
using Xunit;

namespace CityNode.Tests.Config;

public class NodeConfigTests
{
    private const string Good = """
        # a lamp post on Union Street
        node.id = 17
        board = esp32-devkitc
        sample = 60s
        publish = 15m
        batch = 64
        early.pm2_5 = 25
        mqtt.broker = mqtts://broker.city.example:8883
        calibration.ph = 4.00:2030,7.00:1500,10.00:975
        """;

    [Fact]
    public void Parses_a_good_file()
    {
        var c = NodeConfig.Parse(Good);
        Assert.Equal(17u, c.NodeId);
        Assert.Equal(60, c.SampleSeconds);
        Assert.Equal(900, c.PublishSeconds);
        Assert.Equal(1, c.EarlyThresholdCount);
        Assert.Equal(25_000_000, c.EarlyMicro(0));
        Assert.Equal("citynode/17/up", c.TelemetryTopic);
        Assert.Equal("4.00:2030,7.00:1500,10.00:975", c.Calibration("ph"));
    }

    [Theory]
    [InlineData("node.id = 17\nsample = 5s", "line 2: sample: 5s is outside 10s..1d")]
    [InlineData("node.id = 17\nsample = soon", "line 2: sample: 'soon' is not a duration (examples: 60, 60s, 15m, 2h)")]
    [InlineData("node.id = 17\nsamples = 60", "line 2: samples: unknown key")]
    [InlineData("node.id = 17\nbatch = 0", "line 2: batch: '0' is not a whole number from 1 to 1024")]
    [InlineData("node.id = 17\n\nnode.id = 18", "line 3: node.id: set twice (first on line 1)")]
    [InlineData("node.id = 17\njust words", "line 2: expected 'key = value', found 'just words'")]
    [InlineData("sample = 60", "node.id: required (a number from 1 to 4294967295)")]
    [InlineData("node.id = 17\nsample = 10m\npublish = 5m", "line 3: publish: shorter than sample (10m)")]
    [InlineData("node.id = 17\nearly.pm3 = 5", "line 2: early.pm3: unknown channel 'pm3'")]
    [InlineData("node.id = 17\nmqtt.broker = http://x", "line 2: mqtt.broker: 'http://x' is not a broker URL (mqtt://host[:port] or mqtts://host[:port])")]
    [InlineData("node.id = 17\nwifi.ip = 10.0.300.1", "line 2: wifi.ip: '10.0.300.1' is not an IPv4 address")]
    [InlineData("node.id = 17\nSample = 60", "line 2: Sample: keys use lower-case letters, digits, '_', '.' and '-' only")]
    public void Errors_name_the_line_and_key(string text, string message)
    {
        var e = Assert.Throws<ConfigException>(() => NodeConfig.Parse(text));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Remote_config_may_change_behaviour_only()
    {
        var c = NodeConfig.Parse(Good);
        var next = c.WithRemote(ConfigDocument.Parse("config.version = 2\nsample = 300s\npublish = 30m"));
        Assert.Equal(300, next.SampleSeconds);
        Assert.Equal(17u, next.NodeId);
        Assert.Equal("mqtts://broker.city.example:8883", next.MqttBroker);

        var e = Assert.Throws<ConfigException>(() => c.WithRemote(ConfigDocument.Parse("config.version = 2\nmqtt.broker = mqtt://evil.example")));
        Assert.Equal("line 2: mqtt.broker: cannot be changed remotely (provisioning only)", e.Message);
        e = Assert.Throws<ConfigException>(() => c.WithRemote(ConfigDocument.Parse("config.version = 3\nsample = 1s")));
        Assert.Equal("line 2: sample: 1s is outside 10s..1d", e.Message);
        e = Assert.Throws<ConfigException>(() => next.WithRemote(ConfigDocument.Parse("config.version = 2\nsample = 60s")));
        Assert.Contains("not newer", e.Message);
    }

    [Theory]
    [InlineData("60", 60)]
    [InlineData("60s", 60)]
    [InlineData("15m", 900)]
    [InlineData("2h", 7200)]
    [InlineData("7d", 604800)]
    public void Durations(string text, long seconds)
    {
        Assert.True(ValueParser.TryDuration(text, out long s));
        Assert.Equal(seconds, s);
    }

    [Theory]
    [InlineData("7", 7_000_000)]
    [InlineData("-0.5", -500_000)]
    [InlineData("6.86", 6_860_000)]
    [InlineData("0.000001", 1)]
    public void Decimals_to_micro_units(string text, long micro)
    {
        Assert.True(ValueParser.TryMicro(text, out long v));
        Assert.Equal(micro, v);
        Assert.Equal(text, ValueParser.FormatMicro(v));
    }
}
