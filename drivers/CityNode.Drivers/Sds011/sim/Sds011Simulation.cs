using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.Sds011.Sim;

/// <summary>A <see cref="SimSds011"/> on the placement's port, from the world's PM2.5 and PM10.</summary>
public sealed class Sds011Simulation : ISensorSimulation
{
    public IReadOnlyList<string> Sensors { get; } = ["sds011"];

    public object? Attach(SimulatedPlacement at) =>
        at.OnUart(new SimSds011(() => (at.Value(Channels.Pm25, 8.4), at.Value(Channels.Pm10, 14.2))));
}
