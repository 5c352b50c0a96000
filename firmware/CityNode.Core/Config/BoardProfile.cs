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
        /// <summary>Standard-mode I2C, what every attached sensor supports (NXP UM10204 §5.1).</summary>
        public const int DefaultI2cKilohertz = 100;

        // Ranges of the power constants: currents up to 1 A, phases up to a minute, a battery from 100 mAh.
        private const int MaxMicroamps = 1000000;
        private const int MaxPhaseMs = 60000;
        private const int MinBatteryMah = 100;
        private const int MaxBatteryMah = 1000000;

        // The interpreter's speed: the range of public figures (docs/device-budget.md).
        private const int MinIlPerSecond = 500000;
        private const int MaxIlPerSecond = 5000000;

        private BoardProfile(ConfigDocument doc)
        {
            Document = doc;
            Power = new PowerProfile();
            BatteryAdcChannel = -1;
            BatteryDivider = 1;
            _i2c1Kilohertz = DefaultI2cKilohertz;
            _i2c2Kilohertz = DefaultI2cKilohertz;
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

        private int _i2c1Kilohertz;
        private int _i2c2Kilohertz;

        public ConfigDocument Document { get; private set; }

        public string Id { get; private set; }

        public string Name { get; private set; }

        /// <summary>The nanoff target for the firmware (nanoff --target).</summary>
        public string NanoffTarget { get; private set; }

        public int FlashMegabytes { get; private set; }

        /// <summary>PSRAM of the module (board.psram_mb, default 0: none), where nanoFramework's PSRAM targets put the managed heap.</summary>
        public int PsramMegabytes { get; private set; }

        /// <summary>
        /// Whether the board is deployed as the loader image and takes updates (docs/ota.md, two ways to
        /// deploy): Assembly.Load keeps a loaded application in the managed heap, ~83 KB for
        /// CityNode.Esp32.pe, more than the ~100 KB heap of an ESP32 without PSRAM leaves beside the node's
        /// own ~41 KB; and the drive must have room for two slots (<see cref="CityNode.Node.NodeAssembly.OtaSlotSectorsFor"/>).
        /// </summary>
        public bool TakesUpdates
        {
            get { return PsramMegabytes > 0 && CityNode.Node.NodeAssembly.OtaSlotSectorsFor(FlashMegabytes) > 0; }
        }

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
            return busId == 2 ? _i2c2Kilohertz : _i2c1Kilohertz;
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
                    case "board.psram_mb":
                        b.PsramMegabytes = (int)Number(line, key, value, 0, 32);
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

                    if (key == "bus.i2c2_khz")
                    {
                        b._i2c2Kilohertz = (int)n;
                    }
                    else
                    {
                        b._i2c1Kilohertz = (int)n;
                    }

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

                if (!b.ApplyPower(line, key, value))
                {
                    throw new ConfigException(line, key, "unknown key in a board profile");
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

        /// <summary>A <c>power.*</c> constant into <see cref="Power"/>; false for a key that is none.</summary>
        private bool ApplyPower(int line, string key, string value)
        {
            PowerProfile p = Power;
            switch (key)
            {
                case "power.deep_sleep_ua": p.DeepSleepMicroamps = Current(line, key, value); return true;
                case "power.light_sleep_ua": p.LightSleepMicroamps = Current(line, key, value); return true;
                case "power.active_ua": p.ActiveMicroamps = Current(line, key, value); return true;
                case "power.radio_ua": p.RadioMicroamps = Current(line, key, value); return true;
                case "power.idle_ua": p.IdleMicroamps = Current(line, key, value); return true;
                case "power.wifi_started_ua": p.WifiStartedMicroamps = Current(line, key, value); return true;
                case "power.wifi_connecting_ua": p.WifiConnectingMicroamps = Current(line, key, value); return true;
                case "power.wifi_associated_ua": p.WifiAssociatedMicroamps = Current(line, key, value); return true;
                case "power.connect_publish_ms": p.ConnectPublishMs = (int)Number(line, key, value, 1, MaxPhaseMs); return true;
                case "power.boot_ms": p.BootMs = (int)Number(line, key, value, 1, MaxPhaseMs); return true;
                case "power.battery_mah": p.BatteryMilliampHours = (int)Number(line, key, value, MinBatteryMah, MaxBatteryMah); return true;
                case "power.il_per_second": p.IlPerSecond = (int)Number(line, key, value, MinIlPerSecond, MaxIlPerSecond); return true;
                default: return false;
            }
        }

        private static int Current(int line, string key, string value)
        {
            return (int)Number(line, key, value, 1, MaxMicroamps);
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
