using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.Scd4x.Sim;

/// <summary>A <see cref="SimScd41"/> at the placement: the world's CO2, and the air it sits in (its NDIR reading depends on the true pressure).</summary>
public sealed class Scd41Simulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["scd41"];

    public object? Attach(SimulatedPlacement at) =>
        at.OnI2c(new SimScd41(at.NowMs, () => (at.Value(Channels.Co2, 450), at.Raw(Channels.AirTemperature, 18.5), at.Raw(Channels.RelativeHumidity, 62), at.Raw(Channels.AirPressure, 101_325))));
}
