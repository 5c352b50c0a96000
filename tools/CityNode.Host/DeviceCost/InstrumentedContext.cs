using System.Reflection;
using System.Runtime.ExceptionServices;
using System.Runtime.Loader;

namespace CityNode.Host.DeviceCost;

/// <summary>
/// A load context in which the code the ESP32 interprets (CityNode.Core, CityNode.Drivers,
/// CityNode.DeviceProgram) is the <see cref="IlInstrumenter"/>'s counting copy, and every other
/// assembly of the application folder (the twin, the host, MQTTnet …) is loaded again beside it so
/// that they bind to the counting copies. The framework comes from the default context. Built once
/// per process (<see cref="Shared"/>); used by <c>citynode energy</c> (EnergyReport) and the
/// device-cost benchmark.
///
/// The counter is one process-wide static of the instrumented Core: it measures one board at a
/// time. Callers that run a board in here hold <see cref="Gate"/>; simulations with many boards run
/// in the default context, where Core is not instrumented and no board has a meter.
/// </summary>
public sealed class InstrumentedContext : AssemblyLoadContext
{
    /// <summary>The assemblies nanoFramework interprets on the node, Core first (it receives the counter type); CityNode.Loader is the loader image (AppLoader and its glue) on boards that take updates.</summary>
    public static readonly string[] Interpreted = { "CityNode.Core", "CityNode.Drivers", "CityNode.DeviceProgram", "CityNode.Loader" };

    private static readonly Lazy<InstrumentedContext> Instance = new(() => new InstrumentedContext(AppContext.BaseDirectory), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string _baseDir;
    private readonly Dictionary<string, byte[]> _images;

    private InstrumentedContext(string baseDir)
        : base("citynode-instrumented")
    {
        _baseDir = baseDir;
        _images = IlInstrumenter.Instrument(baseDir, Interpreted);
    }

    /// <summary>The process's instrumented context (the assemblies are instrumented at the first use).</summary>
    public static InstrumentedContext Shared => Instance.Value;

    /// <summary>Held while a board with an interpreter meter runs in the context: the counter is shared.</summary>
    public static readonly object Gate = new();

    /// <summary>
    /// Calls the public static <paramref name="method"/> (string → string) of <paramref name="type"/>
    /// (an assembly-qualified type of the application folder) in this context: data crosses the
    /// boundary as text only, since a type of one context is not the same type in another.
    /// </summary>
    public string Invoke(Type type, string method, string argument)
    {
        Assembly assembly = LoadFromAssemblyName(type.Assembly.GetName());
        MethodInfo target = assembly.GetType(type.FullName!, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(type.FullName, method);
        try
        {
            return (string)target.Invoke(null, new object[] { argument })!;
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(e.InnerException); // framework exceptions are the same types in both contexts
            throw;
        }
    }

    protected override Assembly? Load(AssemblyName name)
    {
        if (name.Name is not null && _images.TryGetValue(name.Name, out byte[]? image))
        {
            return LoadFromStream(new MemoryStream(image));
        }

        string local = Path.Combine(_baseDir, name.Name + ".dll");
        return File.Exists(local) ? LoadFromAssemblyPath(local) : null;
    }
}
