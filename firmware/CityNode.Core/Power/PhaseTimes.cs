namespace CityNode.Power
{
    /// <summary>
    /// Where a node's time went, per power state, in milliseconds: what the diagnostics of each
    /// batch report and what the energy model turns into charge.
    /// </summary>
    public sealed class PhaseTimes
    {
        /// <summary>CLR boot after a deep-sleep wake (CPU on).</summary>
        public long BootMs;

        /// <summary>CPU on for sampling, excluding warm-up waits.</summary>
        public long ActiveMs;

        /// <summary>Waiting for sensors: warm-up, conversions, processing delays (sensors powered; the ESP32 program idles the CPU in Thread.Sleep).</summary>
        public long WaitMs;

        /// <summary>Wi-Fi and MQTT: connecting, publishing, waiting for PUBACKs.</summary>
        public long RadioMs;

        public long LightSleepMs;

        public long DeepSleepMs;

        /// <summary>Charge drawn by the sensors themselves (µA·ms), beyond the ESP32's.</summary>
        public long SensorMicroampMs;

        public long Samples;

        public long Readings;

        public long TotalMs
        {
            get { return BootMs + ActiveMs + WaitMs + RadioMs + LightSleepMs + DeepSleepMs; }
        }

        public void Clear()
        {
            BootMs = 0;
            ActiveMs = 0;
            WaitMs = 0;
            RadioMs = 0;
            LightSleepMs = 0;
            DeepSleepMs = 0;
            SensorMicroampMs = 0;
            Samples = 0;
            Readings = 0;
        }

        public void Add(PhaseTimes o)
        {
            BootMs += o.BootMs;
            ActiveMs += o.ActiveMs;
            WaitMs += o.WaitMs;
            RadioMs += o.RadioMs;
            LightSleepMs += o.LightSleepMs;
            DeepSleepMs += o.DeepSleepMs;
            SensorMicroampMs += o.SensorMicroampMs;
            Samples += o.Samples;
            Readings += o.Readings;
        }
    }
}
