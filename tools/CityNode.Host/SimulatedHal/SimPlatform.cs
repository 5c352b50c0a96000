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

    /// <summary>
    /// Like the ESP32 (saved Wi-Fi options read at reset): each deep sleep's radioAtWake becomes
    /// <see cref="RadioReady"/> at the wake. Off by default (the host's uplink has no radio to choose).
    /// </summary>
    public bool RadioChosenAtReset { get; set; }
}
