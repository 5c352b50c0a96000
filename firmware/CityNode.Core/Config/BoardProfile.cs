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
        };

        private BoardProfile(ConfigDocument doc)
        {
            Document = doc;
            Power = new PowerProfile();
            BatteryAdcChannel = -1;
            BatteryDivider = 1;
        }

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

                n = Number(line, key, value, p == 6 ? 100 : 1, p == 4 || p == 5 ? 60000 : 1000000);
                switch (p)
                {
                    case 0: b.Power.DeepSleepMicroamps = (int)n; break;
                    case 1: b.Power.LightSleepMicroamps = (int)n; break;
                    case 2: b.Power.ActiveMicroamps = (int)n; break;
                    case 3: b.Power.RadioMicroamps = (int)n; break;
                    case 4: b.Power.ConnectPublishMs = (int)n; break;
                    case 5: b.Power.BootMs = (int)n; break;
                    default: b.Power.BatteryMilliampHours = (int)n; break;
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
