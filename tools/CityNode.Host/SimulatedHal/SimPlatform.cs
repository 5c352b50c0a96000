using CityNode.Hal;

namespace CityNode.Host.SimulatedHal;

/// <summary>The simulated board: battery voltage from a simple discharge model, heap, reset cause.</summary>
public sealed class SimPlatform : INodePlatform
{
    public int BatteryMillivolts { get; set; } = 3900;

    public int FreeHeapBytes { get; set; } = 82_000;

    public ResetCause ResetCause { get; set; } = ResetCause.PowerOn;

    public int WakeupCause { get; set; }

    /// <summary>The host's uplink (MQTTnet) has no radio; the ESP32 glue's is true.</summary>
    public bool RadioStaysOnUntilReset { get; set; }

    public bool RadioReady { get; set; } = true;
}
