using System.Text.Json;
using CityNode.Host.Reports;
using CityNode.Telemetry;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Power;

/// <summary>citynode energy's workload (issue 14 items 1 and 18): the board's own sensors by default, --from independent of --config, inputs refused before any run.</summary>
[Collection("cli")]
public sealed class EnergyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("citynode-energy-cli-").FullName;

    private static string[] Sensors(JsonElement r) => r.GetProperty("sensors").EnumerateArray().Select(s => s.GetString()!).ToArray();

    [Fact]
    public async Task Without_config_or_channels_the_boards_own_sensors_are_the_workload_and_channels_overrides_them()
    {
        var (exit, output, err) = await CliRunner.Run("energy", "--board", "firebeetle-esp32e", "--json");
        Assert.True(exit == 0, err);
        var r = JsonDocument.Parse(output).RootElement;
        Assert.Equal(["bme280", "sds011", "scd41"], Sensors(r)); // boards/firebeetle-esp32e.board's sensor lines
        Assert.Equal(6, r.GetProperty("channels").GetInt32());
        Assert.Equal("board firebeetle-esp32e", r.GetProperty("sensors_from").GetString());
        Assert.True(r.GetProperty("breakdown_ma").GetProperty("sensors").GetDouble() > 20); // the SDS011's fan and the SCD41's shots: ~21 mA at 60 s

        var (exit2, output2, err2) = await CliRunner.Run("energy", "--board", "firebeetle-esp32e", "--channels", "3", "--json");
        Assert.True(exit2 == 0, err2);
        var r2 = JsonDocument.Parse(output2).RootElement;
        Assert.Equal(["bme280"], Sensors(r2));
        Assert.Equal("--channels 3", r2.GetProperty("sensors_from").GetString());

        // A board with no sensor lines: the assumption is stated.
        var (exit3, output3, err3) = await CliRunner.Run("energy", "--board", "reference", "--json");
        Assert.True(exit3 == 0, err3);
        var r3 = JsonDocument.Parse(output3).RootElement;
        Assert.Equal(["bme280", "sds011"], Sensors(r3));
        Assert.StartsWith("assumed: board reference lists no sensor.* lines", r3.GetProperty("sensors_from").GetString());
    }

    [Fact]
    public async Task From_a_database_the_measured_figure_does_not_depend_on_config_only_the_model_does()
    {
        string db = Path.Combine(_dir, "sim.db");
        var (simExit, _, simErr) = await CliRunner.Run("simulate", "--nodes", "2", "--duration", "6h", "--db", db, "--json");
        Assert.True(simExit == 0, simErr);
        string config = Path.Combine(_dir, "bme.conf");
        File.WriteAllText(config, "node.id = 1\nsample = 60s\npublish = 15m\nsensor.bme280 = i2c:0x76\n");

        var runs = new List<JsonElement>();
        foreach (var extra in new[] { Array.Empty<string>(), new[] { "--config", config }, new[] { "--channels", "1" } })
        {
            var (exit, output, err) = await CliRunner.Run(["energy", "--from", db, "--board", "firebeetle-esp32e", "--json", .. extra]);
            Assert.True(exit == 0, err);
            runs.Add(JsonDocument.Parse(output).RootElement);
        }

        // The nodes' channels say which sensors drew current: the same whatever workload the model is asked for.
        foreach (var r in runs)
        {
            Assert.Equal(runs[0].GetProperty("avg_ma").GetDouble(), r.GetProperty("avg_ma").GetDouble());
            Assert.Equal(runs[0].GetProperty("breakdown_ma").GetProperty("sensors").GetDouble(), r.GetProperty("breakdown_ma").GetProperty("sensors").GetDouble());
            Assert.Equal(Sensors(runs[0]), Sensors(r));
        }

        Assert.Contains("sds011", Sensors(runs[0]));
        Assert.True(runs[0].GetProperty("model_avg_ma").GetDouble() > 5 * runs[1].GetProperty("model_avg_ma").GetDouble()); // the model follows --config: a lone BME280
    }

    [Fact]
    public void A_nodes_sensors_are_read_from_its_channels_by_the_drivers_own_channel_lists()
    {
        Assert.Equal(["bme280", "scd41", "sds011"], EnergyCalibration.SensorsOf([Channels.AirTemperature, Channels.RelativeHumidity, Channels.AirPressure, Channels.Pm25, Channels.Pm10, Channels.Co2, Channels.BatteryVoltage]).Order());
        Assert.Equal(["pms5003"], EnergyCalibration.SensorsOf([Channels.Pm1, Channels.Pm25, Channels.Pm10]));
        Assert.Equal(["bme680"], EnergyCalibration.SensorsOf([Channels.AirTemperature, Channels.RelativeHumidity, Channels.AirPressure, Channels.GasResistance]));
        Assert.Empty(EnergyCalibration.SensorsOf([Channels.BatteryVoltage]));
    }

    [Fact]
    public async Task A_plot_into_a_missing_folder_is_refused_before_anything_runs()
    {
        string png = Path.Combine(_dir, "no-such-folder", "life.png");
        var (exit, output, err) = await CliRunner.Run("energy", "--board", "reference", "--plot", png);
        Assert.Equal(1, exit);
        Assert.Contains($"--plot {png}: the folder {Path.GetDirectoryName(png)} does not exist", err);
        Assert.Equal("", output); // no report: the twin never ran
    }

    [Theory]
    [InlineData("1h", "1m", "--publish 1m: shorter than sample (1h)")]
    [InlineData("5s", "15m", "--sample 5s:")]
    public async Task Sample_and_publish_follow_the_nodes_config_rules_instead_of_being_changed(string sample, string publish, string message)
    {
        var (exit, output, err) = await CliRunner.Run("energy", "--board", "reference", "--sample", sample, "--publish", publish);
        Assert.Equal(1, exit);
        Assert.Contains(message, err);
        Assert.Equal("", output);
    }

    public void Dispose() => Directory.Delete(_dir, true);
}
