namespace CityNode.NanoTwin;

/// <summary>
/// What a board needs to book the IL its program interprets as CPU time: a reading of the
/// executed-IL counter (the instrumented Core's, see tools/CityNode.Host/DeviceCost) and the
/// board's interpreter rate (power.il_per_second). The counter is process-wide, so a meter serves
/// one board at a time (citynode energy, the device-cost benchmark); boards without a meter (every
/// simulation) book no IL time, as nanoFramework's cost on them is unknown.
/// </summary>
public sealed class InterpreterMeter(Func<long> executed, double ilPerSecond)
{
    /// <summary>IL instructions executed so far (a running total).</summary>
    public Func<long> Executed { get; } = executed;

    public double IlPerSecond { get; } = ilPerSecond > 0 ? ilPerSecond : throw new ArgumentOutOfRangeException(nameof(ilPerSecond), ilPerSecond, "IL per second must be positive");
}
