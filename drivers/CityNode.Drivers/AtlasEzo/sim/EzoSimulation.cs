using CityNode.Drivers.Registry.Sim;
using CityNode.Telemetry;

namespace CityNode.Drivers.AtlasEzo.Sim;

/// <summary>A <see cref="SimEzo"/> of the descriptor's kind at the placement; every circuit answers from the same water (its temperature and conductivity drive the others' compensation).</summary>
public sealed class EzoSimulation : ISensorSimulation
{
    private static readonly EzoKind[] Kinds = [EzoKind.Ph, EzoKind.Ec, EzoKind.Do, EzoKind.Orp, EzoKind.Rtd];

    public IReadOnlyList<string> Sensors { get; } = Kinds.Select(EzoCircuit.NameOf).ToArray();

    public object? Attach(SimulatedPlacement at)
    {
        var kind = Kinds.First(k => EzoCircuit.NameOf(k) == at.Sensor.Name);
        return at.OnI2c(new SimEzo(kind, at.NowMs, () => Water(at)));
    }

    /// <summary>The world's water now, each quantity at its circuit's resolution.</summary>
    public static SimEzo.Water Water(SimulatedPlacement at) => new(
        at.Value(Channels.WaterTemperature, EzoCircuit.Spec(EzoKind.Rtd), 14.5),
        at.Value(Channels.Ph, EzoCircuit.Spec(EzoKind.Ph), 7.4),
        at.Value(Channels.Conductivity, EzoCircuit.Spec(EzoKind.Ec), 420),
        at.Value(Channels.DissolvedOxygen, EzoCircuit.Spec(EzoKind.Do), 9.1),
        at.Value(Channels.Orp, EzoCircuit.Spec(EzoKind.Orp), 250));
}
