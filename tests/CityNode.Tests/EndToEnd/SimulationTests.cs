using CityNode.Host.Simulation;
using Xunit;

namespace CityNode.Tests.EndToEnd;

/// <summary>The README's main job, small: recorded data → simulated chips → drivers → ring → codec → MQTT → receiver.</summary>
public class SimulationTests
{
    [Fact]
    public async Task Every_recorded_value_arrives_once_and_unchanged()
    {
        var sim = new CitySimulation(new SimulationOptions
        {
            Nodes = 3,
            Duration = TimeSpan.FromHours(6),
            DataFolder = Path.Combine(Paths.Root, "tools", "CityNode.Cli", "data"),
        });
        var s = await sim.RunAsync();
        Assert.True(s.Produced > 3 * 6 * 60 * 3 - 10, $"produced {s.Produced}");
        Assert.Equal(0, s.Lost);
        Assert.Equal(s.Produced, s.Delivered);
        Assert.Equal(0, s.Mismatched);
        Assert.Equal(s.Delivered, s.ValuesChecked + s.ValuesUncompensated + s.ValuesNearWrap);
        Assert.True(s.ValuesNearWrap < s.Delivered / 100);
        Assert.Equal(0, s.Rejected);
    }
}
