using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.Bmxx80.Sim;

/// <summary>A <see cref="SimBme280"/> at the placement (any of its two addresses), from the world's air.</summary>
public sealed class Bme280Simulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["bme280"];

    public object? Attach(SimulatedPlacement at) =>
        at.OnI2c(new SimBme280(at.NowMs, () => (at.Value(Channels.AirTemperature, 18.5), at.Value(Channels.RelativeHumidity, 62), at.Value(Channels.AirPressure, 101_325))));
}
