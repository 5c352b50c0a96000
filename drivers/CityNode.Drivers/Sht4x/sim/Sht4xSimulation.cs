using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.Sht4x.Sim;

/// <summary>A <see cref="SimSht4x"/> at the placement, from the world's air temperature and humidity.</summary>
public sealed class Sht4xSimulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["sht4x"];

    public object? Attach(SimulatedPlacement at) =>
        at.OnI2c(new SimSht4x(at.NowMs, () => (at.Value(Channels.AirTemperature, 18.5), at.Value(Channels.RelativeHumidity, 62))));
}
