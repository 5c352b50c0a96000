using System.Text.Json;
using CityNode.Tests.Cli;
using Xunit;

namespace CityNode.Tests.Faults;

/// <summary>The soak scenario: a week of accelerated time with every kind of fault at once.</summary>
[Collection("cli")]
public class SoakTests
{
    [Fact]
    public async Task A_week_of_outages_power_cuts_broker_restarts_and_sensor_faults_loses_nothing()
    {
        var (exit, output, err) = await CliRunner.Run("simulate", "--nodes", "6", "--kind", "mixed", "--duration", "7d", "--chaos", "--json");
        Assert.True(exit == 0, err + output);
        var s = JsonDocument.Parse(output).RootElement;
        Assert.Equal(0, s.GetProperty("lost").GetInt64());
        Assert.Equal(0, s.GetProperty("mismatched").GetInt64());
        Assert.Equal(s.GetProperty("produced").GetInt64(), s.GetProperty("delivered").GetInt64() + s.GetProperty("dropped_counted").GetInt64());
        Assert.True(s.GetProperty("power_cuts").GetInt32() >= 40);
        Assert.Equal(7, s.GetProperty("broker_restarts").GetInt32());
        Assert.True(s.GetProperty("outages").GetInt32() >= 80);
        // Every fault window is seen by the node at least once. Fewer are counted than samples fall in the
        // windows: the device resets after each publish (only a reset stops its Wi-Fi), and a sensor
        // that fails at boot is absent (missing readings, not counted faults) until the next one.
        Assert.True(s.GetProperty("sensor_faults").GetInt64() > s.GetProperty("sensor_fault_windows").GetInt64());
        Assert.True(s.GetProperty("values_checked").GetInt64() > 300_000);
        Assert.Equal(0, s.GetProperty("gaps").GetInt64());
    }
}
