using CityNode.Drivers.AtlasEzo;

namespace CityNode.Host.Simulation;

/// <summary>
/// The soak run's faults for one node (<c>simulate --chaos</c>), drawn once from its seed: network
/// outages of 10 minutes to 8 hours about twice a day, and sensor faults — a chip that vanishes
/// from its bus, corrupt CRCs, a dead UART — for 5 minutes to 3 hours about three times a day.
/// Power cuts and broker restarts are scheduled by the simulation itself.
/// </summary>
public sealed class ChaosPlan
{
    private readonly List<(long Start, long End)> _outages = new();
    private readonly List<(long Start, long End, int Kind)> _sensorFaults = new();

    public ChaosPlan(uint nodeId, int seed, long durationMs)
    {
        var rnd = new Random(seed * 7919 + (int)nodeId);
        double days = durationMs / 86_400_000.0;
        for (int i = 0; i < Math.Max(1, (int)Math.Round(2 * days)); i++)
        {
            long start = (long)(rnd.NextDouble() * durationMs * 0.9);
            _outages.Add((start, start + rnd.NextInt64(600_000, 8 * 3_600_000)));
        }

        for (int i = 0; i < Math.Max(1, (int)Math.Round(3 * days)); i++)
        {
            long start = (long)(rnd.NextDouble() * durationMs * 0.9);
            _sensorFaults.Add((start, start + rnd.NextInt64(300_000, 3 * 3_600_000), rnd.Next(4)));
        }
    }

    public int Outages => _outages.Count;

    public int SensorFaults => _sensorFaults.Count;

    public bool NetworkUp(long elapsedMs) => !_outages.Any(o => elapsedMs >= o.Start && elapsedMs < o.End);

    /// <summary>Sets the node's simulated chips to the faults active at this moment.</summary>
    public void Apply(NodeHardware hw, long elapsedMs)
    {
        bool Active(int kind) => _sensorFaults.Any(f => f.Kind == kind && elapsedMs >= f.Start && elapsedMs < f.End);
        if (hw.Bme is { } bme)
        {
            bme.Absent = Active(0);
        }

        if (hw.Scd is { } scd)
        {
            scd.CorruptReads = Active(1) ? 1 : 0;
        }

        if (hw.Pms is { } pms)
        {
            pms.Unplugged = Active(2);
        }

        if (hw.Sds is { } sds)
        {
            sds.Unplugged = Active(2);
        }

        foreach (var (kind, ezo) in hw.Ezo)
        {
            ezo.Absent = Active(kind == EzoKind.Ph ? 1 : kind == EzoKind.Ec ? 3 : 0);
        }
    }
}
