using System.Linq.Expressions;
using System.Reflection;
using CityNode.Config;
using CityNode.NanoTwin;

namespace CityNode.Host.DeviceCost;

/// <summary>
/// The <see cref="IlInstrumenter"/>'s counters as seen from the code bound to them: in the
/// <see cref="InstrumentedContext"/> they exist, in the default context (simulations, most tests)
/// Core is not instrumented and there is nothing to read.
/// </summary>
public static class IlMeter
{
    /// <summary>
    /// The range of public figures for nanoFramework's interpreter on an ESP32 at 240 MHz, simple IL
    /// instructions per second (nanoframework/Home issue 1013's GPIO loop at the slow end; CityNode
    /// issue 20). The central figure is each board's power.il_per_second.
    /// </summary>
    public const double SlowIlPerSecond = 500_000;

    public const double FastIlPerSecond = 5_000_000;

    /// <summary>IL instructions executed so far by the instrumented code, or null when Core is not instrumented.</summary>
    public static Func<long>? Executed { get; } = Reader("Count");

    /// <summary>Heap allocations (newobj of a class, newarr, box) executed so far by the instrumented code, or null.</summary>
    public static Func<long>? Allocations { get; } = Reader("Allocations");

    public static bool Instrumented => Executed is not null;

    /// <summary>A meter for a board interpreting at <paramref name="ilPerSecond"/>, or null outside the instrumented context.</summary>
    public static InterpreterMeter? For(double ilPerSecond) => Executed is { } count ? new InterpreterMeter(count, ilPerSecond) : null;

    private static Func<long>? Reader(string field)
    {
        FieldInfo? f = typeof(NodeConfig).Assembly.GetType(IlInstrumenter.CounterType)?.GetField(field, BindingFlags.Public | BindingFlags.Static);
        return f is null ? null : Expression.Lambda<Func<long>>(Expression.Field(null, f)).Compile();
    }
}
