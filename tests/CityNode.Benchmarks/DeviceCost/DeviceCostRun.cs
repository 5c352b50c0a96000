using CityNode.Host.DeviceCost;

namespace CityNode.Benchmarks.DeviceCost;

/// <summary>
/// `device-cost [--json] [--quick]`: runs <see cref="DeviceCostHarness"/> in the process's
/// <see cref="InstrumentedContext"/> (CityNode.Core, CityNode.Drivers and the device program's glue
/// counting their IL), with this assembly loaded there too. Only IL the ESP32 interprets is counted:
/// the simulated chips, the twin and the harness are host code.
/// </summary>
public static class DeviceCostRun
{
    public static int Run(string[] args)
    {
        lock (InstrumentedContext.Gate)
        {
            string reply = InstrumentedContext.Shared.Invoke(typeof(DeviceCostHarness), nameof(DeviceCostHarness.Entry), string.Join('\n', args));
            return int.Parse(reply, System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
