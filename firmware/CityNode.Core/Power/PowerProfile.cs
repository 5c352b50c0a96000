namespace CityNode.Power
{
    /// <summary>
    /// A board's power constants, in microamps and milliseconds (integers: the device has no FPU
    /// worth using for this, and the host model uses the same numbers). Defaults are the reference
    /// constants of docs/energy.md; a board profile overrides them with its own, each with its source.
    /// </summary>
    public sealed class PowerProfile
    {
        public PowerProfile()
        {
            DeepSleepMicroamps = 10;
            LightSleepMicroamps = 800;
            ActiveMicroamps = 50000;
            RadioMicroamps = 120000;
            ConnectPublishMs = 3000;
            BootMs = 1500;
            BatteryMilliampHours = 3000;
            IdleMicroamps = 30000;
            WifiStartedMicroamps = 100000;
            WifiConnectingMicroamps = 120000;
            WifiAssociatedMicroamps = 110000;
            IlPerSecond = 1500000;
        }

        /// <summary>
        /// IL instructions the nanoFramework interpreter executes per second of CPU (simple ones, as
        /// the device-cost benchmark counts them): 1.5 M central, 0.5–5 M the range of public figures
        /// for an ESP32 at 240 MHz (nanoframework/Home issue 1013 at the slow end; docs/device-budget.md).
        /// </summary>
        public int IlPerSecond { get; set; }

        /// <summary>CPU clocked but idle (Thread.Sleep, blocking waits): nanoFramework on the ESP32 does not light-sleep by itself.</summary>
        public int IdleMicroamps { get; set; }

        /// <summary>Whole board with Wi-Fi started but not associated (after WifiNetworkHelper.Disconnect: the radio is not stopped).</summary>
        public int WifiStartedMicroamps { get; set; }

        /// <summary>Whole board while Wi-Fi scans, authenticates, associates and gets an address.</summary>
        public int WifiConnectingMicroamps { get; set; }

        /// <summary>Whole board while associated (TLS, MQTT traffic and the waits between).</summary>
        public int WifiAssociatedMicroamps { get; set; }

        /// <summary>ESP32 deep sleep with the RTC timer running (board quiescent current included).</summary>
        public int DeepSleepMicroamps { get; set; }

        /// <summary>ESP32 light sleep, RAM retained, radio off.</summary>
        public int LightSleepMicroamps { get; set; }

        /// <summary>CPU running the CLR, radio off.</summary>
        public int ActiveMicroamps { get; set; }

        /// <summary>Average while Wi-Fi connects and the MQTT exchange runs.</summary>
        public int RadioMicroamps { get; set; }

        /// <summary>Wi-Fi association + DHCP (or fast reconnect) + TLS + MQTT CONNECT and one PUBLISH/PUBACK.</summary>
        public int ConnectPublishMs { get; set; }

        /// <summary>From deep-sleep wake to the first line of the application (ROM, bootloader, nanoCLR start, assembly load).</summary>
        public int BootMs { get; set; }

        public int BatteryMilliampHours { get; set; }

        /// <summary>
        /// Sleeps shorter than this are cheaper in light sleep: the charge deep sleep saves
        /// ((light − deep) × t) must pay for a CLR boot (active × boot).
        /// </summary>
        public long DeepSleepBreakEvenMs
        {
            get
            {
                long saved = LightSleepMicroamps - DeepSleepMicroamps;
                return saved <= 0 ? long.MaxValue : ((long)ActiveMicroamps * BootMs) / saved;
            }
        }
    }
}
