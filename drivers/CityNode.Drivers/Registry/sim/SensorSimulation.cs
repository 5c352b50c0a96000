using System.Reflection;
using CityNode.Drivers.Registry;
using CityNode.Host.SimulatedHal;
using CityNode.Host.Simulation;
using CityNode.Telemetry;

namespace CityNode.Drivers.Registry.Sim;

/// <summary>
/// A sensor's simulated chip or probe as the host's simulated hardware builds it, declared in the
/// sensor's own <c>sim/</c> folder next to the chip. <see cref="SensorSimulations"/> finds every
/// implementation once by reflection and keys it by descriptor name, so a new sensor needs no edit
/// in tools/ to be simulated.
/// </summary>
public interface ISensorSimulation
{
    /// <summary>The descriptor names (<see cref="SensorDescriptor.Name"/>) this builds a chip for.</summary>
    IReadOnlyList<string> Sensors { get; }

    /// <summary>Builds the chip for <paramref name="at"/>, puts it on its bus, and returns it (fault injection reaches it there); a probe returns null.</summary>
    object? Attach(SimulatedPlacement at);
}

/// <summary>
/// Where a simulated sensor goes and what it measures: its descriptor, its parsed config placement,
/// the board's simulated buses, and the world around the node. A channel the world does not feed
/// takes the simulation's constant (ordinary city air and river water: <c>citynode energy</c> needs
/// a reading, not a particular one).
/// </summary>
public sealed class SimulatedPlacement(SensorDescriptor sensor, SensorSpec spec, SimBusProvider buses, World world)
{
    public SensorDescriptor Sensor { get; } = sensor;

    public SensorSpec Spec { get; } = spec;

    public SimBusProvider Buses { get; } = buses;

    public World World { get; } = world;

    public VirtualClock Clock => Buses.SimClock;

    /// <summary>The node's monotonic milliseconds (what chips time conversions by).</summary>
    public long NowMs() => Clock.MonotonicMs;

    /// <summary>The world's value of one of the sensor's own channels now, at the descriptor's resolution; <paramref name="otherwise"/> when the world does not feed it.</summary>
    public double Value(int channel, double otherwise)
    {
        for (int i = 0; i < Sensor.ChannelCount; i++)
        {
            if (Sensor.Channel(i).Id == channel)
            {
                return Value(channel, Sensor.Channel(i), otherwise);
            }
        }

        throw new ArgumentException($"{Sensor.Name} reports no channel {Channels.Name(channel)}");
    }

    /// <summary>The world's value of a channel now at a resolution; <paramref name="otherwise"/> when the world does not feed it.</summary>
    public double Value(int channel, ChannelSpec resolution, double otherwise) =>
        World.Provides(channel) ? World.Value(channel, Clock.UnixSeconds, resolution) : otherwise;

    /// <summary>The world's unquantised value of a channel now (what a chip sees of a quantity it does not report); <paramref name="otherwise"/> when not fed.</summary>
    public double Raw(int channel, double otherwise) => World.Provides(channel) ? World.Raw(channel, Clock.UnixSeconds) : otherwise;

    /// <summary>Puts a chip on the placement's I2C bus and address.</summary>
    public T OnI2c<T>(T chip)
        where T : II2cTarget
    {
        Buses.SimI2c(Spec.BusId).Attach(Spec.Address, chip);
        return chip;
    }

    /// <summary>Puts a device on the placement's serial port.</summary>
    public T OnUart<T>(T device)
        where T : IUartDevice
    {
        Buses.Attach(Spec.Port, device);
        return device;
    }

    /// <summary>Connects a probe's output (millivolts at the probe) to the placement's ADC channel through its divider.</summary>
    public void OnAdc(Func<double> probeMillivolts) =>
        Buses.SimAdc.Connect(Spec.Channel, () => probeMillivolts() * Spec.DividerDenominator / Spec.DividerNumerator);
}

/// <summary>Every <see cref="ISensorSimulation"/> in the host, found once, by descriptor name.</summary>
public static class SensorSimulations
{
    private static readonly Lazy<Dictionary<string, ISensorSimulation>> ByName = new(() =>
    {
        var found = new Dictionary<string, ISensorSimulation>(StringComparer.Ordinal);
        foreach (var type in typeof(ISensorSimulation).Assembly.GetTypes()
            .Where(t => t.IsClass && !t.IsAbstract && typeof(ISensorSimulation).IsAssignableFrom(t))
            .OrderBy(t => t.FullName, StringComparer.Ordinal))
        {
            var simulation = (ISensorSimulation)Activator.CreateInstance(type)!;
            foreach (string name in simulation.Sensors)
            {
                if (SensorCatalog.Find(name) is null)
                {
                    throw new InvalidOperationException($"{type.Name} simulates '{name}', which no descriptor in SensorCatalog names");
                }

                if (!found.TryAdd(name, simulation))
                {
                    throw new InvalidOperationException($"'{name}' is simulated twice: {found[name].GetType().Name} and {type.Name}");
                }
            }
        }

        return found;
    });

    /// <summary>The simulation of a sensor, or null when it has no simulated chip.</summary>
    public static ISensorSimulation? For(string sensor) => ByName.Value.GetValueOrDefault(sensor);

    /// <summary>The simulated sensors, in catalog order (for refusals).</summary>
    public static IEnumerable<string> Names => SensorCatalog.All.Select(d => d.Name).Where(ByName.Value.ContainsKey);
}
