namespace CityNode.Hal
{
    /// <summary>Why the node started running this time.</summary>
    public enum ResetCause
    {
        Unknown = 0,
        PowerOn = 1,
        /// <summary>Woke from deep sleep (timer): RAM was lost, flash was kept.</summary>
        DeepSleepWake = 2,
        /// <summary>Software reboot (safe mode exit, remote request).</summary>
        Software = 3,
        /// <summary>The watchdog fired or the runtime crashed.</summary>
        Crash = 4,
        Brownout = 5,
    }

    /// <summary>How the node sleeps between cycles.</summary>
    public enum SleepKind
    {
        /// <summary>CPU paused, RAM kept, radio off (ESP32 light sleep).</summary>
        Light = 0,
        /// <summary>Everything off but the RTC timer; wake-up is a reset and the CLR boots again.</summary>
        Deep = 1,
    }

    /// <summary>The board: battery, memory, reset cause. Small, read once per cycle.</summary>
    public interface INodePlatform
    {
        /// <summary>Battery voltage in millivolts (0 when the board cannot measure it).</summary>
        int BatteryMillivolts { get; }

        /// <summary>Free managed heap in bytes.</summary>
        int FreeHeapBytes { get; }

        ResetCause ResetCause { get; }

        /// <summary>The chip's own wake-up cause code (ESP32: Sleep.WakeupCause, 4 = timer), 0 when not a wake-up.</summary>
        int WakeupCause { get; }

        /// <summary>
        /// Once connected, the radio stays on (drawing current whenever the CPU is awake) until the
        /// next reset: nanoFramework on the ESP32 has no managed call that stops Wi-Fi. The runtime
        /// then deep-sleeps after a connection rather than light-sleeping with the radio started.
        /// </summary>
        bool RadioStaysOnUntilReset { get; }

        /// <summary>
        /// The uplink can connect in this boot. False where the radio is chosen at reset and this boot
        /// came up without it (ESP32: saved Wi-Fi options without Enable): the runtime then resets into
        /// a boot with the radio before the wake that will connect.
        /// </summary>
        bool RadioReady { get; }
    }
}
