using CityNode.Power;

namespace CityNode.Config
{
    /// <summary>
    /// A board profile (<c>boards/NAME.board</c>), in the node config's own format: identity and
    /// flashing target, pins and buses, default sensors, and the power constants with their sources
    /// (<c>power.deep_sleep_ua = 10</c> with <c>source.deep_sleep_ua = ...</c>).
    /// </summary>
    public sealed class BoardProfile
    {
        private static readonly string[] PowerKeys = new string[]
        {
            "power.deep_sleep_ua", "power.light_sleep_ua", "power.active_ua", "power.radio_ua", "power.connect_publish_ms", "power.boot_ms", "power.battery_mah",
            "power.idle_ua", "power.wifi_started_ua", "power.wifi_connecting_ua", "power.wifi_associated_ua",
            "power.il_per_second",
        };

        private BoardProfile(ConfigDocument doc)
        {
            Document = doc;
            Power = new PowerProfile();
            BatteryAdcChannel = -1;
            BatteryDivider = 1;
            _i2cKilohertz = new int[] { 0, 100, 100 };
            AdcZeroMillivolts = DefaultAdcZeroMillivolts;
            AdcFullScaleMillivolts = DefaultAdcFullScaleMillivolts;
        }

        /// <summary>
        /// ESP32 ADC1 at the firmware's fixed 12 dB attenuation, uncalibrated: raw 0 near 150 mV and
        /// full scale near 3100 mV at the typical reference (ESP-IDF api-reference/peripherals/adc,
        /// "ADC attenuation" table: 150..2450 mV usable at 12 dB, Vref 1000..1200 mV by chip). A board
        /// whose battery or probe readings matter is calibrated at the bench with adc.zero_mv / adc.full_scale_mv.
        /// </summary>
        public const int DefaultAdcZeroMillivolts = 150;
        public const int DefaultAdcFullScaleMillivolts = 3100;

        private readonly int[] _i2cKilohertz;

        public ConfigDocument Document { get; private set; }

        public string Id { get; private set; }

        public string Name { get; private set; }

        /// <summary>The nanoff target for the firmware (nanoff --target).</summary>
        public string NanoffTarget { get; private set; }

        public int FlashMegabytes { get; private set; }

        /// <summary>Journal size on this board's internal drive.</summary>
        public int JournalKilobytes { get; private set; }

        public PowerProfile Power { get; private set; }

        /// <summary>ADC1 channel of the battery voltage divider, or -1 when the board cannot measure it.</summary>
        public int BatteryAdcChannel { get; private set; }

        /// <summary>Battery voltage = pin voltage × this.</summary>
        public int BatteryDivider { get; private set; }

        /// <summary>Millivolts at the pin for a raw 12-bit ADC count (adc.zero_mv at 0, adc.full_scale_mv at 4095).</summary>
        public int AdcZeroMillivolts { get; private set; }

        public int AdcFullScaleMillivolts { get; private set; }

        public int AdcMillivolts(int raw)
        {
            return AdcZeroMillivolts + (int)(((long)raw * (AdcFullScaleMillivolts - AdcZeroMillivolts) + 2047) / 4095);
        }

        /// <summary>Clock of I2C port 1 or 2 (bus.i2c1_khz / bus.i2c2_khz: 100, 400 or 1000; default 100, what every attached sensor supports).</summary>
        public int I2cKilohertz(int busId)
        {
            return busId == 2 ? _i2cKilohertz[2] : _i2cKilohertz[1];
        }

        /// <summary>The documented source of a power constant (<c>source.KEY</c>), or null.</summary>
        public string Source(string powerKey)
        {
            return Document.Get("source." + powerKey);
        }

        public static BoardProfile Parse(string text)
        {
            ConfigDocument doc = ConfigDocument.Parse(text);
            BoardProfile b = new BoardProfile(doc);
            for (int i = 0; i < doc.Count; i++)
            {
                string key = doc.Key(i);
                string value = doc.Value(i);
                int line = doc.Line(i);
                long n;
                switch (key)
                {
                    case "board": b.Id = value; continue;
                    case "board.name": b.Name = value; continue;
                    case "board.nanoff_target": b.NanoffTarget = value; continue;
                    case "board.flash_mb":
                        b.FlashMegabytes = (int)Number(line, key, value, 1, 32);
                        continue;
                    case "board.journal_kb":
                        b.JournalKilobytes = (int)Number(line, key, value, 16, 8192);
                        continue;
                }

                if (key == "battery.adc_channel")
                {
                    b.BatteryAdcChannel = (int)Number(line, key, value, 0, 7);
                    continue;
                }

                if (key == "bus.i2c1_khz" || key == "bus.i2c2_khz")
                {
                    n = Number(line, key, value, 100, 1000);
                    if (n != 100 && n != 400 && n != 1000)
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not an I2C speed: 100 (standard), 400 (fast) or 1000 (fast mode plus)");
                    }

                    b._i2cKilohertz[key == "bus.i2c2_khz" ? 2 : 1] = (int)n;
                    continue;
                }

                if (key == "adc.zero_mv")
                {
                    b.AdcZeroMillivolts = (int)Number(line, key, value, 0, 1000);
                    continue;
                }

                if (key == "adc.full_scale_mv")
                {
                    b.AdcFullScaleMillivolts = (int)Number(line, key, value, 1000, 4000);
                    continue;
                }

                if (key == "battery.divider")
                {
                    b.BatteryDivider = (int)Number(line, key, value, 1, 10);
                    continue;
                }

                if (Starts(key, "pins.") || Starts(key, "sensor.") || Starts(key, "source.") || Starts(key, "calibration."))
                {
                    if (Starts(key, "pins.") && !ValueParser.TryInteger(value, 0, 48, out n))
                    {
                        throw new ConfigException(line, key, "'" + value + "' is not a GPIO number (0..48)");
                    }

                    continue;
                }

                int p = PowerIndex(key);
                if (p < 0)
                {
                    throw new ConfigException(line, key, "unknown key in a board profile");
                }

                n = p == 11
                    ? Number(line, key, value, 500000, 5000000) // the range of public figures (docs/device-budget.md)
                    : Number(line, key, value, p == 6 ? 100 : 1, p == 4 || p == 5 ? 60000 : 1000000);
                switch (p)
                {
                    case 0: b.Power.DeepSleepMicroamps = (int)n; break;
                    case 1: b.Power.LightSleepMicroamps = (int)n; break;
                    case 2: b.Power.ActiveMicroamps = (int)n; break;
                    case 3: b.Power.RadioMicroamps = (int)n; break;
                    case 4: b.Power.ConnectPublishMs = (int)n; break;
                    case 5: b.Power.BootMs = (int)n; break;
                    case 6: b.Power.BatteryMilliampHours = (int)n; break;
                    case 7: b.Power.IdleMicroamps = (int)n; break;
                    case 8: b.Power.WifiStartedMicroamps = (int)n; break;
                    case 9: b.Power.WifiConnectingMicroamps = (int)n; break;
                    case 10: b.Power.WifiAssociatedMicroamps = (int)n; break;
                    default: b.Power.IlPerSecond = (int)n; break;
                }
            }

            if (b.Id == null)
            {
                throw new ConfigException(0, "board", "required (the profile's id)");
            }

            return b;
        }

        /// <summary>The sensor lines of the profile (defaults a node config may override).</summary>
        public string SensorLines()
        {
            string lines = string.Empty;
            for (int i = 0; i < Document.Count; i++)
            {
                if (Starts(Document.Key(i), "sensor."))
                {
                    lines += Document.Key(i) + " = " + Document.Value(i) + "\n";
                }
            }

            return lines;
        }

        private static int PowerIndex(string key)
        {
            for (int i = 0; i < PowerKeys.Length; i++)
            {
                if (PowerKeys[i] == key)
                {
                    return i;
                }
            }

            return -1;
        }

        private static bool Starts(string s, string prefix)
        {
            return s.Length > prefix.Length && s.Substring(0, prefix.Length) == prefix;
        }

        private static long Number(int line, string key, string value, long min, long max)
        {
            long n;
            if (!ValueParser.TryInteger(value, min, max, out n))
            {
                throw new ConfigException(line, key, "'" + value + "' is not a whole number from " + min.ToString() + " to " + max.ToString());
            }

            return n;
        }
    }
}
