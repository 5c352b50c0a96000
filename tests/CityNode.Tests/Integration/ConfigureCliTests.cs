using System.Text.Json;
using CityNode.Host.Simulation;
using CityNode.Testing.Servers;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Integration;

/// <summary>citynode configure against simulated nodes on a real mosquitto: applied, refused, and the city run loses nothing.</summary>
[Collection("cli")]
public sealed class ConfigureCliTests : IDisposable
{
    private readonly LocalMosquitto _broker = new();

    [Fact]
    public async Task Configure_waits_for_the_node_to_apply_or_refuse()
    {
        // Two air nodes, up to 1800 virtual seconds per real second: a node connects every half second when the
        // machine keeps up. The city runs 8 h (≥ 16 s real) so that it outlives the three configure calls, each of
        // which waits for a node's next connection (a refusal is reported in the batch after it), also when the
        // whole suite loads both cores; a call waits up to a minute.
        var sim = new CitySimulation(new SimulationOptions { Nodes = 2, Duration = TimeSpan.FromHours(8), Broker = _broker.Url, Speed = 1800 });
        var run = Task.Run(() => sim.RunAsync());
        await Task.Delay(500);

        var (applied, output, err) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "1", "sample=120s", "publish=10m", "--timeout", "60s");
        Assert.True(applied == 0, output + err);
        Assert.Contains("published version 2 to citynode/1/config (retained)", output);
        Assert.Contains("node 1 applied version 2", output);

        // A second change keeps the first one's settings: the document carries them forward.
        var (again, output2, err2) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "1", "low_battery_mv=3300", "--timeout", "60s");
        Assert.True(again == 0, output2 + err2);
        Assert.Contains("sample = 120s", output2);
        Assert.Contains("config.version = 3", output2);

        // Valid alone, refused by the node: its sample interval (60 s) is longer than this publish.
        var (refused, output3, err3) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "2", "publish=30s", "--force", "--timeout", "60s");
        Assert.True(refused == 1, output3 + err3);
        Assert.Contains("node 2 refused version 2: line 2: publish: shorter than sample", output3);

        var summary = await run;
        Assert.Equal(0, summary.Lost);
        Assert.Equal(0, summary.Mismatched);
        Assert.Equal(120, sim.Nodes.Single(n => n.Id == 1).Config.SampleSeconds);
        Assert.Equal(3300, sim.Nodes.Single(n => n.Id == 1).Config.LowBatteryMillivolts);
        Assert.Equal(60, sim.Nodes.Single(n => n.Id == 2).Config.SampleSeconds);
    }

    [Fact]
    public async Task Configure_refuses_provisioning_keys_and_bad_values_before_sending()
    {
        var (e1, _, err1) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "1", "mqtt.password=x");
        Assert.Equal(1, e1);
        Assert.Contains("mqtt.password: cannot be changed remotely", err1);

        var (e2, _, err2) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "1", "sample=often");
        Assert.Equal(1, e2);
        Assert.Contains("not sent", err2);
        Assert.Contains("sample", err2);

        var (e3, _, err3) = await CliRunner.Run("configure", "--broker", _broker.Url, "--node", "1", "sample");
        Assert.Equal(1, e3);
        Assert.Contains("expected KEY=VALUE", err3);
    }

    [Fact]
    public async Task Simulate_reconfigures_every_node_and_reports_it()
    {
        var (exit, output, err) = await CliRunner.Run("simulate", "--nodes", "20", "--duration", "4h", "--reconfigure", "1h", "sample=300s", "--json");
        Assert.True(exit == 0, err);
        var s = JsonDocument.Parse(output).RootElement;
        Assert.Equal(20, s.GetProperty("config_applied").GetInt32());
        Assert.Equal(0, s.GetProperty("config_rejected").GetInt32());
        Assert.Equal(0, s.GetProperty("lost").GetInt64());

        var (exit2, output2, err2) = await CliRunner.Run("simulate", "--nodes", "4", "--duration", "3h", "--reconfigure", "1h", "sample=5s", "--json");
        Assert.True(exit2 == 0, err2);
        var r = JsonDocument.Parse(output2).RootElement;
        Assert.Equal(0, r.GetProperty("config_applied").GetInt32());
        Assert.Equal(4, r.GetProperty("config_rejected").GetInt32());
        Assert.Contains("sample: 5s is outside", r.GetProperty("config_reject_reason").GetString());
    }

    public void Dispose() => _broker.Dispose();
}
