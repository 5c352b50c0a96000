using System.Text.Json;
using CityNode.Host.Simulation;
using CityNode.Testing.Servers;
using Xunit;

namespace CityNode.Tests.Cli;

/// <summary>simulate's input and verdict (issue 14 items 5, 6, 12).</summary>
[Collection("cli")]
public sealed class SimulateCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-simulate-cli-").FullName;

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("fast")]
    [InlineData("NaN")]
    public async Task A_speed_that_is_not_above_zero_is_refused(string speed)
    {
        var (exit, stdout, err) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "1h", "--speed", speed);
        Assert.Equal(1, exit);
        Assert.Contains($"--speed '{speed}': virtual seconds per real second, a number above 0", err);
        Assert.Contains("leave --speed out to run as fast as possible", err);
        Assert.DoesNotContain("System.", stdout + err);
    }

    [Theory]
    [InlineData("--nodes", "0", "--nodes '0': a whole number from 1 up")]
    [InlineData("--nodes", "many", "--nodes 'many': a whole number from 1 up")]
    [InlineData("--power-cuts", "-1", "--power-cuts '-1': a whole number from 0 up")]
    [InlineData("--sample", "5s", "--sample 5s: 5s is outside 10s..1d")]
    [InlineData("--duration", "0", "--duration 0s: simulated time must be above 0")]
    public async Task Counts_and_intervals_are_refused_with_their_rule(string option, string value, string message)
    {
        var (exit, _, err) = await CliRunner.Run(option == "--duration" ? ["simulate", option, value] : ["simulate", "--duration", "1h", option, value]);
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.DoesNotContain("internal error", err);
    }

    [Fact]
    public async Task A_publish_interval_shorter_than_the_sample_interval_is_refused_as_the_node_would()
    {
        var (exit, _, err) = await CliRunner.Run("simulate", "--duration", "1h", "--sample", "2h", "--publish", "1h");
        Assert.Equal(1, exit);
        Assert.Equal("--publish 1h: shorter than --sample (2h)", err.Trim());
    }

    [Fact]
    public async Task A_data_file_that_is_no_recording_is_refused_not_ignored()
    {
        string csv = Path.Combine(_dir, "weather.csv");
        File.WriteAllText(csv, "time,wind_ms\n2018-10-01T00:00:00Z,3.5\n2018-10-01T00:01:00Z,3.6\n");
        var (exit, _, err) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "1h", "--data", csv);
        Assert.Equal(1, exit);
        Assert.Contains($"--data {csv}: not a recording simulate replays: air needs the columns temperature_c", err);
        Assert.Contains("(it has wind_ms)", err);

        var (e2, _, err2) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "1h", "--data", "/etc/passwd");
        Assert.Equal(1, e2);
        Assert.StartsWith("simulate: --data /etc/passwd: not a CSV recording", err2);
        Assert.DoesNotContain("internal error", err2);
    }

    [Fact]
    public async Task A_data_file_is_used_by_its_columns_whatever_its_name()
    {
        string bundled = Path.Combine(AppContext.BaseDirectory, "data", "sensorcommunity_aberdeen_2018-10_slice.csv");
        string mine = Path.Combine(_dir, "my-street.csv");
        File.Copy(bundled, mine);
        var (exit, stdout, err) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "2h", "--data", mine, "--json");
        Assert.True(exit == 0, err);
        var data = JsonDocument.Parse(stdout).RootElement.GetProperty("data").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("my-street.csv", data);

        var (e2, _, err2) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "1h", "--kind", "water", "--data", mine);
        Assert.Equal(1, e2);
        Assert.Contains("an air recording, not replayed with --kind water", err2);
    }

    [Fact]
    public void Refused_publishes_fail_the_run_with_a_line_that_says_so()
    {
        var refused = new SimulationSummary { Produced = 240, DroppedCounted = 240, Delivered = 0, PublishesRefused = 4 };
        Assert.Equal(0, refused.Lost);
        Assert.Equal(["the broker refused 4 publishes for good (0 readings delivered); check its ACL and accounts (each node writes citynode/ID/up)"], refused.Failures());
        Assert.Empty(new SimulationSummary { Produced = 240, Delivered = 240 }.Failures());
        Assert.Contains("3 readings lost", new SimulationSummary { Produced = 240, Delivered = 237 }.Failures().Single());
    }

    [Fact]
    public async Task A_broker_that_refuses_every_publish_fails_the_run()
    {
        // An ACL that grants nothing: mosquitto answers each QoS 1 PUBLISH with PUBACK 0x87 (MQTT 5).
        string acl = Path.Combine(_dir, "acl");
        File.WriteAllText(acl, "# nothing granted\n");
        using var broker = new LocalMosquitto($"acl_file {acl}\n");

        // Nodes that see reason codes (the host uplink) quarantine the refused batches: counted, reported, a failed run.
        var summary = await new CitySimulation(new SimulationOptions
        {
            Nodes = 1, Duration = TimeSpan.FromHours(1), Broker = broker.Url, Firmware = SimulationOptions.HostAssembly,
        }).RunAsync();
        Assert.Equal(0, summary.Delivered);
        Assert.True(summary.PublishesRefused > 0, JsonSerializer.Serialize(summary));
        Assert.Contains(summary.Failures(), f => f.StartsWith("the broker refused", StringComparison.Ordinal));

        // The ESP32 program (M2Mqtt's blind PUBACK) cannot tell: its readings are lost, and the command fails.
        var (exit, _, err) = await CliRunner.Run("simulate", "--nodes", "1", "--duration", "1h", "--broker", broker.Url);
        Assert.NotEqual(0, exit);
        Assert.Contains("readings lost", err);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
