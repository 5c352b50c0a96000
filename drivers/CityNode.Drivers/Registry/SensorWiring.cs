using System.Collections;
using CityNode.Config;

namespace CityNode.Drivers.Registry
{
    /// <summary>
    /// The rules for a node's <c>sensor.NAME = placement</c> lines and its <c>sensors</c> list, in one
    /// place: the node applies them when it builds its drivers (<see cref="SensorFactory.Create"/>),
    /// <c>citynode provision</c> and <c>configure</c> before anything is written or sent. Each
    /// refusal names the line, the key and the rule.
    /// </summary>
    public static class SensorWiring
    {
        /// <summary>
        /// Checks every sensor line of <paramref name="doc"/> (known driver, a bus the sensor has, an
        /// address the chip can answer on, no two sensors in one place) and the <c>sensors</c> list
        /// (known names). With a <paramref name="board"/>, also that the place exists on that board
        /// (a UART whose pins the profile routes, an ADC1 channel not taken by the battery divider).
        /// Returns the parsed placements in file order.
        /// </summary>
        public static SensorSpec[] Check(ConfigDocument doc, BoardProfile board)
        {
            ArrayList specs = new ArrayList();
            ArrayList lines = new ArrayList();
            for (int i = 0; i < doc.Count; i++)
            {
                string key = doc.Key(i);
                if (key.Length <= 7 || key.Substring(0, 7) != "sensor.")
                {
                    continue;
                }

                string name = key.Substring(7);
                int line = doc.Line(i);
                if (!SensorFactory.IsKnown(name))
                {
                    throw new ConfigException(line, key, "no driver for '" + name + "' (known: " + KnownList() + ")");
                }

                SensorSpec spec = SensorSpec.Parse(name, doc.Value(i), line);
                string bus = BusOf(name);
                if (spec.Bus != bus)
                {
                    throw new ConfigException(line, key, name + " is on " + bus + ", not " + spec.Bus);
                }

                CheckAddress(spec, key, line);
                if (board != null)
                {
                    CheckOnBoard(spec, board, key, line);
                }

                for (int j = 0; j < specs.Count; j++)
                {
                    SensorSpec other = (SensorSpec)specs[j];
                    if (SamePlace(spec, other))
                    {
                        int otherLine = (int)lines[j];
                        throw new ConfigException(line, key, Place(spec) + " is taken by sensor." + other.Name +
                            (otherLine > 0 ? " (line " + otherLine.ToString() + ")" : " (the board profile's default)") + "; one sensor per place");
                    }
                }

                specs.Add(spec);
                lines.Add(line);
            }

            CheckSensorList(doc);
            SensorSpec[] result = new SensorSpec[specs.Count];
            for (int i = 0; i < result.Length; i++)
            {
                result[i] = (SensorSpec)specs[i];
            }

            return result;
        }

        /// <summary>The <c>sensors</c> list names only sensors CityNode has drivers for (whether each is wired is the node config's rule).</summary>
        public static void CheckSensorList(ConfigDocument doc)
        {
            int at = doc.Find("sensors");
            if (at < 0 || doc.Value(at) == "all")
            {
                return;
            }

            string list = doc.Value(at);
            int start = 0;
            while (start < list.Length)
            {
                int comma = list.IndexOf(',', start);
                int end = comma < 0 ? list.Length : comma;
                string name = list.Substring(start, end - start);
                if (name.Length > 0 && !SensorFactory.IsKnown(name))
                {
                    throw new ConfigException(doc.Line(at), "sensors", "no driver for '" + name + "' (known: " + KnownList() + ")");
                }

                start = end + 1;
            }
        }

        /// <summary>The bus a sensor is attached by (its datasheet's interface as CityNode drives it).</summary>
        public static string BusOf(string name)
        {
            switch (name)
            {
                case "pms5003":
                case "sds011":
                    return "uart";
                case "turbidity":
                case "tds":
                case "analog_ph":
                    return "adc";
                default:
                    return "i2c";
            }
        }

        public static string KnownList()
        {
            string s = string.Empty;
            for (int i = 0; i < SensorFactory.Known.Length; i++)
            {
                s += (i == 0 ? string.Empty : ", ") + SensorFactory.Known[i];
            }

            return s;
        }

        private static void CheckAddress(SensorSpec s, string key, int line)
        {
            switch (s.Name)
            {
                case "bme280":
                case "bme680":
                    // BME280 datasheet §6.2 / BME680 datasheet §6.2.1: SDO to GND is 0x76, to VDDIO 0x77; nothing else.
                    if (s.Address != 0x76 && s.Address != 0x77)
                    {
                        throw new ConfigException(line, key, Hex(s.Address) + " is not a " + s.Name + " address: 0x76 (SDO to GND) or 0x77 (SDO to VDDIO)");
                    }

                    return;
                case "scd41":
                    // SCD4x datasheet §3.3: the address is fixed.
                    if (s.Address != 0x62)
                    {
                        throw new ConfigException(line, key, Hex(s.Address) + " is not the scd41 address: it is fixed at 0x62");
                    }

                    return;
            }

            // EZO circuits: any 7-bit address (set with the I2C,n command; defaults in AtlasEzo/README.md).
        }

        private static void CheckOnBoard(SensorSpec s, BoardProfile board, string key, int line)
        {
            if (s.Bus == "uart")
            {
                string port = s.Port.ToLower();
                if (board.Document.Find("pins." + port + "_rx") < 0 || board.Document.Find("pins." + port + "_tx") < 0)
                {
                    throw new ConfigException(line, key, s.Port + " has no pins on board " + board.Id + " (its profile routes " + RoutedPorts(board) +
                        "; add pins." + port + "_rx and pins." + port + "_tx to the profile if it is wired)");
                }
            }
            else if (s.Bus == "adc" && s.Channel == board.BatteryAdcChannel)
            {
                throw new ConfigException(line, key, "ADC channel " + s.Channel.ToString() + " is the battery divider's on board " + board.Id + " (battery.adc_channel); use another ADC1 channel");
            }
        }

        private static string RoutedPorts(BoardProfile board)
        {
            string ports = string.Empty;
            for (int n = 2; n <= 3; n++)
            {
                if (board.Document.Find("pins.com" + n.ToString() + "_rx") >= 0 && board.Document.Find("pins.com" + n.ToString() + "_tx") >= 0)
                {
                    ports += (ports.Length == 0 ? string.Empty : ", ") + "COM" + n.ToString();
                }
            }

            return ports.Length == 0 ? "no serial port" : ports;
        }

        private static bool SamePlace(SensorSpec a, SensorSpec b)
        {
            if (a.Bus != b.Bus)
            {
                return false;
            }

            if (a.Bus == "i2c")
            {
                return a.BusId == b.BusId && a.Address == b.Address;
            }

            return a.Bus == "uart" ? a.Port == b.Port : a.Channel == b.Channel;
        }

        private static string Place(SensorSpec s)
        {
            if (s.Bus == "i2c")
            {
                return "i2c" + s.BusId.ToString() + " address " + Hex(s.Address);
            }

            return s.Bus == "uart" ? s.Port : "ADC channel " + s.Channel.ToString();
        }

        private static string Hex(int address)
        {
            return "0x" + address.ToString("X2");
        }
    }
}
