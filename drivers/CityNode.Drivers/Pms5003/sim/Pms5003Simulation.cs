using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.Pms5003.Sim;

/// <summary>
/// A <see cref="SimPms5003"/> on the placement's port. PM1 is recorded nowhere CityNode replays and
/// is fed as 0.7 × PM2.5 (unchecked by the verifier).
/// </summary>
public sealed class Pms5003Simulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["pms5003"];

    public object? Attach(SimulatedPlacement at) =>
        at.OnUart(new SimPms5003(() => (Math.Round(at.Raw(Channels.Pm25, 8) * 0.7), at.Value(Channels.Pm25, 8), at.Value(Channels.Pm10, 14))));
}
