using CityNode.Config;
using CityNode.Host.Provisioning;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>configure checks what it sends by the node's rules, before connecting, and can take a key away again (issue 14 item 4).</summary>
[Collection("cli")]
public sealed class ConfigureValidationTests
{
    // Nothing listens on port 9 of the loopback: a value refused here was refused before any connection.
    private const string NoBroker = "mqtt://127.0.0.1:9";

    [Theory]
    [InlineData("sensors=bme280,nosuch", "configure: not sent: sensors=bme280,nosuch: no driver for 'nosuch' (known: bme280,")]
    [InlineData("sample=5s", "configure: not sent: sample=5s: 5s is outside 10s")]
    [InlineData("sample=", "configure: 'sample=': empty value; --unset sample removes the key")]
    [InlineData("calibration.tds=-1", "configure: not sent: calibration.tds=-1: '-1' is not a positive number")]
    [InlineData("calibration.ph=7.00:1500", "configure: not sent: calibration.ph=7.00:1500: needs 2 or 3 points")]
    public async Task A_bad_value_is_refused_before_connecting_naming_the_setting_and_the_rule(string setting, string message)
    {
        var (exit, stdout, err) = await CliRunner.Run("configure", "--broker", NoBroker, "--node", "42", setting);
        Assert.Equal(1, exit);
        Assert.StartsWith(message, err);
        Assert.DoesNotContain("cannot connect", err);
        Assert.Empty(stdout);
    }

    [Fact]
    public async Task With_the_nodes_config_a_sensor_it_does_not_have_is_refused()
    {
        string dir = Directory.CreateTempSubdirectory("citynode-configure-").FullName;
        try
        {
            Assert.Equal(0, (await CliRunner.Run("provision", "--board", "firebeetle-esp32e", "--node-id", "42", "--out", dir)).Exit);
            string conf = Path.Combine(dir, "citynode.conf");
            var (exit, _, err) = await CliRunner.Run("configure", "--broker", NoBroker, "--node", "42", "--config", conf, "sensors=bme280,ezo_ph");
            Assert.Equal(1, exit);
            Assert.Contains("sensors=bme280,ezo_ph: 'ezo_ph' is not wired on this node: no sensor.ezo_ph line (wired: bme280, sds011, scd41)", err);

            // Calibration the drivers would refuse at the next boot (so the node would not start) is refused before sending.
            var (e1, _, err1) = await CliRunner.Run("configure", "--broker", NoBroker, "--node", "42", "--config", conf, "calibration.tds=0");
            Assert.Equal(1, e1);
            Assert.Contains("calibration.tds=0: '0' is not a positive number", err1);

            var (e2, _, err2) = await CliRunner.Run("configure", "--broker", NoBroker, "--node", "43", "--config", conf, "sample=120s");
            Assert.Equal(1, e2);
            Assert.Contains("is node 42's config, not node 43's", err2);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    [Theory]
    [InlineData("--node", "abc", "--node 'abc': a node id is a whole number from 1 to 4294967295")]
    [InlineData("--node", "0", "--node '0': a node id is a whole number from 1 to 4294967295")]
    [InlineData("--timeout", "soon", "'soon' is not a duration")]
    public async Task Option_errors_name_the_value_and_rule_not_a_dotnet_type(string option, string value, string message)
    {
        string[] args = option == "--node" ? ["configure", "--broker", NoBroker, option, value, "sample=2m"] : ["configure", "--broker", NoBroker, "--node", "1", option, value, "sample=2m"];
        var (exit, stdout, err) = await CliRunner.Run(args);
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("System.", stdout + err);
    }

    [Fact]
    public void The_next_document_carries_the_current_settings_except_those_unset_or_equal_to_the_provisioned_file()
    {
        var change = ConfigChange.Parse(["publish=10m"], ["sample"]);
        string current = "config.version = 3\nsample = 120s\nlow_battery_mv = 3300\nsleep = deep\n";
        var provisioned = NodeConfig.Parse("node.id = 7\nconfig.version = 1\nsleep = deep\n");
        string next = change.NextDocument(current, provisioned, 4, out var carried);
        var doc = ConfigDocument.Parse(next);
        Assert.Equal("4", doc.Get("config.version"));
        Assert.Null(doc.Get("sample"));           // --unset: back to the provisioned value
        Assert.Null(doc.Get("sleep"));            // restates the provisioned file
        Assert.Equal("3300", doc.Get("low_battery_mv"));
        Assert.Equal("10m", doc.Get("publish"));
        Assert.Equal(["low_battery_mv=3300"], carried);

        // What the node makes of it: the unset key is the provisioned one again.
        var applied = provisioned.WithRemote(doc);
        Assert.Equal(60, applied.SampleSeconds);
        Assert.Equal(600, applied.PublishSeconds);
        Assert.Equal(3300, applied.LowBatteryMillivolts);
    }

    [Theory]
    [InlineData("mqtt.password", "--unset mqtt.password: not a key a remote configuration holds")]
    [InlineData("config.version", "--unset config.version: not a key a remote configuration holds")]
    [InlineData("publish", "--unset publish: also set to a value here")]
    public void Unset_takes_remote_keys_only(string key, string message)
    {
        var e = Assert.Throws<FormatException>(() => ConfigChange.Parse(["publish=10m"], [key]));
        Assert.StartsWith(message, e.Message);
    }

    [Fact]
    public void A_carried_value_the_node_would_refuse_is_named_as_carried()
    {
        var change = ConfigChange.Parse(["sample=2m"], []);
        string next = change.NextDocument("config.version = 2\nsensors = bme280,nosuch\n", null, 3, out _);
        var e = Assert.Throws<FormatException>(() => change.Validate(1, next, null));
        Assert.StartsWith("sensors=bme280,nosuch (carried from the current document; --unset sensors drops it): no driver for 'nosuch'", e.Message);
    }
}
