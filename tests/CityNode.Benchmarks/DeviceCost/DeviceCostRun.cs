using System.Reflection;
using System.Runtime.Loader;

namespace CityNode.Benchmarks.DeviceCost;

/// <summary>
/// `device-cost [--json] [--quick]`: instruments the Release CityNode.Core and CityNode.Drivers
/// (<see cref="IlInstrumenter"/>), loads the instrumented copies with this assembly and the host
/// parts into a separate load context, and runs <see cref="DeviceCostHarness"/> there. Only IL in
/// Core and Drivers is counted: the simulated chips, the file model and the harness are host code.
/// </summary>
public static class DeviceCostRun
{
    public static int Run(string[] args)
    {
        string baseDir = AppContext.BaseDirectory;
        string outDir = Path.Combine(Path.GetTempPath(), "citynode-device-cost-" + Environment.ProcessId);
        try
        {
            IlInstrumenter.Instrument(baseDir, outDir, "CityNode.Core", "CityNode.Drivers");
            var context = new InstrumentedContext(baseDir, outDir);
            Assembly harness = context.LoadFromAssemblyPath(typeof(DeviceCostRun).Assembly.Location);
            MethodInfo measure = harness.GetType(typeof(DeviceCostHarness).FullName!)!.GetMethod(nameof(DeviceCostHarness.Measure))!;
            return (int)measure.Invoke(null, new object[] { args })!;
        }
        finally
        {
            try
            {
                Directory.Delete(outDir, true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary>Serves the instrumented Core and Drivers, and every other assembly of the output folder, so they bind to each other.</summary>
    private sealed class InstrumentedContext(string baseDir, string instrumentedDir) : AssemblyLoadContext("device-cost")
    {
        protected override Assembly? Load(AssemblyName name)
        {
            string instrumented = Path.Combine(instrumentedDir, name.Name + ".dll");
            if (File.Exists(instrumented))
            {
                return LoadFromAssemblyPath(instrumented);
            }

            string local = Path.Combine(baseDir, name.Name + ".dll");
            return File.Exists(local) ? LoadFromAssemblyPath(local) : null;
        }
    }
}
