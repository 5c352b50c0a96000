namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// What each sensor draws while a sample is taken, beyond the ESP32 (the drivers' READMEs give
    /// the datasheet figures): current while powered for a sample, and for how long. Used by the
    /// energy model; the time the node waits for them is measured by the runtime.
    /// </summary>
    public static class SensorPower
    {
        /// <summary>Microamps drawn by the sensor while it is powered for a sample.</summary>
        public static int Microamps(string sensor)
        {
            switch (sensor)
            {
                case "bme280": return 700;        // BST-BME280-DS002 §4.x: ~0.7 mA during a forced conversion
                case "bme680": return 12000;      // gas heater on
                case "pms5003": return 100000;    // data manual: active ≤ 100 mA (fan + laser)
                case "sds011": return 70000;      // datasheet: 70 mA ± 10 mA working
                case "scd41": return 15000;       // SCD4x datasheet: ~15 mA average during a single shot at 3.3 V
                case "turbidity": return 40000;   // SEN0189: 40 mA max
                case "tds": return 6000;          // SEN0244: 3–6 mA
                case "analog_ph": return 10000;   // SEN0161 module: 5–10 mA
                default: return 15000;            // EZO circuits awake: 12–18 mA (datasheets, "Power consumption")
            }
        }

        /// <summary>Milliseconds the sensor is powered per sample (warm-up plus the conversion).</summary>
        public static int OnMilliseconds(string sensor)
        {
            switch (sensor)
            {
                case "bme280": return 45;
                case "bme680": return 160;
                case "pms5003": return 31000;     // 30 s fan warm-up + a frame
                case "sds011": return 16000;      // 15 s warm-up + a frame
                case "scd41": return 10000;       // two single shots: the first after wake-up is discarded
                case "turbidity":
                case "tds":
                case "analog_ph": return 200;     // powered for the 9 conversions
                case "ezo_ph":
                case "ezo_orp": return 1500;      // wake (300) + T (300) + R (900)
                case "ezo_do": return 2100;       // wake + T + S + P + R (600)
                default: return 1200;             // EZO-EC, EZO-RTD: wake + T + R (600)
            }
        }

        /// <summary>Charge (µA·ms) the sensors of a configuration draw per sample.</summary>
        public static long ChargePerSample(string[] sensors)
        {
            long total = 0;
            for (int i = 0; i < sensors.Length; i++)
            {
                total += (long)Microamps(sensors[i]) * OnMilliseconds(sensors[i]);
            }

            return total;
        }
    }
}
